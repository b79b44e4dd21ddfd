"""A certificate refused because of its dates: almost always the laptop's clock.

Over HTTPS a laptop whose clock is years off finds the server's certificate "not yet
valid" (a clock behind, 2019) or "expired" (a clock ahead, 2031), and every sync fails.
Said as "cannot reach the server", the person looks at the Wi-Fi; this names the clock.
"""

from __future__ import annotations

import ssl

# OpenSSL's verification results for a certificate outside its validity dates.
_NOT_YET_VALID = 9  # X509_V_ERR_CERT_NOT_YET_VALID
_EXPIRED = 10  # X509_V_ERR_CERT_HAS_EXPIRED


def certificate_date_problem(exc: BaseException) -> str | None:
    """ "not_yet_valid" or "expired" when ``exc`` (a requests error, with urllib3's and
    ssl's errors inside) is a certificate refused for its dates; None otherwise."""
    for error in _causes(exc):
        if isinstance(error, ssl.SSLCertVerificationError):
            if error.verify_code == _NOT_YET_VALID:
                return "not_yet_valid"
            if error.verify_code == _EXPIRED:
                return "expired"
        text = str(error)
        if "certificate is not yet valid" in text:
            return "not_yet_valid"
        if "certificate has expired" in text:
            return "expired"
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps: causes, contexts, and exceptions among its args (urllib3
    keeps the ssl error as ``reason`` of a MaxRetryError inside requests' error)."""
    found: list[BaseException] = []
    pending: list[object] = [exc]
    while pending and len(found) < 20:
        error = pending.pop()
        if not isinstance(error, BaseException) or any(error is seen for seen in found):
            continue
        found.append(error)
        pending.extend([error.__cause__, error.__context__, getattr(error, "reason", None)])
        pending.extend(error.args)
    return found

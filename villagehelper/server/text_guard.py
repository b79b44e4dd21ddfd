"""Text the server can neither store nor hash: a lone UTF-16 surrogate (``"\\ud800"``).

JSON lets a body spell one as an escape, and Python decodes it into a ``str`` that
cannot be encoded as UTF-8 again: not text at all, so no laptop's person typed it.
Such a request is refused as a whole, with a 400 that says so, before any endpoint sees
it; inside, the digest of a pushed change, the database and the logs can then rely on
every string being encodable.  (Raw surrogate bytes in the body are invalid UTF-8, which
the framework refuses already.)
"""

from __future__ import annotations

import json
import re
from typing import Any

# A surrogate spelled as a JSON escape: the only way a body can carry one.  Searched in
# the raw bytes first, so an ordinary push costs one scan in C and no second parse.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def holds_lone_surrogate(body: bytes) -> bool:
    """Does this JSON body hold a string (a key or a value) with an unpaired surrogate?

    A correctly paired one (an emoji a laptop's encoder escaped) is fine.  A body that
    is not JSON is the framework's to refuse: False here.
    """
    if _SURROGATE_ESCAPE.search(body) is None:
        return False
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return _any_lone(decoded)


def _any_lone(value: Any) -> bool:
    waiting = [value]
    while waiting:
        item = waiting.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return True
        elif isinstance(item, dict):
            waiting.extend(item.keys())
            waiting.extend(item.values())
        elif isinstance(item, list):
            waiting.extend(item)
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def invalid_text_body() -> dict[str, str]:
    return {
        "error": "invalid_text",
        "message_vi": "Dữ liệu gửi lên có ký tự không hợp lệ (một nửa cặp ký tự UTF-16 đứng "
        "riêng). Hãy sửa dòng chữ đó trên máy rồi đồng bộ lại.",
        "message_en": "The request holds an invalid character (a lone UTF-16 surrogate). "
        "Correct that text on the laptop, then sync again.",
    }

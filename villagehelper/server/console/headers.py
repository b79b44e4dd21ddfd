"""The security headers of every console answer (everything outside ``/v1``).

Content-Security-Policy allows this server's own files only: no inline script or style,
no other site's fonts, no framing (clickjacking); the referrer never leaves the site;
pages are never stored by a browser or a proxy (an officer's figures on a shared office
PC), the style sheet may be kept but is checked again.
"""

from __future__ import annotations

from villagehelper.server.limits import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
STATIC_PREFIX = "/static/"
_COMMON = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
]


class ConsoleHeaders:
    """``api_pages``: the API's description pages (``serve --api-docs``), left as the
    framework makes them: their page loads its script from a CDN, which the policy
    would block."""

    def __init__(self, app: ASGIApp, api_pages: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.api_pages = api_pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/v1/") or path in self.api_pages:
            await self.app(scope, receive, send)
            return
        caching = b"no-cache" if path.startswith(STATIC_PREFIX) else b"no-store"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (key, value)
                    for key, value in message.get("headers", [])
                    if key.lower() != b"cache-control"
                ]
                headers += [*_COMMON, (b"cache-control", caching)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)

"""The console's answer to an address it does not have (404), cannot read (a commune
code of six digits: 400) or takes only a form at (405: a page reloaded after a button, a
form's address typed): a page in the console's frame, Vietnamese first, with a link
home, instead of the framework's JSON.

The laptops' API (``/v1/...``) keeps its JSON refusals word for word: the handlers the
server installed before the console (``server/refusals.py``) still answer there, and
the laptops read those bodies.  So do the API's description pages (``serve
--api-docs``), open or closed: a closed one answers as any unknown API address.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from villagehelper.server.console.frame import SESSION_COOKIE, console_of, render
from villagehelper.server.console.sessions import session_officer

API_PREFIX = "/v1/"
API_PAGES = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/") or path in API_PAGES


# The console's pages for the framework's refusals: title and message keys.
FRAMED_REFUSALS = {
    404: ("not_found_title", "not_found"),
    405: ("form_only_title", "form_only"),
}


def refusal_page(request: Request, status: int = 404) -> Response:
    """In the signed-in frame when the browser is signed in: no page's dependency named
    the officer, so the session cookie is read here (never a redirect from a 404)."""
    token = request.cookies.get(SESSION_COOKIE)
    officer = session_officer(console_of(request).db, token) if token else None
    if officer is not None and token is not None and not officer.must_change_password:
        request.state.officer = officer
        request.state.csrf_secret = token  # the header's sign-out forms
    title_key, message_key = FRAMED_REFUSALS[status]
    return render(
        request, "refused.html", status=status, title_key=title_key, message_key=message_key
    )


def install_error_pages(app: FastAPI) -> None:
    """After ``refusals.install_error_handlers``: its JSON handlers stay the API's."""
    api_http = app.exception_handlers[HTTPException]
    api_invalid = app.exception_handlers[RequestValidationError]

    def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if is_api_path(request.url.path) or exc.status_code not in FRAMED_REFUSALS:
            return _answered(api_http(request, exc))
        page = refusal_page(request, exc.status_code)
        page.headers.update(exc.headers or {})  # a 405's Allow
        return page

    def invalid(request: Request, exc: Exception) -> Response:
        if is_api_path(request.url.path):
            return _answered(api_invalid(request, exc))
        return render(
            request,
            "refused.html",
            status=400,
            title_key="bad_input_title",
            message_key="bad_address",
        )

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)


def _answered(answer: object) -> Response:
    # refusals.py's handlers are plain functions: their answer is already the response.
    assert isinstance(answer, Response)
    return answer

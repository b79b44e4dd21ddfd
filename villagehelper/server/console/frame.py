"""What every console page needs: the signed-in officer, the scope check, the checked
form of a POST, the templates and the two ways a page refuses.

A page of another room is an ``APIRouter`` (``include_in_schema=False``) whose endpoints
take :data:`SignedIn`, or :data:`CommunePage` for a page under ``/xa/{code}/``, and
:data:`CheckedForm` for a POST; they answer with :func:`render`.

(No ``from __future__ import annotations``: FastAPI reads the dependencies' annotations
at run time.)
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select

from villagehelper.geography import commune_by_code
from villagehelper.server.console import audit
from villagehelper.server.console.officers import OfficerScope
from villagehelper.server.console.sessions import csrf_matches, csrf_token, session_officer
from villagehelper.server.console.words import (
    ENGLISH,
    VIETNAMESE,
    chosen_language,
    count_text,
    translate,
)
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import ServerCommune

SESSION_COOKIE = "vh_session"
# Before sign-in, a browser's own random secret: the sign-in form's CSRF token is
# derived from it, so another site cannot sign a browser in under its own account.
BROWSER_COOKIE = "vh_browser"
LANGUAGE_COOKIE = "vh_lang"
SIGN_IN_PATH = "/dang-nhap"
CHANGE_PASSWORD_PATH = "/doi-mat-khau"
SIGN_OUT_PATH = "/dang-xuat"
SIGN_OUT_EVERYWHERE_PATH = "/dang-xuat-moi-noi"
# What an officer with a one-time password may still do: change it, or leave.
STILL_ALLOWED = (CHANGE_PASSWORD_PATH, SIGN_OUT_PATH, SIGN_OUT_EVERYWHERE_PATH)
SIGN_IN_PURPOSE = "sign-in"


@dataclass(frozen=True)
class Console:
    """The console's share of the server, kept in ``app.state.console``."""

    db: ServerDB
    address_of: Callable[[Request], str]  # the address the throttles count (addresses.py)
    over_tls: Callable[[Request], bool]  # directly, or through a trusted TLS proxy
    templates: Environment


class ConsoleRedirectError(Exception):
    """Not signed in (or a password to change first): go there."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class ConsoleRefusalError(Exception):
    """A page saying why not, with its status (403: CSRF, another commune)."""

    def __init__(self, status: int, title_key: str, message_key: str) -> None:
        super().__init__(message_key)
        self.status = status
        self.title_key = title_key
        self.message_key = message_key


def new_templates() -> Environment:
    return Environment(
        loader=PackageLoader("villagehelper.server.console", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )


def console_of(request: Request) -> Console:
    found = request.app.state.console
    assert isinstance(found, Console)
    return found


def signed_in(request: Request) -> OfficerScope:
    """The officer whose session cookie came with the request; sent to the sign-in page
    without one, to the password change while the one-time password is still theirs."""
    token = request.cookies.get(SESSION_COOKIE)
    officer = session_officer(console_of(request).db, token) if token else None
    if officer is None or token is None:
        raise ConsoleRedirectError(SIGN_IN_PATH)
    request.state.csrf_secret = token
    request.state.officer = officer
    if officer.must_change_password and request.url.path not in STILL_ALLOWED:
        raise ConsoleRedirectError(CHANGE_PASSWORD_PATH)
    return officer


SignedIn = Annotated[OfficerScope, Depends(signed_in)]


def require_commune(request: Request, officer: OfficerScope, code: str) -> None:
    """403 unless the officer's commune is this one, or the commune is in their province."""
    if officer.may_see_commune(code):
        return
    console = console_of(request)
    audit.record(console.db, officer.name, "refused_commune", code, console.address_of(request))
    raise ConsoleRefusalError(403, "forbidden_title", "forbidden_commune")


def commune_officer(request: Request, code: str, officer: SignedIn) -> OfficerScope:
    """403 for a commune out of the officer's scope; 404 for a code that names no
    commune, neither on this server nor in the official list (a mistyped address)."""
    if commune_by_code(code) is None and not _served_here(console_of(request).db, code):
        raise ConsoleRefusalError(404, "not_found_title", "not_found")
    require_commune(request, officer, code)
    return officer


def _served_here(db: ServerDB, code: str) -> bool:
    with db.reading() as session:
        found = session.scalar(select(ServerCommune.code).where(ServerCommune.code == code))
    return found is not None


CommunePage = Annotated[OfficerScope, Depends(commune_officer)]


def require_admin(request: Request, officer: OfficerScope) -> None:
    """403 for a viewer: what changes something (a revoked laptop, a new village) is an
    administrator's."""
    if officer.is_admin:
        return
    console = console_of(request)
    audit.record(console.db, officer.name, "refused_viewer", "", console.address_of(request))
    raise ConsoleRefusalError(403, "forbidden_title", "forbidden_viewer")


async def _form_fields(request: Request) -> dict[str, str]:
    body = await request.body()
    fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return dict(fields)


async def checked_form(request: Request) -> dict[str, str]:
    """A signed-in form's fields, after its CSRF token was checked (403 page if not)."""
    fields = await _form_fields(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or not csrf_matches(token, fields.get("csrf", "")):
        raise ConsoleRefusalError(403, "csrf_title", "csrf")
    return fields


async def checked_sign_in_form(request: Request) -> dict[str, str]:
    fields = await _form_fields(request)
    secret = request.cookies.get(BROWSER_COOKIE, "")
    if not secret or not csrf_matches(secret, fields.get("csrf", ""), SIGN_IN_PURPOSE):
        raise ConsoleRefusalError(403, "csrf_title", "csrf")
    return fields


CheckedForm = Annotated[dict[str, str], Depends(checked_form)]
SignInForm = Annotated[dict[str, str], Depends(checked_sign_in_form)]


def language_of(request: Request) -> str:
    return chosen_language(request.cookies.get(LANGUAGE_COOKIE))


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A page in the browser's language, with the CSRF token its forms carry."""
    language = language_of(request)
    secret = getattr(request.state, "csrf_secret", None)
    purpose = "form"
    response_cookie: str | None = None
    if secret is None:
        # Not signed in: the browser's own secret, made on its first visit.
        secret = request.cookies.get(BROWSER_COOKIE)
        if not secret:
            secret = response_cookie = secrets.token_urlsafe(32)
        purpose = SIGN_IN_PURPOSE
    other = VIETNAMESE if language == ENGLISH else ENGLISH
    page = console_of(request).templates.get_template(template)
    html = page.render(
        t=lambda key: translate(language, key),
        language=language,
        # The other language, for a refusal's words said in both (refused.html).
        other_t=lambda key: translate(other, key),
        other_language=other,
        n=lambda number: count_text(language, number),
        csrf=csrf_token(secret, purpose),
        officer=getattr(request.state, "officer", None),
        path=request.url.path,
        **values,
    )
    response = HTMLResponse(html, status_code=status)
    if response_cookie is not None:
        set_cookie(request, response, BROWSER_COOKIE, response_cookie)
    return response


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    """HttpOnly, SameSite=Strict, Secure when the page came over TLS.

    Strict works for the sign-in redirect too: it is a same-site navigation.  A link to
    the console from another site (an e-mail) arrives without the cookie and shows the
    sign-in page, which is the point."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=console_of(request).over_tls(request),
        path="/",
    )


def install_console_errors(app: FastAPI) -> None:
    @app.exception_handler(ConsoleRedirectError)
    def redirect(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ConsoleRedirectError)
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(ConsoleRefusalError)
    def refusal(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ConsoleRefusalError)
        return render(
            request,
            "refused.html",
            status=exc.status,
            title_key=exc.title_key,
            message_key=exc.message_key,
        )

"""The console's own pages: sign in, change the password, sign out (here or everywhere),
the home page and the language switch; the count pages (overview, reports, province)
are mounted with them.  :func:`install_console` mounts them and every other room's router on
the server at ``/``.

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from collections.abc import Callable
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from villagehelper.errors import UserError
from villagehelper.geography import all_communes, commune_by_code
from villagehelper.server.console import audit, officers, sessions, throttle
from villagehelper.server.console.error_pages import install_error_pages
from villagehelper.server.console.frame import (
    CHANGE_PASSWORD_PATH,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_PATH,
    SIGN_OUT_EVERYWHERE_PATH,
    SIGN_OUT_PATH,
    CheckedForm,
    Console,
    SignedIn,
    SignInForm,
    console_of,
    install_console_errors,
    language_of,
    new_templates,
    render,
    set_cookie,
)
from villagehelper.server.console.headers import STATIC_PREFIX, ConsoleHeaders
from villagehelper.server.console.overview_page import router as overview_router
from villagehelper.server.console.province_page import router as province_router
from villagehelper.server.console.report_page import router as report_router
from villagehelper.server.console.words import ENGLISH, LANGUAGES, WORDS
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import ServerCommune
from villagehelper.text import clean_text

STATIC_FILES = {"console.css": "text/css; charset=utf-8"}
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
# The pages every server has: a commune's overview and reports, a province's communes.
COUNT_PAGES = (overview_router, report_router, province_router)

router = APIRouter(include_in_schema=False)


@router.get(SIGN_IN_PATH)
def sign_in_page(request: Request) -> Response:
    return render(request, "sign_in.html", name="", error=None)


@router.post(SIGN_IN_PATH)
def sign_in(request: Request, form: SignInForm) -> Response:
    console = console_of(request)
    name = clean_text(form.get("name", ""))[:80]
    password = form.get("password", "")
    address = console.address_of(request)
    if throttle.refused(console.db, name, address):
        audit.record(console.db, name, "sign_in_throttled", "", address)
        return render(request, "sign_in.html", status=429, name=name, error="throttled")
    officer = officers.check_password(console.db, name, password)
    if officer is None:
        throttle.note_failure(console.db, name, address)
        audit.record(console.db, name, "sign_in_failed", "", address)
        return render(request, "sign_in.html", status=401, name=name, error="wrong_password")
    throttle.forget_name(console.db, name)
    token = sessions.start_session(console.db, officer.officer_id)
    audit.record(console.db, officer.name, "sign_in", _scope_text(officer), address)
    target = CHANGE_PASSWORD_PATH if officer.must_change_password else "/"
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    if officer.language is not None:  # chosen on another PC: this one follows
        set_cookie(request, response, LANGUAGE_COOKIE, officer.language, LANGUAGE_COOKIE_SECONDS)
    return response


@router.get(CHANGE_PASSWORD_PATH)
def change_password_page(request: Request, officer: SignedIn) -> Response:
    return render(request, "change_password.html", error=None)


@router.post(CHANGE_PASSWORD_PATH)
def change_password(request: Request, officer: SignedIn, form: CheckedForm) -> Response:
    console = console_of(request)
    new = form.get("new_password", "")
    if new != form.get("repeat_password", ""):
        return _change_refused(request, *WORDS["passwords_differ"])
    try:
        officers.change_password(
            console.db, officer.officer_id, form.get("current_password", ""), new
        )
    except UserError as refusal:
        return _change_refused(request, refusal.message_vi, refusal.message_en)
    # A password changed because it leaked: every other browser signed in with it is out.
    sessions.end_all_sessions(console.db, officer.officer_id)
    token = sessions.start_session(console.db, officer.officer_id)
    audit.record(console.db, officer.name, "password_changed", "", console.address_of(request))
    response = RedirectResponse("/", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    return response


def _change_refused(request: Request, message_vi: str, message_en: str) -> Response:
    english = language_of(request) == ENGLISH
    error = message_en if english else message_vi
    return render(request, "change_password.html", status=400, error=error)


@router.post(SIGN_OUT_PATH)
def sign_out(request: Request, officer: SignedIn, form: CheckedForm) -> Response:
    console = console_of(request)
    sessions.end_session(console.db, request.cookies.get(SESSION_COOKIE, ""))
    audit.record(console.db, officer.name, "sign_out", "", console.address_of(request))
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post(SIGN_OUT_EVERYWHERE_PATH)
def sign_out_everywhere(request: Request, officer: SignedIn, form: CheckedForm) -> Response:
    console = console_of(request)
    ended = sessions.end_all_sessions(console.db, officer.officer_id)
    audit.record(
        console.db, officer.name, "sign_out_everywhere", f"{ended}", console.address_of(request)
    )
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, officer: SignedIn) -> Response:
    console = console_of(request)
    if officer.commune_code is not None:
        official = commune_by_code(officer.commune_code)
        place = official.name if official else officer.commune_code
        communes: list[tuple[str, str]] = [(officer.commune_code, place)]
    else:
        province = next(
            (c.province_name for c in all_communes() if c.province_code == officer.province_code),
            officer.province_code or "",
        )
        place = province
        communes = _communes_here(console.db, officer.province_code or "")
    return render(request, "home.html", place=place, communes=communes)


def _communes_here(db: ServerDB, province_code: str) -> list[tuple[str, str]]:
    """The communes of the province that this server serves."""
    with db.reading() as session:
        here = session.execute(select(ServerCommune.code, ServerCommune.name)).all()
    return [
        (code, name)
        for code, name in sorted(here)
        if (official := commune_by_code(code)) and official.province_code == province_code
    ]


@router.get("/ngon-ngu/{language}")
def switch_language(
    request: Request,
    language: str,
    back: Annotated[str, Query(alias="tiep", max_length=200)] = "/",
) -> Response:
    # Only a path of this site: never a redirect to another one ("//evil.example").
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if language in LANGUAGES:
        set_cookie(request, response, LANGUAGE_COOKIE, language, LANGUAGE_COOKIE_SECONDS)
        console = console_of(request)
        token = request.cookies.get(SESSION_COOKIE)
        officer = sessions.session_officer(console.db, token) if token else None
        if officer is not None:  # kept as the officer's own choice too
            officers.set_language(console.db, officer.officer_id, language)
    return response


@router.get(STATIC_PREFIX + "{name}")
def static_file(name: str) -> Response:
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        return Response(status_code=404)
    folder = resources.files("villagehelper.server.console") / "static"
    return Response((folder / name).read_bytes(), media_type=media_type)


def _scope_text(officer: officers.OfficerScope) -> str:
    if officer.commune_code is not None:
        return f"commune {officer.commune_code}"
    return f"province {officer.province_code}"


def install_console(
    app: FastAPI,
    db: ServerDB,
    address_of: Callable[[Request], str],
    over_tls: Callable[[Request], bool],
    routers: tuple[APIRouter, ...] = (),
) -> None:
    """Mount the console at ``/``: its pages, the other rooms' ``routers``, its error
    pages and its security headers."""
    app.state.console = Console(db, address_of, over_tls, new_templates())
    app.include_router(router)
    for extra in (*COUNT_PAGES, *routers):
        app.include_router(extra)
    install_console_errors(app)
    install_error_pages(app)  # 404 and unreadable addresses: pages, /v1 keeps its JSON
    described = (app.docs_url, app.redoc_url, app.openapi_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(ConsoleHeaders, api_pages=frozenset(page for page in described if page))

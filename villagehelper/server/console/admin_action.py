"""One administrator's write on a commune's page (villages and team, campaigns): who
may do it, the refusal shown on the page itself, the audit line, and the way back; and
such a page, with the refusal's words over its forms.

(No ``from __future__ import annotations``: kept like the pages that use it.)
"""

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from villagehelper.errors import UserError
from villagehelper.server.console import audit
from villagehelper.server.console.frame import console_of, render, require_admin
from villagehelper.server.console.laptops import commune_place, rows_allowed
from villagehelper.server.console.officers import OfficerScope


def admin_action(
    request: Request,
    officer: OfficerScope,
    action: str,
    write: Callable[[], str],
    *,
    back: str,
    refused: Callable[[UserError], Response],
) -> Response:
    """Do ``write`` as the commune's administrator (a viewer and a province officer are
    refused with 403); a :class:`UserError` answers ``refused``'s page with nothing
    written; done, the row id ``write`` returns goes to the console's audit log and the
    browser back to ``back``."""
    rows_allowed(officer)
    require_admin(request, officer)
    console = console_of(request)
    try:
        row_id = write()
    except UserError as refusal:
        return refused(refusal)
    audit.record(console.db, officer.name, action, row_id, console.address_of(request))
    return RedirectResponse(back, status_code=303)


def commune_form_page(
    request: Request, template: str, code: str, error: UserError | None, **values: Any
) -> Response:
    """A commune's page with forms: 400 with ``error``'s words when a write was refused."""
    return render(
        request,
        template,
        status=400 if error else 200,
        code=code,
        place=commune_place(code),
        error=error,
        **values,
    )

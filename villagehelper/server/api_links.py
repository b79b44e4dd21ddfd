"""How one answer of the sync API leads to the next call: OpenAPI *links*.

A laptop's round is a chain, not loose calls: it pushes its outbox, stating its download
cursor, then downloads the feed from that cursor page after page, and its next round
pushes stating the cursor it reached (with nothing waiting, an empty batch); a leader's
laptop asks for the week's tally.  A push whose reply was lost is sent again and must
not double anything.  The schema (``/openapi.json``) says so, so that a tool reading it
(the stateful phase of schemathesis, in tests/test_server_schema.py) walks the API as
laptops do, with the values one answer hands the next call.

Targets are named by their path (``operationRef``), not by the ids the framework makes up
from the functions' names.
"""

from __future__ import annotations

from typing import Any

_CHANGES = "#/paths/~1v1~1changes/get"
_PUSH = "#/paths/~1v1~1push/post"
_TALLY = "#/paths/~1v1~1tally~1week/get"


def _ok(links: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"links": links}}


def _link(target: str, why: str, **given: Any) -> dict[str, Any]:
    """A link to ``target``; ``given``: its ``parameters`` or its ``requestBody``."""
    key = {"parameters": "parameters", "body": "requestBody"}
    return {"operationRef": target, "description": why} | {key[k]: v for k, v in given.items()}


PUSH = _ok(
    {
        "DownloadFromTheCursor": _link(
            _CHANGES,
            "after its push, the laptop downloads from the cursor it stated",
            parameters={"since": "$request.body#/cursor"},
        ),
        "SentAgainAfterALostReply": _link(
            _PUSH, "the same batch sent again: nothing doubled", body="$request.body"
        ),
        "TallyOfTheWeek": _link(
            _TALLY,
            "a leader's laptop asks for this week's tally once synced",
            parameters={"week": "this"},
        ),
    }
)

CHANGES = _ok(
    {
        "NextPage": _link(
            _CHANGES,
            "the next page of the feed, while `more` is true",
            parameters={"since": "$response.body#/cursor"},
        ),
        "NextRoundPush": _link(
            _PUSH,
            "the laptop's next round pushes, stating the cursor it reached",
            body={"cursor": "$response.body#/cursor"},
        ),
        "NextRoundNothingWaiting": _link(
            _PUSH,
            "the next round of a laptop with nothing waiting to go up",
            body={"cursor": "$response.body#/cursor", "changes": []},
        ),
    }
)

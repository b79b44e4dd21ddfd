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


PUSH = _ok(
    {
        "DownloadFromTheCursor": {
            "operationRef": _CHANGES,
            "parameters": {"since": "$request.body#/cursor"},
            "description": "after its push, the laptop downloads from the cursor it stated",
        },
        "SentAgainAfterALostReply": {
            "operationRef": _PUSH,
            "requestBody": "$request.body",
            "description": "the same batch sent again: nothing doubled",
        },
        "TallyOfTheWeek": {
            "operationRef": _TALLY,
            "parameters": {"week": "this"},
            "description": "a leader's laptop asks for this week's tally once synced",
        },
    }
)

CHANGES = _ok(
    {
        "NextPage": {
            "operationRef": _CHANGES,
            "parameters": {"since": "$response.body#/cursor"},
            "description": "the next page of the feed, while `more` is true",
        },
        "NextRoundPush": {
            "operationRef": _PUSH,
            "requestBody": {"cursor": "$response.body#/cursor"},
            "description": "the laptop's next round pushes, stating the cursor it reached",
        },
        "NextRoundNothingWaiting": {
            "operationRef": _PUSH,
            "requestBody": {"cursor": "$response.body#/cursor", "changes": []},
            "description": "the next round of a laptop with nothing waiting to go up",
        },
    }
)

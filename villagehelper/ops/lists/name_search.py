"""The households a name typed in a list's search box matches (the search index).

Filters that concern the household become ``household_id IN (…)`` conditions on the
rows themselves: a count then touches one table instead of the six a session row joins,
which is what keeps the first paint of the sessions list fast at district scale.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, String, Subquery, column, select, text

from villagehelper.store.search_index import MIN_TRIGRAM, query_tokens

# The search index document starts with the head's search key, followed by " | " and
# the other parts (see search_index.household_search_text): the head's part is the text
# before the first separator.
_HEAD_PART = "substr(s.search_text, 1, instr(s.search_text || ' | ', ' | ') - 1)"


def matching_households(query: str, *, head_only: bool) -> Subquery | None:
    """Ids of live households matching ``query`` as ``find_households`` matches it
    (any part of the head's or a member's name, phone, village, address; ignoring case
    and diacritics), or, with ``head_only``, the head's name alone.  ``None`` when the
    query has nothing to search for.

    Unlike ``find_households`` there is no limit: a list shows every match, paged.
    Tokens of three or more characters are substrings (the trigram index narrows them),
    shorter ones must start a word, as in the search box.
    """
    tokens = query_tokens(query)
    if not tokens:
        return None
    conditions: list[str] = []
    params: dict[str, str] = {}
    long_tokens = [token for token in tokens if len(token) >= MIN_TRIGRAM]
    if long_tokens:
        params["hq_match"] = " ".join('"' + t.replace('"', '""') + '"' for t in long_tokens)
        conditions.append("s.search_text MATCH :hq_match")
    where = _HEAD_PART if head_only else "s.search_text"
    for index, token in enumerate(tokens):
        name = f"hq_token{index}"
        if len(token) < MIN_TRIGRAM:
            params[name] = " " + token
            conditions.append(f"instr(' ' || {where}, :{name}) > 0")
        elif head_only:
            params[name] = token
            conditions.append(f"instr({where}, :{name}) > 0")
    sql = (
        "SELECT m.household_id AS household_id FROM household_search s "
        "JOIN household_search_ids m ON m.rowid = s.rowid WHERE " + " AND ".join(conditions)
    )
    statement = text(sql).bindparams(**params).columns(column("household_id", String))
    return statement.subquery("matched_households")


def in_households(
    household_column: SQLColumnExpression[str], subquery: Subquery
) -> ColumnElement[bool]:
    return household_column.in_(select(subquery.c.household_id))

"""How much each agreement between a list's row and a known person says, and in words.

The matcher weighs a candidate the way record linkage does (Fellegi and Sunter): for each
field, how likely the row's value is if the row *is* that person, against how likely it
is if the row is somebody the laptop does not hold, whose name, year and village are
drawn like the commune's own.  A name shared by a hundred people of the commune says
little; a phone number says nearly everything.  The figures below are the rates of each
kind of slip in a list (a year off by one, an initial, the household's phone) — rough,
on purpose on the cautious side: a link made wrongly costs more than a question asked.
"""

from __future__ import annotations

from villagehelper.campaigns.name_forms import NameAgreement

# How likely a list writes a person's name in each of these forms.
NAME_FORM_ODDS: dict[NameAgreement | None, float] = {
    NameAgreement.EXACT: 0.9,
    NameAgreement.INITIALS: 0.06,
    NameAgreement.SHORTER: 0.03,
    NameAgreement.MARKS_DIFFER: 0.001,
    # A name beyond every tolerated form, for a person found by phone only: the chance
    # that a clerk garbled it into exactly this spelling.
    None: 1e-6,
}
NAME_REASONS: dict[NameAgreement | None, str] = {
    NameAgreement.EXACT: "trùng họ tên",
    NameAgreement.INITIALS: "tên viết tắt",
    NameAgreement.SHORTER: "thiếu tên đệm",
    NameAgreement.MARKS_DIFFER: "họ tên khác dấu",
    None: "họ tên khác",
}

# The birth year a list gives: the person's own, off by one (lunar-year habits, a
# clerk's slip), or further off.
SAME_YEAR = 0.9
YEAR_OFF_BY_ONE = 0.04  # each side
YEAR_FURTHER_OFF = 0.0005  # each other year

# The village a list gives: the person's own, or another one (moved, or a slip).
SAME_VILLAGE = 0.97
OTHER_VILLAGE = 0.03

# A phone number a list gives: the person's own (or their household's, when they have
# none of their own), another member's of the household, or another one (changed since,
# a neighbour's).  Against a phone number drawn at random from the country's, an equal
# number is a near-certain sign, a relative's nearly as much.
SAME_PHONE = 0.7
RELATIVES_PHONE = 0.1
OTHER_PHONE = 0.2
PHONE_SPACE = 10_000_000.0

# A person on the list is one the teams hold more often than not; the rest are people
# no household list has yet.
IN_DATA = 0.8


def year_ratio(listed: int | None, known: int | None, listed_share: float) -> tuple[float, str]:
    """Likelihood ratio of the listed year and its words; ``listed_share`` is the share of
    the commune's people born in the listed year (how often a stranger has it)."""
    if listed is None or known is None:
        return 1.0, "chưa rõ năm sinh"
    gap = abs(listed - known)
    if gap == 0:
        return SAME_YEAR / listed_share, "cùng năm sinh"
    if gap == 1:
        return YEAR_OFF_BY_ONE / listed_share, "năm sinh lệch 1 năm"
    return YEAR_FURTHER_OFF / listed_share, f"năm sinh lệch {gap} năm"


def village_ratio(
    listed: str | None, known: str, listed_share: float, known_share: float
) -> tuple[float, str]:
    """Likelihood ratio of the listed village (None: the list names none the commune
    has) against the person's own."""
    if listed is None:
        return 1.0, ""
    if listed == known:
        return SAME_VILLAGE / listed_share, "cùng thôn"
    # The other village is drawn in proportion to its people, as a stranger's is.
    return OTHER_VILLAGE / max(1.0 - known_share, OTHER_VILLAGE), "khác thôn"


def phone_ratio(listed: str | None, known: str | None, in_household: bool) -> tuple[float, str]:
    """Likelihood ratio of the listed phone; ``in_household``: it is the number of another
    member of the person's household."""
    if listed is None:
        return 1.0, ""
    if listed == known:
        return SAME_PHONE * PHONE_SPACE, "số điện thoại trùng"
    if in_household:
        return RELATIVES_PHONE * PHONE_SPACE, "số điện thoại của người nhà"
    if known is None:
        return 1.0, ""
    return OTHER_PHONE, "số điện thoại khác"

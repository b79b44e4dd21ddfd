"""Text written into a spreadsheet cell is shown as typed, never run as a formula.

The laptop's imports and exports (``villagehelper.transfer``), its printed reports' CSV
and the commune server's tally CSV all write cells that a leader opens in Excel or
LibreOffice; a name typed as ``=HYPERLINK(…)`` must stay a name there.
"""

from __future__ import annotations

from villagehelper.text import without_bidi_controls

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    """Text that a spreadsheet shows as typed instead of running it as a formula.

    A value that already starts with an apostrophe gets one too, so that reading strips
    exactly one and gives the original back.  Characters that would reorder the text on
    screen (a right-to-left override in a name) are left out: the cell reads as stored.
    """
    text = without_bidi_controls(text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def restore(text: str) -> str:
    return text[1:] if text.startswith("'") else text

"""The report font, parsed once per process and lent to every document.

fpdf2's ``add_font`` reads and parses a TrueType file each time (its character widths
and glyph ids: some 55 ms per style on a 2-core PC), and a report makes several
documents (one to measure, one per layout tried) of three styles each; fpdf2 also
deep-copies every font's width and glyph tables whenever it lays out a block on trial
(``offset_rendering``).  Here each style is parsed once, under a lock; a document gets
its own font object that *shares* the parsed, read-only tables (widths, glyph ids, the
character map, the descriptor) and owns what a document changes: the subset of glyphs
it used, the list of missing ones and its own fontTools object (fpdf2 subsets that in
place when it writes the file), re-opened lazily from the file's bytes in memory.

The bytes a document's fontTools object opens are the file less the tables fpdf2
drops from every subset it embeds (OpenType layout: GSUB, GPOS, GDEF; FontForge's
timestamp; the legacy kern table, dropped for the GPOS the file has): fontTools would
otherwise decompile the layout tables at each subsetting only to drop them (a quarter of
the time of writing a report).  The embedded subsets are byte for byte the same.  The
shipped files keep those tables: the laptop's Qt uses them.

A document's fontTools objects are a web of reference cycles (a character map's
subtables point back at their font): left to the garbage collector, each report left
some 3,800 objects that lived long enough to reach its oldest generation, and the full
collections they brought on held a report request up by 250–300 ms on a 2-core PC.  So
a report releases its documents' fonts once its file is written, and the scratch
document's font is emptied once parsed (``release_report_fonts``, ``_parsed``).

The widths table is a ``defaultdict``: reading an unknown character stores the font's
default width — the same value from any thread, so sharing it is safe.
"""

from __future__ import annotations

import copy
import io
import threading
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from villagehelper.report_font import BOLD_FONT, ITALIC_FONT, REGULAR_FONT

STYLES = (("", REGULAR_FONT), ("B", BOLD_FONT), ("I", ITALIC_FONT))
# Tables of the report font that fpdf2's output drops from every embedded subset; and
# "kern", which fontTools' subsetter drops from a font that has GPOS (not legacy_kern).
NEVER_EMBEDDED = ("FFTM", "GDEF", "GPOS", "GSUB", "kern")


class _SharedWidths(defaultdict[int, float]):
    """A font's character widths, the same for every document: copying it is sharing it."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedWidths:
        return self


class _SharedIds(dict[int, int]):
    """A font's glyph id per character, read-only once parsed: shared, never copied."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedIds:
        return self


_PARSED: dict[tuple[str, str], tuple[TTFFont, bytes]] = {}
_PARSING = threading.Lock()


def _parsed(family: str, style: str, path: Path) -> tuple[TTFFont, bytes]:
    """The style parsed by fpdf2 itself (in a scratch document), and the file's bytes."""
    key = (family, style)
    with _PARSING:
        found = _PARSED.get(key)
        if found is None:
            scratch = FPDF()
            scratch.add_font(family, style, str(path))
            font = scratch.fonts[f"{family.lower()}{style}"]
            assert isinstance(font, TTFFont)
            widths = _SharedWidths(font.cw.default_factory)  # type: ignore[attr-defined]
            widths.update(font.cw)
            font.cw = widths
            font.glyph_ids = _SharedIds(font.glyph_ids)
            _empty(font.ttfont)  # each document opens its own (add_report_fonts)
            found = _PARSED[key] = (font, _without_unembedded_tables(path))
        return found


def _empty(font: ttLib.TTFont) -> None:
    """Drop a fontTools font's tables, and with them its reference cycles, at once."""
    font.tables.clear()
    font.close()


def _without_unembedded_tables(path: Path) -> bytes:
    """The font file's bytes less the tables fpdf2 never embeds (the others copied as
    they are: a lazily opened font writes back the tables it did not decompile)."""
    font = ttLib.TTFont(str(path), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    for tag in NEVER_EMBEDDED:
        if tag in font:
            del font[tag]
    written = io.BytesIO()
    font.save(written)
    return written.getvalue()


def parse_report_fonts(family: str) -> None:
    """Parse the three styles under ``family`` now (a server's start), not at the first
    report."""
    for style, path in STYLES:
        _parsed(family, style, path)


def add_report_fonts(pdf: FPDF, family: str) -> None:
    """Register the report font's three styles in ``pdf`` under ``family``, as
    ``pdf.add_font`` would, without parsing the files again."""
    for style, path in STYLES:
        parsed, data = _parsed(family, style, path)
        font = copy.deepcopy(parsed)  # fpdf2's own copy: shares the parsed tables
        font.i = len(pdf.fonts) + 1
        font.missing_glyphs = []
        # fpdf2 subsets this object in place when it writes the file: one per document.
        font.ttfont = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
        font.subset = SubsetMap(font)
        pdf.fonts[font.fontkey] = font


def release_report_fonts(documents: list[FPDF]) -> None:
    """Empty the fontTools objects of documents made with ``add_report_fonts`` that
    are done with (their file written, or a layout not chosen)."""
    for pdf in documents:
        for font in pdf.fonts.values():
            if isinstance(font, TTFFont):
                _empty(font.ttfont)
                del font.subset  # it and its font refer to each other
        pdf.fonts.clear()


def release_rehearsed_fonts(pdf: FPDF, rehearsed: Sequence[object]) -> None:
    """After fpdf2's rehearsal (``offset_rendering``) the document writes with copies of
    its fonts; the ones the rehearsal wrote with, ``rehearsed``, are let go here (each
    is tied to its glyph map both ways).  Their fontTools object is the copies' too."""
    kept = {id(font) for font in pdf.fonts.values()}
    for font in rehearsed:
        if isinstance(font, TTFFont) and id(font) not in kept:
            del font.subset

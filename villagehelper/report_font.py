"""The report font's files, shipped inside the package, read by both programs.

"VillageHelper Serif" is Liberation Serif 2.1.5 (SIL OFL 1.1, Times New Roman's metrics,
every Vietnamese letter) under a name of its own (``reports/fonts.py`` says why).  The
laptop's printout registers these files with Qt; the commune server embeds them in its
PDF with fpdf2.  Nothing is fetched at run time.
"""

from __future__ import annotations

from villagehelper.shipped import shipped_folder

FONTS_DIR = shipped_folder("villagehelper", "resources", "fonts")
# Regular for the body, bold for headings and totals, italic for the place-and-date line
# and the notes: the only styles a report uses.
REGULAR_FONT = FONTS_DIR / "VillageHelperSerif-Regular.ttf"
BOLD_FONT = FONTS_DIR / "VillageHelperSerif-Bold.ttf"
ITALIC_FONT = FONTS_DIR / "VillageHelperSerif-Italic.ttf"
REPORT_FONT_FILES = (REGULAR_FONT, BOLD_FONT, ITALIC_FONT)

"""Import and export of households and help sessions as CSV or XLSX (by extension).

Core code: no Qt here, so the command line, the GUI (through its worker) and tests all
call the same four functions.  Exports of personal data are deliberate acts: callers
log them.
"""

from villagehelper.transfer.households import export_households, import_households
from villagehelper.transfer.report import ImportRejected, ImportReport, Progress, RowProblem
from villagehelper.transfer.sessions import export_sessions, import_sessions

__all__ = [
    "ImportRejected",
    "ImportReport",
    "Progress",
    "RowProblem",
    "export_households",
    "export_sessions",
    "import_households",
    "import_sessions",
]

"""Import and export of households and help sessions as CSV or XLSX (by extension).

Core code: no Qt here, so the command line, the GUI (through its worker) and tests all
call the same four functions.  Exports of personal data are deliberate acts: callers
log them.
"""

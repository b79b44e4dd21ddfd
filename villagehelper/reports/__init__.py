"""Reports: the printed weekly tally (Qt: weekly, typesetting, official_form,
counts_table, columns, keep_together, fonts) and its spreadsheet exports (no Qt:
spreadsheet, saving, titles).

Import each name from the module that defines it; the spreadsheet modules never load Qt,
so the command line can export without it.
"""

"""The commune's report (Decree 30/2020 layout) for a week, a month or a quarter, as PDF
and XLSX, made on the server without Qt: ``figures`` (the laptops' tally engine on the
commune's replica), ``table`` (villages or services as rows), ``pdf`` (fpdf2, the report
font the laptops bundle), ``xlsx`` (openpyxl, styled like the laptops' export).

Import each name from the module that defines it.
"""

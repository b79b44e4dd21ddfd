"""Weekly / monthly tallies (báo cáo tuần): periods and the counting engine, no Qt.

Import each name from the module that defines it: ``tally.periods`` (the one
:class:`Period` of the app), ``tally.engine`` (:func:`compute_tally`), ``tally.history``
(the chart), ``tally.summaries`` (the summary tables' upkeep and reads), ``tally.overview``
(everything the tally screen shows).
"""

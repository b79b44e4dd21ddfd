"""The figures the commune web console shows (issue 18, items 2 and 6), without HTTP or Qt.

* :mod:`.spans`: the periods a page offers (this week, last week, this month, this
  quarter, year to date), in Vietnam days.
* :mod:`.overview`: one commune's overview for a period, counted by the laptops' own
  tally engine on the server's replica of the commune (``server/replicas.py``).
* :mod:`.laptops`: which villages' laptops have not synced for more than seven days.
* :mod:`.province`: the communes of a province on this server, their totals and which
  have stale laptops.

Everything returned is counts, village names, service labels and dates: never a
resident's name, phone or birth year, nor a team member's or a laptop's name, so a
viewer account may be shown all of it.
"""

"""Code the migrations own, frozen as it was the day its revision shipped.

A revision must do the same thing on every laptop, however late that laptop upgrades,
so it never calls live code (the search index, the tally summaries, the models), which
may change after it shipped.  What a revision needs beyond its own file lives here, in a
module named for the revision that froze it (``v0003_summaries``: the summary fill as
revision 0003 shipped it).  Only migrations import these modules; a change here is a
change of history, made only to fix a revision that was wrong.  A test
(``tests/test_migrations_imports.py``) holds both rules.
"""

"""Queries behind the list screens (sessions, households, follow-ups), no Qt.

Lists are read a block at a time (a screen shows a few dozen rows of 100,000), so every
list takes a limit and an offset, counts cheaply, and sorts in SQL with a total order
(ties broken by id) so that the blocks of one list never overlap or leave gaps.  Import
each name from the module that defines it.
"""

"""Campaigns: a commune's target list of residents, matched to the households the teams
keep, and its progress village by village (issue 20).

Qt-free and usable by the commune server: the list is read here (``target_rows``), its
rows matched to the known people (``people``, ``matching``), then stored and counted by
the modules beside them.  Nothing here keeps a full citizen ID number.
"""

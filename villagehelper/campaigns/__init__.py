"""Campaigns (chiến dịch): a commune's target list of residents, matched to the households
the teams keep, and the progress of reaching them, village by village (issue 20).

Qt-free core, usable by the commune server: the list is read here (``target_rows``), its
rows matched to the known people (``people``, ``matching``), stored as a leader's synced
rows (``store_ops``) and counted from the logged sessions (``progress``, ``visit_hint``).
Nothing here keeps a full citizen ID number.
"""

"""The laptop's backups: copies of the data file made, checked and listed
(:mod:`.copies`) and which ones to keep as days pass (:mod:`.rotation`).  Restoring one
is an operation of its own (``villagehelper.ops.restore``): it must also carry what sync
knows and what was not yet sent.
"""

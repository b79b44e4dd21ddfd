"""VillageHelper: the logbook of Vietnam's community digital technology teams.

This package is the core: no Qt here (``villagehelper.ui`` is the GUI layer).
"""

__version__ = "0.1.0"

"""``villagehelper-server``, the commune server's command line: one module per area
(``commands`` parses and dispatches, ``serve``, ``quarantine``, ``waiting``)."""

"""The laptop's command line: ``villagehelper`` (the app by default, the core operations by name).

One module per area; each adds its sub-commands to the parser (``add_commands``) and
names the function that runs each of them (``COMMANDS``):

- :mod:`~villagehelper.cli.dispatch` — ``main``: parse, take the data folder's turn, run
  the command, tell what went wrong (the console script's entry point);
- :mod:`~villagehelper.cli.parser` — the parser every area adds to (``--data-dir`` on all);
- :mod:`~villagehelper.cli.telling` — errors in plain Vietnamese then English, exit codes;
- :mod:`~villagehelper.cli.gui` — no command: the app's window;
- :mod:`~villagehelper.cli.data` — ``demo``, ``import``, ``export``;
- :mod:`~villagehelper.cli.log_visit` — ``log-visit`` (the log-a-visit screen's save),
  ``services``; :mod:`~villagehelper.cli.visit_household` and
  :mod:`~villagehelper.cli.visit_options` read its household and ``--service`` options;
- :mod:`~villagehelper.cli.backup` — ``backup``, ``restore``;
- :mod:`~villagehelper.cli.tally` — ``tally``, the weekly report;
- :mod:`~villagehelper.cli.sync` — ``enroll``, ``sync``;
- :mod:`~villagehelper.cli.privacy` — ``consent``, ``what-we-hold``, ``erase``, ``purge``;
- :mod:`~villagehelper.cli.implausible`, :mod:`~villagehelper.cli.faulty`,
  :mod:`~villagehelper.cli.set_aside` — rows the commune server held back or refused;
- :mod:`~villagehelper.cli.opening`, :mod:`~villagehelper.cli.acting_member` — opening the
  store with a PIN's key, and who acts (a leader's commands);
- :mod:`~villagehelper.cli.clock_notice` — the clock warning on stderr.

Modules load the database layer only inside a command, so that ``--help`` stays quick.
The commune server's command line is the server's own (``villagehelper-server``).
"""

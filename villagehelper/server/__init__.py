"""The commune server: FastAPI app, its tables, accounts, push and pull, and its command
line (``cli/``).

Installed on its own (``pip install villagehelper[server]``, no Qt, no SQLCipher): it
imports what it shares with the laptops from ``villagehelper.exchange`` and the store,
never laptop-only code (docs/laptop-and-server.md, tests/test_server_standalone.py).
"""

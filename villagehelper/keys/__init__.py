"""The laptop's data key and the team members' PINs that guard it.

The store on a shared laptop is encrypted with one random data key, kept in a small file
beside the database (``keyring.json``), plain until the first PIN is set and wrapped by
each member's PIN from then on.  One module per concern:

- :mod:`~villagehelper.keys.key_file` — :class:`Keyring`, the key file of one data folder:
  made, read, unlocked with a PIN, PINs set and removed (what the app and commands use);
- :mod:`~villagehelper.keys.pin_rules` — which PINs a member may choose;
- :mod:`~villagehelper.keys.wrapping` — scrypt and HMAC: wrapping the data key under a PIN;
- :mod:`~villagehelper.keys.lockout` — the wait after too many wrong PINs;
- :mod:`~villagehelper.keys.on_disk` — the file's format and its atomic writes;
- :mod:`~villagehelper.keys.command_unlock` — a PIN for a command-line command (prompt or
  environment).

Nothing here imports the database or Qt: the lock screen reads the key file before the
store can be opened.
"""

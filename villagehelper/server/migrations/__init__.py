"""The commune server's Alembic migrations (its own, apart from the laptop's
``villagehelper/migrations``): ``env.py``, ``versions/``, run by
``villagehelper.server.schema_upgrade`` each time the server opens its database.

A change to a table in ``server/tables.py`` needs a new revision here, written out
with ``op.*`` calls and frozen (never the live models or code that can change later);
``tests/test_server_migrations.py`` fails until the migrations make what the models declare.
"""

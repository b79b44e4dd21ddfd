"""The server's revisions, oldest first: 0001 is the schema as it came under Alembic."""

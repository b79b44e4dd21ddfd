"""Household search index: FTS5 trigram table over diacritic-free search keys.

A trigram index answers "any part of a name" (substring) queries without scanning every
household, which keeps per-keystroke search fast at district scale (30k–300k rows).
FTS5 can only look rows up by rowid, so ``household_search_ids`` gives each household a
stable integer (an INTEGER PRIMARY KEY survives VACUUM, a plain rowid does not).

The index is filled by the frozen copy of that day's code (``frozen.v0002_search_index``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

from villagehelper.migrations.frozen import v0002_search_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE TABLE household_search_ids ("
        "rowid INTEGER PRIMARY KEY, household_id VARCHAR(36) NOT NULL UNIQUE)"
    )
    op.execute("CREATE VIRTUAL TABLE household_search USING fts5(search_text, tokenize='trigram')")
    v0002_search_index.rebuild_all(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")

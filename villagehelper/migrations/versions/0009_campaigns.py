"""Campaigns: a commune's target list of residents to reach with a service by a deadline.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Two new tables, synced like the others (a leader's laptop or the console writes them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _sync_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("sync_state", sa.String(8), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.String(27), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(5), sa.ForeignKey("communes.code"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("service_codes", sa.String(400), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", sa.String(27), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        *_sync_columns(),
    )
    op.create_table(
        "campaign_targets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("village_id", sa.String(36), sa.ForeignKey("villages.id"), nullable=True),
        sa.Column("full_name", sa.String(120), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(11), nullable=True),
        sa.Column("id_last_digits", sa.String(4), nullable=True),
        sa.Column("member_id", sa.String(36), sa.ForeignKey("members.id"), nullable=True),
        sa.Column("household_id", sa.String(36), sa.ForeignKey("households.id"), nullable=True),
        sa.Column("match_state", sa.String(10), nullable=False),
        sa.Column("erased_at", sa.String(27), nullable=True),
        sa.Column("erased_by", sa.String(36), nullable=True),
        *_sync_columns(),
        sa.CheckConstraint(
            "match_state IN ('linked', 'doubtful', 'unmatched', 'added')",
            name="target_match_state_known",
        ),
        sa.CheckConstraint(
            "id_last_digits IS NULL OR length(id_last_digits) <= 4", name="target_id_digits_short"
        ),
    )
    op.create_index("ix_campaign_targets_campaign_id", "campaign_targets", ["campaign_id"])
    op.create_index("ix_campaign_targets_member_id", "campaign_targets", ["member_id"])


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")

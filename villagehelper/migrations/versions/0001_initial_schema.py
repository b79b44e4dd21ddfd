"""Initial schema: commune, villages, team, catalog, households, members, sessions, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The catalog as first shipped (code, Vietnamese label, English label, basic skill),
# written out: later catalog changes travel through sync as data, never through here.
_SEED_CATALOG: tuple[tuple[str, str, str, bool], ...] = (
    (
        "VNEID_L1",
        "Cài đặt VNeID, tài khoản định danh điện tử mức 1",
        "Install VNeID, level-1 e-ID account",
        True,
    ),
    (
        "VNEID_L2",
        "Kích hoạt tài khoản định danh điện tử mức 2",
        "Activate level-2 e-ID account",
        False,
    ),
    (
        "DVC_ACCOUNT",
        "Đăng ký tài khoản Cổng Dịch vụ công quốc gia",
        "Register on the National Public Service Portal",
        True,
    ),
    (
        "DVC_DOSSIER",
        "Hướng dẫn nộp hồ sơ dịch vụ công trực tuyến",
        "Guide an online public-service application",
        False,
    ),
    (
        "PROVINCE_APP",
        "Cài đặt ứng dụng công dân số của tỉnh",
        "Install the province's citizen app",
        False,
    ),
    (
        "EHEALTH",
        "Sổ sức khỏe điện tử / thẻ BHYT trên VNeID",
        "E-health record / health-insurance card on VNeID",
        False,
    ),
    (
        "VSSID",
        "Cài đặt, sử dụng VssID (bảo hiểm xã hội)",
        "Install and use VssID (social insurance)",
        False,
    ),
    ("BANK_ACCOUNT", "Mở tài khoản ngân hàng / ví điện tử", "Open a bank account / e-wallet", True),
    (
        "CASHLESS_WELFARE",
        "Nhận an sinh xã hội, lương hưu không dùng tiền mặt",
        "Receive welfare and pensions without cash",
        False,
    ),
    (
        "ECOMMERCE_OCOP",
        "Đưa sản phẩm OCOP lên sàn TMĐT (Postmart, Voso)",
        "Put OCOP products on e-commerce (Postmart, Voso)",
        True,
    ),
    ("DIGITAL_SIGNATURE", "Chữ ký số cá nhân", "Personal digital signature", False),
    (
        "ONLINE_SAFETY",
        "Phòng chống lừa đảo, bảo vệ thông tin cá nhân",
        "Avoiding scams, protecting personal data",
        True,
    ),
    ("DIGITAL_SKILLS", "Kỹ năng số cơ bản / Bình dân học vụ số", "Basic digital skills", False),
    ("OTHER", "Khác", "Other", False),
)


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
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "communes",
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("province_name", sa.String(120), nullable=False),
        sa.CheckConstraint("length(code) = 5", name="commune_code_5_digits"),
    )
    op.create_table(
        "villages",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(5), sa.ForeignKey("communes.code"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_sync_columns(),
    )
    op.create_index("ix_villages_name_key", "villages", ["name_key"])
    op.create_table(
        "team_members",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(5), sa.ForeignKey("communes.code"), nullable=False),
        sa.Column("village_id", sa.String(36), sa.ForeignKey("villages.id"), nullable=True),
        sa.Column("full_name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_sync_columns(),
    )
    services = op.create_table(
        "services",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("label_vi", sa.String(200), nullable=False),
        sa.Column("label_en", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("basic_skill", sa.Boolean(), nullable=False),
        *_sync_columns(),
    )
    op.create_table(
        "households",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("village_id", sa.String(36), sa.ForeignKey("villages.id"), nullable=False),
        sa.Column("head_name", sa.String(120), nullable=False),
        sa.Column("address_detail", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(11), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("merged_into", sa.String(36), nullable=True),
        sa.Column("head_sort_key", sa.String(400), nullable=False),
        *_sync_columns(),
    )
    op.create_index("ix_households_village_id", "households", ["village_id"])
    op.create_index("ix_households_head_sort_key", "households", ["head_sort_key"])
    op.create_table(
        "members",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("household_id", sa.String(36), sa.ForeignKey("households.id"), nullable=False),
        sa.Column("full_name", sa.String(120), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(11), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("name_sort_key", sa.String(400), nullable=False),
        *_sync_columns(),
    )
    op.create_index("ix_members_household_id", "members", ["household_id"])
    op.create_table(
        "help_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), nullable=False),
        sa.Column("household_id", sa.String(36), sa.ForeignKey("households.id"), nullable=False),
        sa.Column("member_id", sa.String(36), sa.ForeignKey("members.id"), nullable=True),
        sa.Column("service_code", sa.String(40), sa.ForeignKey("services.code"), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("follow_up_date", sa.Date(), nullable=True),
        sa.Column("failure_reason", sa.String(300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("volunteer_id", sa.String(36), sa.ForeignKey("team_members.id"), nullable=False),
        sa.Column("occurred_at", sa.String(27), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("replaces_id", sa.String(36), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        *_sync_columns(),
        sa.CheckConstraint(
            "outcome IN ('done', 'follow_up', 'failed')", name="session_outcome_known"
        ),
        sa.CheckConstraint(
            "outcome != 'follow_up' OR follow_up_date IS NOT NULL", name="follow_up_has_date"
        ),
        sa.CheckConstraint(
            "outcome != 'failed' OR failure_reason != ''", name="failure_has_reason"
        ),
    )
    op.create_index("ix_help_sessions_visit_id", "help_sessions", ["visit_id"])
    op.create_index("ix_sessions_occurred", "help_sessions", ["occurred_at"])
    op.create_index("ix_sessions_household", "help_sessions", ["household_id", "occurred_at"])
    op.create_index("ix_sessions_follow_up", "help_sessions", ["outcome", "follow_up_date"])
    op.create_table(
        "session_voids",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("help_sessions.id"), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("volunteer_id", sa.String(36), sa.ForeignKey("team_members.id"), nullable=False),
        sa.Column("voided_at", sa.String(27), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        *_sync_columns(),
    )
    op.create_index("ix_session_voids_session_id", "session_voids", ["session_id"])
    op.create_table(
        "household_merges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("survivor_id", sa.String(36), sa.ForeignKey("households.id"), nullable=False),
        sa.Column(
            "loser_id",
            sa.String(36),
            sa.ForeignKey("households.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("volunteer_id", sa.String(36), sa.ForeignKey("team_members.id"), nullable=False),
        sa.Column("merged_at", sa.String(27), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        *_sync_columns(),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("change_id", sa.String(36), nullable=False, unique=True),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("row_id", sa.String(40), nullable=False),
        sa.Column("op", sa.String(12), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(27), nullable=False),
    )
    op.create_index("ix_outbox_row", "outbox", ["entity", "row_id"])

    # The catalog starts as server data (synced, version 0): the commune server's own
    # catalog replaces it on the first sync without an upload from every laptop.
    seeded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    op.bulk_insert(
        services,
        [
            {
                "code": code,
                "label_vi": label_vi,
                "label_en": label_en,
                "active": True,
                "sort_order": (index + 1) * 10,
                "basic_skill": basic_skill,
                "server_version": 0,
                "base_version": 0,
                "sync_state": "synced",
                "deleted": False,
                "updated_at": seeded_at,
            }
            for index, (code, label_vi, label_en, basic_skill) in enumerate(_SEED_CATALOG)
        ],
    )


def downgrade() -> None:
    raise NotImplementedError("VillageHelper never downgrades: restore a backup instead")

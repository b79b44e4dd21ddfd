"""The fixed vocabularies of the store (kept apart from the ORM models so that the GUI
can use them without loading SQLAlchemy at start-up)."""

from __future__ import annotations

import enum


class SyncState(enum.StrEnum):
    SYNCED = "synced"  # equals the server's version ``server_version``
    DIRTY = "dirty"  # has local changes waiting in the outbox


class Outcome(enum.StrEnum):
    DONE = "done"
    FOLLOW_UP = "follow_up"
    FAILED = "failed"


class Role(enum.StrEnum):
    MEMBER = "member"
    LEADER = "leader"


class VillageKind(enum.StrEnum):
    THON = "thon"  # thôn (rural)
    TO_DAN_PHO = "to_dan_pho"  # tổ dân phố (urban)


class TargetState(enum.StrEnum):
    """How a campaign's target row stands against the commune's people."""

    LINKED = "linked"  # linked to a known person (matched with confidence, or confirmed)
    DOUBTFUL = "doubtful"  # possible matches wait for a person to confirm one
    UNMATCHED = "unmatched"  # nobody known: left for review
    ADDED = "added"  # added as a new person of a household, and linked to them

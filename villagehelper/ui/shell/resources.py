"""Where the app's resources are: the top-level ``resources/`` folder of the project."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
TRANSLATIONS = RESOURCES / "i18n"

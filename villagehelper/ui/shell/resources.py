"""Where the app's resources are: package data of ``villagehelper`` (docs/packaging.md)."""

from __future__ import annotations

from villagehelper.shipped import shipped_folder

TRANSLATIONS = shipped_folder("villagehelper", "resources", "i18n")

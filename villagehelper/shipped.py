"""Files that ship inside the package (translations, fonts, migrations), found through
:mod:`importlib.resources` rather than next to a source checkout.

The app runs from a source tree, from an installed wheel and from the PyInstaller bundle
(docs/packaging.md); in each, the package's data sits beside its modules, and
``importlib.resources`` is what knows where that is.  Qt and Alembic open files by path,
so the answer is a real folder on disk, never an archive member.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped_folder(package: str, *parts: str) -> Path:
    """The folder ``parts`` inside ``package`` as a path Qt and Alembic can open."""
    found = files(package).joinpath(*parts)
    if not isinstance(found, Path):
        # Only a zipped install would give something else; neither the wheel nor the
        # bundle is one.
        raise RuntimeError(f"{package}/{'/'.join(parts)} is not a folder on disk: {found!r}")
    return found

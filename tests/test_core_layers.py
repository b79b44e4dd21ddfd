"""The Qt-free core imports downwards only: the store and the operations on it (ops)
never load the feed's exchange, the laptop's sync client or the commune server — neither
directly, lazily in a function, nor through what they import.

Sync settings every layer needs (the cursor, enrolment, the role) are kept in
``villagehelper.store.sync_state``, and the record of rows set aside in
``villagehelper.store.quarantine_rows``, so that ops can read them without reaching up.
"""

from __future__ import annotations

import pytest

from tests.import_rules import ROOT, loaded_by, within

_ABOVE = ("villagehelper.exchange", "villagehelper.sync", "villagehelper.server")


@pytest.mark.parametrize("package", ["villagehelper.store", "villagehelper.ops"])
def test_the_lower_layers_load_nothing_above_them(package: str) -> None:
    reached = loaded_by(ROOT, package)
    upward = sorted(
        f"{module} (via {via})" for module, via in reached.items() if within(module, _ABOVE)
    )
    assert upward == []

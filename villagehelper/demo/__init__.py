"""Realistic, reproducible demo data (``villagehelper demo``) for trying the app and for
the benchmarks.

Modules: :mod:`.generate` (the entry point), :mod:`.population` (villages, team,
households), :mod:`.visits` (a year of sessions), :mod:`.schedule` (busy days and hours),
:mod:`.people` (names, families, phones), :mod:`.mix` (services, outcomes, reasons),
:mod:`.writer` (bulk inserts equal to what the core operations write), :mod:`.ids`
(reproducible UUIDv7), :mod:`.sampling` (weighted picks).
"""

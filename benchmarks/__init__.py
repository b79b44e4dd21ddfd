"""VillageHelper benchmarks at district scale: ``python -m benchmarks`` (see README.md)."""

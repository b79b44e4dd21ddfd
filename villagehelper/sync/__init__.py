"""Sync with the commune server: the Qt-free client and the server (optional extra)."""

"""Sync in the app: when it runs, and its corner of the status bar."""

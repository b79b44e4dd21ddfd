"""Updating the app through the commune server: the offer, the download, the hand-over."""

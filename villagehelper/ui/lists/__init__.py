"""The list screens: help sessions, households and follow-ups, with their filters and paged
table models.
"""

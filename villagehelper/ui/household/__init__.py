"""A household's page: its members and history, the forms that edit them, merging
duplicates, consent.
"""

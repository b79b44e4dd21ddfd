"""The leader's review after sync: conflicts, refused changes, faulty rows and impossible
dates.
"""

"""Qt building blocks shared by the screens: date and year fields, choice lists, column
headers, a reflowing splitter.
"""

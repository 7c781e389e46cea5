"""Weeks from Monday, as in the European countries where Tandem's members live.

Only this one value: Django's own formats for the language fill in the rest.
"""

FIRST_DAY_OF_WEEK = 1

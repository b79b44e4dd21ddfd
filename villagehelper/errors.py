"""Errors a person can fix, with the message to show them (Vietnamese first)."""

from __future__ import annotations


class UserError(Exception):
    """Something the person can fix; ``message_vi`` says what and how.

    Bugs are ordinary exceptions: they are logged with a traceback, never shown raw.
    """

    def __init__(self, message_vi: str, message_en: str = "") -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en or message_vi

    def message(self, language: str = "vi") -> str:
        return self.message_en if language == "en" else self.message_vi


class ValidationError(UserError):
    """Input that breaks a rule; ``field`` names the form field or column to fix."""

    def __init__(self, field: str, message_vi: str, message_en: str = "") -> None:
        super().__init__(message_vi, message_en)
        self.field = field


class NotFoundError(UserError):
    """A record that does not exist (or was deleted / merged away)."""

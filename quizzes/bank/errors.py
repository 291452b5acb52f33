"""Collecting a bank file's problems, so that a load reports them all at once."""

from django.core.exceptions import ValidationError

# Enough to fix a whole broken file in one pass, short enough to read.
MAX_ERRORS_SHOWN = 100


class Errors:
    """Every problem found in a load, raised together as one ValidationError."""

    def __init__(self):
        self.messages: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.messages)

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if not self.messages:
            return
        shown = self.messages[:MAX_ERRORS_SHOWN]
        if len(self.messages) > len(shown):
            shown.append(f"… and {len(self.messages) - len(shown)} more problems.")
        raise ValidationError(shown)

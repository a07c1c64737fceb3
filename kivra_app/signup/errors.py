"""User-facing refusals. `key` is a catalogue key in kivra_app/i18n.py (sv and en)."""

from __future__ import annotations


class SignupError(Exception):
    """A user-facing refusal; nothing was changed."""

    def __init__(self, key: str, params: dict[str, object] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict[str, object] = dict(params or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, {self.params!r})"


class ServiceUnavailable(SignupError):
    """Mail, SMS or BankID failed or timed out: the step did not advance, try again."""

"""What the commands share: refusing a request, reading a day."""

from __future__ import annotations

from datetime import date


class UsageError(Exception):
    """A request the CLI refuses: one `error:` line on stderr, exit 2."""


def _day(flag: str, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"{flag} {value!r} is not a date (YYYY-MM-DD)") from None

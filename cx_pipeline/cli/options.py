"""What every command shares: refusing a request, reading a day, the data directory."""

from __future__ import annotations

from datetime import date
from pathlib import Path


class UsageError(Exception):
    """A request the CLI refuses: one `error:` line on stderr, exit 2."""


def _day(flag: str, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"{flag} {value!r} is not a date (YYYY-MM-DD)") from None


def _set_data_dir(data_dir: str | None) -> None:
    import os

    if data_dir:
        os.environ["CX_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())

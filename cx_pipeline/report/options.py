"""What a report is asked for, and the errors that refuse a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

GRAINS = ("week", "month")


class ReportInputError(ValueError):
    """A report that cannot be built from what was given (no published file, an unknown
    brand, a period without data): one line for the reader, never a traceback."""


@dataclass(frozen=True)
class ReportOptions:
    grain: str = "week"
    start: date | None = None  # first period start shown (inclusive)
    end: date | None = None  # last day shown (inclusive)
    brand: str | None = None  # None: the own brand

    def __post_init__(self):
        if self.grain not in GRAINS:
            raise ReportInputError(f"grain {self.grain!r} is not one of {', '.join(GRAINS)}")
        if self.start and self.end and self.start > self.end:
            raise ReportInputError(f"--from {self.start} is after --to {self.end}")

    def range_label(self) -> str:
        if not (self.start or self.end):
            return "all periods"
        return f"{self.start or 'first'} to {self.end or 'latest'}"

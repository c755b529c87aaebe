"""What a validation returns: plain dataclasses with JSON-safe values, so that asset
checks, `audit.check_results`, alerts and the CLI can store or print them as they are."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ExpectationOutcome:
    """One expectation's result over the whole selection.

    `observed_value` is what was measured (e.g. `{"element_count": 50, "unexpected_count":
    1, "unexpected_percent": 2.0}` for a row-level expectation, the row count, the newest
    timestamp); `examples` holds up to 5 failing values or rows, each row with the suite's
    key so it can be found.
    """

    expectation: str
    column: str | None
    passed: bool
    severity: str
    observed_value: Any = None
    unexpected_count: int | None = None
    examples: list = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return not self.passed and self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SuiteResult:
    """`success` is False exactly when an expectation of severity error failed; warnings
    that failed are in `outcomes` (and `failures`) but do not block. `skipped` names the
    expectations not evaluated (those that need a loaded table when a file is checked)."""

    suite: str
    success: bool
    outcomes: list[ExpectationOutcome]
    rows_validated: int
    skipped: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        """Failed expectations, blocking ones first."""
        failed = [o for o in self.outcomes if not o.passed]
        return sorted(failed, key=lambda o: o.severity != "error")

    def outcome(self, expectation: str) -> ExpectationOutcome:
        """The outcome named `expectation` (see `ExpectationOutcome.expectation`)."""
        for o in self.outcomes:
            if o.expectation == expectation:
                return o
        raise KeyError(expectation)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self) -> str:
        """Human-readable report: each failed expectation with its examples."""
        failed = self.failures
        lines = [
            f"suite {self.suite}: {len(self.outcomes) - len(failed)}/{len(self.outcomes)} "
            f"expectations passed on {self.rows_validated} rows"
            + ("" if self.success else " - BLOCKING FAILURE")
        ]
        for o in failed:
            lines.append(f"  {o.severity.upper()} {o.expectation}: observed {o.observed_value}")
            lines.extend(f"      e.g. {example}" for example in o.examples)
        if self.skipped:
            lines.append(f"  skipped before loading: {', '.join(self.skipped)}")
        return "\n".join(lines)


def json_safe(value: Any) -> Any:
    """`value` with numpy/pandas scalars, timestamps, decimals and NaN turned into what
    `json.dumps` accepts without a custom encoder."""
    if value is None or isinstance(value, bool | str):
        return value
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return json_safe(float(value))
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    # numpy and pandas scalars (and NaT/NA) without importing either here
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        try:
            return json_safe(value.item())
        except (ValueError, TypeError):
            pass
    return str(value)

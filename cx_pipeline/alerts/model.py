"""The alert record and the one-line and JSON forms every sink and the journal share."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cx_pipeline.alerts.redact import redact
from cx_pipeline.settings import current

KINDS = ("check_failed", "run_failed", "check_recovered")
SEVERITIES = ("ERROR", "WARN")
STATUSES = ("failed", "recovered")

# Long observed values (sample rows, lists of ids) would turn a one-line summary into a page.
_LINE_VALUE_LIMIT = 160


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def jsonable(value: Any) -> Any:
    """A copy of `value` that strict JSON accepts.

    Checks report whatever they measured: numpy scalars, Decimals, dates, NaN for an
    empty partition. NaN and infinities are not JSON, and a consumer that parses
    alerts.jsonl strictly would choke on the whole file, so they become strings.
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return jsonable(float(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    item = getattr(value, "item", None)  # numpy / pandas scalars, without importing them
    if callable(item):
        try:
            return jsonable(item())
        except (TypeError, ValueError):
            pass
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class Alert:
    kind: str
    asset: str
    partition: str
    check: str
    severity: str
    observed_value: Any
    run_id: str
    message: str = ""
    created_at: str = field(default_factory=_utc_now)
    # What a person reads first: the cause in words, with the numbers that show it.
    summary: str = ""
    # The same facts for machines (file, threshold, counts, examples), redacted.
    details: dict = field(default_factory=dict)
    # The command that shows the rest.
    next_step: str = ""
    status: str = ""

    def __post_init__(self) -> None:
        # Dagster hands severities over as enum values ("ERROR"); accept any case so a
        # caller's spelling cannot stop an alert in the middle of a failing run.
        object.__setattr__(self, "severity", str(self.severity).upper())
        if self.kind not in KINDS:
            raise ValueError(f"Alert.kind must be one of {KINDS}, got {self.kind!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"Alert.severity must be one of {SEVERITIES}, got {self.severity!r}")
        status = self.status or ("recovered" if self.kind == "check_recovered" else "failed")
        object.__setattr__(self, "status", status)
        if self.status not in STATUSES:
            raise ValueError(f"Alert.status must be one of {STATUSES}, got {self.status!r}")
        # Redacted here, where every alert passes, so that no caller can forget it: an
        # example row or an observed value may quote an export's personal data.
        for name in ("observed_value", "details", "summary", "message"):
            object.__setattr__(self, name, redact(getattr(self, name)))
        if not isinstance(self.details, dict):
            object.__setattr__(self, "details", {"value": self.details})

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What makes two alerts the same: a retried step must not alert twice."""
        return (self.asset, self.partition, self.check, self.run_id, self.status)

    @property
    def recovered(self) -> bool:
        return self.status == "recovered"

    def run_url(self) -> str | None:
        base = current().dagster_ui_url
        if not base or not self.run_id:
            return None
        return f"{base.rstrip('/')}/runs/{self.run_id}"

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["observed_value"] = jsonable(self.observed_value)
        data["details"] = jsonable(self.details)
        data["run_url"] = self.run_url()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        """Rebuild an alert from a line of alerts.jsonl (extra keys such as run_url ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


def key_of(data: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """The dedup key of a journal line, tolerant of lines written by older versions."""
    names = ("asset", "partition", "check", "run_id")
    return (*(str(data.get(name) or "") for name in names), str(data.get("status") or "failed"))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def observed_text(alert: Alert, limit: int = _LINE_VALUE_LIMIT) -> str:
    text = _one_line(to_json(alert.observed_value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def headline(alert: Alert) -> str:
    """E.g. `ERROR check failed: raw/survey_responses quarantine_share (2025-03-02)`."""
    where = f" ({alert.partition})" if alert.partition else ""
    if alert.recovered:
        subject = " ".join(part for part in (alert.asset, alert.check) if part)
        return _one_line(f"RECOVERED {subject}{where}")
    if alert.kind == "run_failed":
        what = f"run {alert.run_id}" if alert.run_id else "run"
        return _one_line(f"{alert.severity} run failed: {what}{where}")
    subject = " ".join(part for part in (alert.asset, alert.check) if part) or "(unnamed check)"
    return _one_line(f"{alert.severity} check failed: {subject}{where}")


def format_alert_line(alert: Alert) -> str:
    """A one-line human summary, for CLI output, logs and the digests' lines."""
    if alert.summary:
        return f"{headline(alert)}: {_one_line(alert.summary)}"
    parts = [headline(alert)]
    if alert.kind == "check_failed":
        parts.append(f"observed={observed_text(alert)}")
        if alert.run_id:
            parts.append(f"run={alert.run_id}")
    line = " ".join(parts)
    if alert.message:
        line += f": {_one_line(alert.message)}"
    return line

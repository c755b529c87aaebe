"""What a dispatch did, so callers and the CLI can show it instead of catching exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cx_pipeline.alerts.model import Alert, format_alert_line


@dataclass
class SinkReport:
    sink: str
    delivered: int = 0
    failed: int = 0
    attempts: int = 0
    last_error: str | None = None
    # The sink ran out of CX_ALERT_DEADLINE_SECONDS before it had sent every alert.
    timed_out: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "sink": self.sink,
            "delivered": self.delivered,
            "failed": self.failed,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "timed_out": self.timed_out,
        }


@dataclass
class DispatchReport:
    # Alerts that survived de-duplication: these are the ones sent to the sinks.
    new: list[Alert] = field(default_factory=list)
    # Subset of `new` appended to alerts.jsonl (all of them unless the journal failed).
    written: list[Alert] = field(default_factory=list)
    skipped_duplicates: list[Alert] = field(default_factory=list)
    sinks: dict[str, SinkReport] = field(default_factory=dict)
    # Problems outside any sink: the journal could not be written, an input was not an Alert.
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and all(s.failed == 0 for s in self.sinks.values())

    @property
    def failed_sinks(self) -> list[str]:
        return [name for name, sink in self.sinks.items() if sink.failed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "written": len(self.written),
            "skipped_duplicates": len(self.skipped_duplicates),
            "sinks": {name: sink.to_dict() for name, sink in self.sinks.items()},
            "errors": list(self.errors),
            "alerts": [alert.to_dict() for alert in self.new],
        }

    def summary(self) -> str:
        lines = [
            f"{len(self.written)} alert(s) written to alerts.jsonl, "
            f"{len(self.skipped_duplicates)} duplicate(s) skipped"
        ]
        lines += [f"  {format_alert_line(alert)}" for alert in self.new]
        for name, sink in self.sinks.items():
            line = f"  {name}: {sink.delivered} delivered, {sink.failed} failed"
            if sink.timed_out:
                line += ", missed its deadline"
            if sink.last_error:
                line += f" (last error: {sink.last_error})"
            lines.append(line)
        lines += [f"  error: {error}" for error in self.errors]
        return "\n".join(lines)

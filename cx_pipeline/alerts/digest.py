"""One message per run for the sinks people read (chat, e-mail).

A run evaluates its checks in several steps (each raw asset's load checks, each suite,
dbt), and a message per step or per check buries the one line that matters. People get
one digest per run: the failed checks grouped by severity, then the recovered ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cx_pipeline.alerts.model import Alert, headline
from cx_pipeline.settings import current

GROUPS = (
    ("ERROR", "Blocking (ERROR): downstream assets were not built"),
    ("WARN", "Warnings (WARN): nothing blocked"),
    ("recovered", "Recovered: failed in the previous run, passing now"),
)
# A chat message has a size limit (Teams about 28 KB, Slack 50 blocks); the journal has all.
MAX_LISTED = 40


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _group(alert: Alert) -> str:
    return "recovered" if alert.recovered else alert.severity


@dataclass
class Digest:
    run_id: str
    alerts: list[Alert] = field(default_factory=list)

    @property
    def failed(self) -> list[Alert]:
        return [a for a in self.alerts if not a.recovered]

    @property
    def recovered(self) -> list[Alert]:
        return [a for a in self.alerts if a.recovered]

    @property
    def blocking(self) -> list[Alert]:
        return [a for a in self.failed if a.severity == "ERROR"]

    @property
    def partitions(self) -> list[str]:
        return sorted({a.partition for a in self.alerts if a.partition})

    def run_url(self) -> str | None:
        base = current().dagster_ui_url
        if not base or not self.run_id:
            return None
        return f"{base.rstrip('/')}/runs/{self.run_id}"

    def title(self) -> str:
        # No parentheses: Python's e-mail header folding mangles a subject holding them.
        parts = []
        if self.failed:
            checks = [a for a in self.failed if a.kind == "check_failed"]
            if any(a.kind == "run_failed" for a in self.failed):
                parts.append("run failed")
            if checks:
                blocking = sum(a.severity == "ERROR" for a in checks)
                parts.append(f"{_count(len(checks), 'check')} failed, {blocking} blocking")
        if self.recovered:
            parts.append(f"{_count(len(self.recovered), 'check')} recovered")
        where = f", {', '.join(self.partitions)}" if self.partitions else ""
        run = f"run {self.run_id}" if self.run_id else "alerts"
        return f"{run}{where}: " + ", ".join(parts or ["no alerts"])

    def groups(self) -> list[tuple[str, list[Alert]]]:
        """(heading, alerts) for each non-empty group, blocking first."""
        listed = self.alerts[:MAX_LISTED]
        return [
            (heading, [a for a in listed if _group(a) == name])
            for name, heading in GROUPS
            if any(_group(a) == name for a in listed)
        ]

    @property
    def not_listed(self) -> int:
        return max(0, len(self.alerts) - MAX_LISTED)


def entry_title(alert: Alert) -> str:
    """The subject of one line of a digest, without the severity its group already says."""
    if alert.kind == "run_failed":
        return "run failed" + (f" ({alert.partition})" if alert.partition else "")
    text = headline(alert)
    for prefix in ("ERROR check failed: ", "WARN check failed: ", "RECOVERED "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def entry_summary(alert: Alert) -> str:
    if alert.summary:
        return " ".join(alert.summary.split())
    if alert.recovered:
        return "passes again"
    return " ".join(str(alert.message or f"observed {alert.observed_value}").split())


def sort_alerts(alerts: list[Alert]) -> list[Alert]:
    order = {name: index for index, (name, _) in enumerate(GROUPS)}
    return sorted(alerts, key=lambda a: order.get(_group(a), len(order)))


def text_body(digest: Digest) -> str:
    """Plain text: the e-mail body, and what a chat client shows as the notification."""
    lines = [digest.title(), ""]
    for heading, alerts in digest.groups():
        lines.append(heading)
        for alert in alerts:
            lines.append(f"- {entry_title(alert)}")
            lines.append(f"  {entry_summary(alert)}")
            if alert.next_step and not alert.recovered:
                lines.append(f"  Show the rest: {alert.next_step}")
        lines.append("")
    if digest.not_listed:
        lines += [f"... and {digest.not_listed} more: see alerts/alerts.jsonl", ""]
    url = digest.run_url()
    lines.append(f"Run: {digest.run_id or '-'}" + (f" {url}" if url else ""))
    if not url:
        lines.append("(set CX_DAGSTER_UI_URL to get a link to the run)")
    lines.append("Every alert is also recorded, one line per check, in alerts/alerts.jsonl.")
    return "\n".join(lines) + "\n"

"""Alerts for failed checks, failed runs and checks that recovered.

Every alert carries a `summary` (the cause in words, with its numbers), `details` (the
same facts, structured) and `next_step` (the command that shows the rest), personal
data redacted. Each is appended to `$CX_DATA_DIR/alerts/alerts.jsonl` (one line per
check), then sent to each sink the environment configures (read at call time):

- `CX_ALERT_WEBHOOK_URL`: JSON POST of `Alert.to_dict()`, one per alert.
- `CX_ALERT_SLACK_WEBHOOK_URL`: Slack incoming-webhook POST (`text` + `blocks`), one
  digest per run.
- `CX_ALERT_TEAMS_WEBHOOK_URL`: Teams workflow webhook POST of an Adaptive Card, one
  digest per run.
- `CX_ALERT_SMTP_HOST` with `CX_ALERT_SMTP_TO` (comma-separated), and optionally
  `CX_ALERT_SMTP_PORT` (25), `CX_ALERT_SMTP_FROM` (cx-warehouse@localhost),
  `CX_ALERT_SMTP_USER`, `CX_ALERT_SMTP_PASSWORD`, `CX_ALERT_SMTP_STARTTLS`,
  `CX_ALERT_SMTP_SSL` (true/false): one plain-text e-mail per run.
- `CX_ALERT_RETRIES` (3 attempts), `CX_ALERT_RETRY_BASE_SECONDS` (0.5, doubling, at
  most 4 s), `CX_ALERT_TIMEOUT_SECONDS` (5, per blocking step of an attempt).
- `CX_ALERT_DEADLINE_SECONDS` (20): the most one call spends on a sink, all alerts and
  retries included; sinks run in parallel, so it is also the most a call can take.
- `CX_DAGSTER_UI_URL`: when set, alerts carry a link to the run in the Dagster UI.

Alerts are unique per (asset, partition, check, run_id, status), across calls and
processes. Inside a run, `dispatch(alerts, digest="run")` holds the digest back until
`deliver_run_digest(run_id)` at the run's end.

    from cx_pipeline.alerts import Alert, dispatch
    report = dispatch([Alert("check_failed", "raw/survey_responses", "2025-03-02",
                             "quarantine_share", "ERROR", 0.12, run_id)])
"""

from cx_pipeline.alerts.dispatch import deliver_run_digest, dispatch
from cx_pipeline.alerts.journal import read_alerts
from cx_pipeline.alerts.model import Alert, format_alert_line
from cx_pipeline.alerts.report import DispatchReport, SinkReport

__all__ = [
    "Alert",
    "DispatchReport",
    "SinkReport",
    "deliver_run_digest",
    "dispatch",
    "format_alert_line",
    "read_alerts",
]

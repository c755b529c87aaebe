"""Alerts for failed checks and failed runs (contract section 8).

Every alert is appended to `$CX_DATA_DIR/alerts/alerts.jsonl`, then sent to each sink
the environment configures (read at call time):

- `CX_ALERT_WEBHOOK_URL`: JSON POST of `Alert.to_dict()`.
- `CX_ALERT_SLACK_WEBHOOK_URL`: Slack incoming-webhook POST (`text` + `blocks`).
- `CX_ALERT_SMTP_HOST` with `CX_ALERT_SMTP_TO` (comma-separated), and optionally
  `CX_ALERT_SMTP_PORT` (25), `CX_ALERT_SMTP_FROM` (cx-warehouse@localhost),
  `CX_ALERT_SMTP_USER`, `CX_ALERT_SMTP_PASSWORD`, `CX_ALERT_SMTP_STARTTLS`,
  `CX_ALERT_SMTP_SSL` (true/false): one plain-text e-mail per alert.
- `CX_ALERT_RETRIES` (3 attempts), `CX_ALERT_RETRY_BASE_SECONDS` (0.5, doubling, at
  most 4 s), `CX_ALERT_TIMEOUT_SECONDS` (5, per blocking step of an attempt).
- `CX_ALERT_DEADLINE_SECONDS` (20): the most one call spends on a sink, all alerts and
  retries included; sinks run in parallel, so it is also the most a call can take.
- `CX_DAGSTER_UI_URL`: when set, alerts carry a link to the run in the Dagster UI.

Alerts are unique per (asset, partition, check, run_id), across calls and processes.

    from cx_pipeline.alerts import Alert, dispatch
    report = dispatch([Alert("check_failed", "raw/survey_responses", "2025-03-02",
                             "quarantine_share", "ERROR", 0.12, run_id)])
"""

from cx_pipeline.alerts.dispatch import dispatch
from cx_pipeline.alerts.journal import read_alerts
from cx_pipeline.alerts.model import Alert, format_alert_line
from cx_pipeline.alerts.report import DispatchReport, SinkReport

__all__ = [
    "Alert",
    "DispatchReport",
    "SinkReport",
    "dispatch",
    "format_alert_line",
    "read_alerts",
]

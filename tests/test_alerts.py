"""Alerts reach real sinks: local HTTP servers, a local SMTP server, and alerts.jsonl."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from servers import Trickler

from cx_pipeline import settings
from cx_pipeline.alerts import Alert, dispatch, format_alert_line, read_alerts

ROOT = Path(__file__).resolve().parent.parent
UI_URL = "http://dagster.example:3000/"
RUN_LINK = "http://dagster.example:3000/runs/run-0001"


@pytest.fixture(autouse=True)
def alert_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    for name in (
        "CX_ALERT_WEBHOOK_URL",
        "CX_ALERT_SLACK_WEBHOOK_URL",
        "CX_ALERT_SMTP_HOST",
        "CX_ALERT_SMTP_PORT",
        "CX_ALERT_SMTP_FROM",
        "CX_ALERT_SMTP_TO",
        "CX_ALERT_SMTP_USER",
        "CX_ALERT_SMTP_PASSWORD",
        "CX_ALERT_SMTP_STARTTLS",
        "CX_ALERT_SMTP_SSL",
        "CX_ALERT_RETRIES",
        "CX_ALERT_DEADLINE_SECONDS",
        "CX_DAGSTER_UI_URL",
        # A proxy from the developer's shell would swallow requests to 127.0.0.1.
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CX_ALERT_RETRY_BASE_SECONDS", "0.01")
    monkeypatch.setenv("CX_ALERT_TIMEOUT_SECONDS", "2")
    return tmp_path


def make_alert(**overrides) -> Alert:
    values = {
        "kind": "check_failed",
        "asset": "raw/survey_responses",
        "partition": "2025-03-02",
        "check": "quarantine_share",
        "severity": "ERROR",
        "observed_value": 0.125,
        "run_id": "run-0001",
        "message": "12.5% of rows quarantined (threshold 5%)",
    }
    values.update(overrides)
    return Alert(**values)


def journal_lines() -> list[dict]:
    path = settings.alerts_path()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


class Recorder:
    """A real HTTP server on 127.0.0.1 that records every POST and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(recorder.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def payloads(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server():
    servers: list[Recorder] = []

    def start(status: int = 200) -> Recorder:
        servers.append(Recorder(status))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(monkeypatch):
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CX_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CX_ALERT_SMTP_PORT", str(port))
    monkeypatch.setenv("CX_ALERT_SMTP_TO", "cx-team@example.com, oncall@example.com")
    yield mailbox
    controller.stop()


def test_webhook_receives_the_alert_as_json(monkeypatch, http_server):
    server = http_server()
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", server.url)

    report = dispatch([make_alert()])

    assert len(server.requests) == 1
    assert server.requests[0]["headers"]["Content-Type"] == "application/json"
    body = server.payloads()[0]
    assert body["kind"] == "check_failed"
    assert body["asset"] == "raw/survey_responses"
    assert body["partition"] == "2025-03-02"
    assert body["check"] == "quarantine_share"
    assert body["severity"] == "ERROR"
    assert body["observed_value"] == 0.125
    assert body["run_id"] == "run-0001"
    assert body["run_url"] is None
    assert report.sinks["webhook"].delivered == 1
    assert report.sinks["webhook"].failed == 0
    assert report.ok
    assert len(report.written) == 1
    assert journal_lines() == [body]


def test_slack_receives_one_digest_of_the_call(monkeypatch, http_server):
    server = http_server()
    monkeypatch.setenv("CX_ALERT_SLACK_WEBHOOK_URL", server.url)
    first = make_alert(summary="a.csv: 25 of 200 rows (12.5%) quarantined, above the 5% limit.")
    second = make_alert(check="reconciliation", severity="WARN", summary="b.csv does not balance.")

    report = dispatch([first, second])

    assert report.sinks["slack"].delivered == 2
    assert len(server.requests) == 1
    payload = server.payloads()[0]
    assert payload["text"] == "run run-0001, 2025-03-02: 2 checks failed, 1 blocking"
    assert all(block["type"] == "section" for block in payload["blocks"])
    text = "\n".join(block["text"]["text"] for block in payload["blocks"])
    assert "raw/survey_responses quarantine_share (2025-03-02)" in text
    assert "25 of 200 rows (12.5%) quarantined, above the 5% limit" in text
    assert text.index("Blocking (ERROR)") < text.index("Warnings (WARN)")
    assert text.index("12.5%") < text.index("Warnings (WARN)") < text.index("does not balance")


def test_email_is_one_digest_naming_asset_partition_check_and_cause(smtp_server):
    report = dispatch([make_alert(), make_alert(check="reconciliation")])

    assert report.sinks["email"].delivered == 2
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["Subject"] == (
        "[cx-warehouse] run run-0001, 2025-03-02: 2 checks failed, 2 blocking"
    )
    assert message["From"] == "cx-warehouse@localhost"
    assert smtp_server.envelopes[0].rcpt_tos == ["cx-team@example.com", "oncall@example.com"]
    body = message.get_body(("plain",)).get_content()
    for expected in (
        "raw/survey_responses quarantine_share (2025-03-02)",
        "raw/survey_responses reconciliation (2025-03-02)",
        "12.5% of rows quarantined (threshold 5%)",
        "run-0001",
    ):
        assert expected in body


def test_run_link_reaches_every_sink(monkeypatch, http_server, smtp_server):
    monkeypatch.setenv("CX_DAGSTER_UI_URL", UI_URL)
    webhook, slack = http_server(), http_server()
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("CX_ALERT_SLACK_WEBHOOK_URL", slack.url)

    report = dispatch([make_alert()])

    assert report.ok, report.summary()
    assert webhook.payloads()[0]["run_url"] == RUN_LINK
    assert RUN_LINK in json.dumps(slack.payloads()[0]["blocks"])
    assert RUN_LINK in smtp_server.messages[0].get_body(("plain",)).get_content()
    assert journal_lines()[0]["run_url"] == RUN_LINK


def test_refused_connection_is_retried_reported_and_kept(monkeypatch, http_server, caplog):
    closed_port = free_port()  # nothing listens there once the probe socket is closed
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{closed_port}/hook")
    monkeypatch.setenv("CX_ALERT_RETRIES", "4")
    healthy = http_server()
    monkeypatch.setenv("CX_ALERT_SLACK_WEBHOOK_URL", healthy.url)
    caplog.set_level(logging.INFO, logger="cx_pipeline.alerts")

    started = time.monotonic()
    report = dispatch([make_alert()])
    elapsed = time.monotonic() - started

    webhook = report.sinks["webhook"]
    assert (webhook.delivered, webhook.failed, webhook.attempts) == (0, 1, 4)
    assert "refused" in webhook.last_error.lower()
    failed_attempts = [r for r in caplog.records if "webhook: attempt" in r.getMessage()]
    assert len(failed_attempts) == 4
    assert any(r.levelno == logging.WARNING and "webhook" in r.getMessage() for r in caplog.records)
    assert report.sinks["slack"].delivered == 1  # one dead sink does not stop the others
    assert not report.ok
    assert [line["run_id"] for line in journal_lines()] == ["run-0001"]
    assert elapsed < 2


def test_http_500_is_retried_then_reported_failed(monkeypatch, http_server):
    server = http_server(status=500)
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", server.url)

    report = dispatch([make_alert()])

    assert len(server.requests) == 3  # CX_ALERT_RETRIES defaults to 3 attempts
    assert report.sinks["webhook"].failed == 1
    assert report.sinks["webhook"].delivered == 0
    assert "500" in report.sinks["webhook"].last_error
    assert len(journal_lines()) == 1


def test_a_dead_sink_costs_one_retry_cycle_per_call(monkeypatch, http_server):
    server = http_server(status=503)
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", server.url)

    report = dispatch([make_alert(run_id=f"run-{n}") for n in range(5)])

    assert len(server.requests) == 3
    assert report.sinks["webhook"].failed == 5
    assert len(journal_lines()) == 5


def test_duplicates_are_written_and_delivered_once(monkeypatch, http_server):
    server = http_server()
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", server.url)
    first = make_alert()
    retried = make_alert(observed_value=0.13, message="retried step")  # same key

    report = dispatch([first, retried])
    assert (len(report.written), len(report.skipped_duplicates)) == (1, 1)

    again = dispatch([make_alert()])
    assert (len(again.written), len(again.skipped_duplicates)) == (0, 1)
    assert again.sinks["webhook"].delivered == 0

    other_run = dispatch([make_alert(run_id="run-0002")])
    assert len(other_run.written) == 1

    assert [p["run_id"] for p in server.payloads()] == ["run-0001", "run-0002"]
    assert [line["run_id"] for line in journal_lines()] == ["run-0001", "run-0002"]
    assert journal_lines()[0]["observed_value"] == 0.125


def test_without_sinks_only_the_journal_is_written(alert_env):
    alert = make_alert(observed_value=[1, 2, 3])

    report = dispatch([alert])

    assert report.sinks == {}
    assert report.ok
    assert settings.alerts_path() == alert_env / "alerts" / "alerts.jsonl"
    assert journal_lines() == [alert.to_dict()]
    assert read_alerts() == [alert]


def test_run_failure_alert_and_one_line_summary(smtp_server):
    alert = make_alert(
        kind="run_failed",
        asset="",
        check="",
        partition="2025-03-01..2025-03-31",
        observed_value=None,
        run_id="abc123",
        message="step load_surveys\nfailed",
    )

    dispatch([alert])

    assert smtp_server.messages[0]["Subject"] == (
        "[cx-warehouse] run abc123, 2025-03-01..2025-03-31: run failed"
    )
    line = format_alert_line(alert)
    assert "\n" not in line
    assert line == "ERROR run failed: run abc123 (2025-03-01..2025-03-31): step load_surveys failed"


def test_journal_stays_strict_json_and_survives_a_torn_line():
    path = settings.alerts_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"asset": "torn', encoding="utf-8")  # a writer died mid-line

    report = dispatch([make_alert(observed_value=float("nan"), severity="warn")])

    assert len(report.written) == 1
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == '{"asset": "torn'
    record = json.loads(lines[1], parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert record["observed_value"] == "nan"
    assert record["severity"] == "WARN"


def test_bad_configuration_and_bad_input_never_raise(monkeypatch):
    monkeypatch.setenv("CX_ALERT_SMTP_HOST", "127.0.0.1")  # but no CX_ALERT_SMTP_TO
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", "file:///etc/passwd")

    report = dispatch([make_alert(), "not an alert"])

    assert report.sinks["email"].failed == 1
    assert "CX_ALERT_SMTP_TO" in report.sinks["email"].last_error
    assert report.sinks["webhook"].failed == 1
    assert report.sinks["webhook"].attempts == 0
    assert any("not an Alert" in error for error in report.errors)
    assert len(journal_lines()) == 1


def test_concurrent_processes_write_one_alert_once(alert_env):
    script = (
        "from cx_pipeline.alerts import Alert, dispatch\n"
        "r = dispatch([Alert('check_failed', 'raw/tickets', '2025-03-02', 'not_null',"
        " 'ERROR', 3, 'run-race')])\n"
        "print(len(r.written))\n"
    )
    env_python = [sys.executable, "-c", script]
    processes = [
        subprocess.Popen(env_python, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(4)
    ]
    written = [int(process.communicate(timeout=30)[0]) for process in processes]

    assert sorted(written) == [0, 0, 0, 1]
    assert len(journal_lines()) == 1


# --- deadlines ----------------------------------------------------------------------
# The per-read timeout (CX_ALERT_TIMEOUT_SECONDS, 2 s here) is longer than the 1 s between
# the bytes the servers below trickle, so only the deadline can end these deliveries.

DEADLINE = 2.0
SLACK = 2.0  # what the assertions allow beyond the deadline


def timed_dispatch(alerts) -> tuple:
    started = time.monotonic()
    report = dispatch(alerts)
    return report, time.monotonic() - started


def cut_off_within(server: Trickler, seconds: float) -> bool:
    """The server saw the client hang up: the abandoned delivery did not linger."""
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up and len(server.closed) < server.connections:
        time.sleep(0.05)
    return server.connections > 0 and len(server.closed) == server.connections


def test_a_webhook_trickling_its_response_is_cut_off_at_the_deadline(monkeypatch, http_server):
    monkeypatch.setenv("CX_ALERT_DEADLINE_SECONDS", str(DEADLINE))
    healthy = http_server()
    monkeypatch.setenv("CX_ALERT_SLACK_WEBHOOK_URL", healthy.url)
    with Trickler(b"HTTP/1.1 200 OK\r\nX-Slow: ", http=True) as slow:
        monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", slow.url)

        report, elapsed = timed_dispatch([make_alert(), make_alert(run_id="run-0002")])

        print(f"trickling webhook: dispatch returned after {elapsed:.2f} s")
        assert DEADLINE - 0.2 < elapsed < DEADLINE + SLACK
        webhook = report.sinks["webhook"]
        assert webhook.timed_out
        assert (webhook.delivered, webhook.failed) == (0, 2)
        assert "deadline" in webhook.last_error
        assert report.to_dict()["sinks"]["webhook"]["timed_out"] is True
        assert "missed its deadline" in report.summary()
        assert not report.ok
        assert len(slow.requests) == 1  # the POST did arrive; only the answer never ends
        assert cut_off_within(slow, 1.5)
    assert report.sinks["slack"].delivered == 2 and not report.sinks["slack"].timed_out
    assert len(healthy.requests) == 1  # one digest of both alerts
    assert [line["run_id"] for line in journal_lines()] == ["run-0001", "run-0002"]


def test_a_webhook_that_never_answers_is_not_retried_past_the_deadline(monkeypatch):
    monkeypatch.setenv("CX_ALERT_DEADLINE_SECONDS", str(DEADLINE))
    monkeypatch.setenv("CX_ALERT_TIMEOUT_SECONDS", "30")
    monkeypatch.setenv("CX_ALERT_RETRIES", "5")
    with Trickler(None, http=True) as silent:
        monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", silent.url)

        report, elapsed = timed_dispatch([make_alert()])

        print(f"silent webhook: dispatch returned after {elapsed:.2f} s")
        assert elapsed < DEADLINE + SLACK
        assert report.sinks["webhook"].timed_out
        assert report.sinks["webhook"].failed == 1
        assert silent.connections == 1
        assert cut_off_within(silent, 1.5)
    assert len(journal_lines()) == 1


def test_an_smtp_server_trickling_its_greeting_is_cut_off_at_the_deadline(monkeypatch):
    monkeypatch.setenv("CX_ALERT_DEADLINE_SECONDS", str(DEADLINE))
    with Trickler(b"220 slow.example ESMTP ") as slow:
        monkeypatch.setenv("CX_ALERT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CX_ALERT_SMTP_PORT", str(slow.port))
        monkeypatch.setenv("CX_ALERT_SMTP_TO", "cx-team@example.com")

        report, elapsed = timed_dispatch([make_alert()])

        print(f"trickling SMTP greeting: dispatch returned after {elapsed:.2f} s")
        assert elapsed < DEADLINE + SLACK
        assert report.sinks["email"].timed_out
        assert report.sinks["email"].failed == 1
        assert cut_off_within(slow, 1.5)
    assert len(journal_lines()) == 1


def test_no_retry_starts_after_the_deadline(monkeypatch):
    monkeypatch.setenv("CX_ALERT_DEADLINE_SECONDS", "1.2")
    monkeypatch.setenv("CX_ALERT_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("CX_ALERT_RETRIES", "20")
    with Trickler(None, http=True) as silent:
        monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", silent.url)

        report, elapsed = timed_dispatch([make_alert(run_id=f"run-{n}") for n in range(3)])

        assert elapsed < 1.2 + SLACK
        webhook = report.sinks["webhook"]
        assert webhook.timed_out and webhook.failed == 3
        # attempts of 0.5 s each fit in 1.2 s at most three times, whatever CX_ALERT_RETRIES
        assert 2 <= silent.connections <= 3
        assert webhook.attempts == silent.connections
        assert cut_off_within(silent, 1.5)


def test_a_pause_that_would_end_after_the_deadline_is_not_taken(monkeypatch, http_server):
    server = http_server(status=500)
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", server.url)
    monkeypatch.setenv("CX_ALERT_DEADLINE_SECONDS", "1")
    monkeypatch.setenv("CX_ALERT_RETRY_BASE_SECONDS", "3")

    report, elapsed = timed_dispatch([make_alert()])

    assert elapsed < 0.8
    assert len(server.requests) == 1
    webhook = report.sinks["webhook"]
    assert webhook.timed_out and webhook.attempts == 1
    assert "500" in webhook.last_error and "deadline" in webhook.last_error


def test_every_sink_gets_the_same_deadline_side_by_side(monkeypatch, http_server):
    # Two hanging sinks cost one deadline, not two.
    monkeypatch.setenv("CX_ALERT_DEADLINE_SECONDS", str(DEADLINE))
    with Trickler(b"HTTP/1.1 200 OK\r\nX-Slow: ", http=True) as hook, Trickler(b"220 ") as mail:
        monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", hook.url)
        monkeypatch.setenv("CX_ALERT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CX_ALERT_SMTP_PORT", str(mail.port))
        monkeypatch.setenv("CX_ALERT_SMTP_TO", "cx-team@example.com")

        report, elapsed = timed_dispatch([make_alert()])

    print(f"two hanging sinks: dispatch returned after {elapsed:.2f} s")
    assert elapsed < DEADLINE + SLACK
    assert report.sinks["webhook"].timed_out and report.sinks["email"].timed_out


def test_a_process_alerting_a_hanging_sink_exits_at_the_deadline(alert_env):
    # The abandoned delivery thread must not keep the process (a CLI load that failed) alive.
    script = (
        "from cx_pipeline.alerts import Alert, dispatch\n"
        "r = dispatch([Alert('run_failed', '', '2025-03-02', '', 'ERROR', None, 'run-x')])\n"
        "print(r.sinks['webhook'].timed_out)\n"
    )
    with Trickler(b"HTTP/1.1 200 OK\r\nX-Slow: ", http=True) as slow:
        env = {
            **{k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
            "CX_ALERT_WEBHOOK_URL": slow.url,
            "CX_ALERT_DEADLINE_SECONDS": str(DEADLINE),
            "PYTHONPATH": str(ROOT),
        }
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        elapsed = time.monotonic() - started
    print(f"process with a trickling webhook exited after {elapsed:.2f} s")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "True"
    assert elapsed < DEADLINE + SLACK + 3  # plus the interpreter's start-up
    assert len(journal_lines()) == 1


def test_teams_receives_one_adaptive_card_and_is_retried(monkeypatch, http_server):
    failing, healthy = http_server(status=500), http_server()
    monkeypatch.setenv("CX_ALERT_RETRIES", "2")
    monkeypatch.setenv("CX_ALERT_TEAMS_WEBHOOK_URL", failing.url)
    report = dispatch([make_alert()])
    assert report.sinks["teams"].failed == 1 and len(failing.requests) == 2

    monkeypatch.setenv("CX_DAGSTER_UI_URL", UI_URL)
    monkeypatch.setenv("CX_ALERT_TEAMS_WEBHOOK_URL", healthy.url)
    report = dispatch([make_alert(run_id="run-0001", check="reconciliation", summary="x.csv")])
    assert report.sinks["teams"].delivered == 1
    (payload,) = healthy.payloads()
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == "run run-0001, 2025-03-02: 1 check failed, 1 blocking"
    assert any(block["text"] == "x.csv" for block in card["body"])
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open run in Dagster", "url": RUN_LINK}
    ]


def test_personal_data_never_reach_an_alert(monkeypatch, http_server):
    server = http_server()
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", server.url)
    alert = make_alert(
        summary="write to ana@example.com or +351 912 345 678",
        observed_value={"respondent_id": "C1000463", "comment": "ring 0151 234 5678"},
        details={"examples": [{"row": {"customer_id": "C1", "author_id": "A9", "nps": 11}}]},
    )
    dispatch([alert])
    text = json.dumps(server.payloads()) + settings.alerts_path().read_text("utf-8")
    for secret in ("ana@example.com", "912 345 678", "C1000463", '"C1"', "A9", "234 5678"):
        assert secret not in text
    assert server.payloads()[0]["details"]["examples"][0]["row"]["nps"] == 11
    # dates, ids of responses and timestamps are not phone numbers
    kept = make_alert(summary="S-20250303-100001 on 2025-03-03T00:59:34Z, 2025-03-04")
    assert kept.summary == "S-20250303-100001 on 2025-03-03T00:59:34Z, 2025-03-04"

"""Turn failed checks and runs into alerts: journal first, then every configured sink.

`dispatch` never raises. Alerting runs inside a run that is already failing, and an
exception here would hide the failure it is reporting, so every problem is logged to
the `cx_pipeline.alerts` logger and recorded in the returned `DispatchReport`.

Sinks are delivered in parallel (one thread each) so a slow one does not delay the
others. The JSON webhook gets one POST per alert, as each check fails: machines want
one record per event, and soon. Slack, Teams and e-mail get one digest per run (or per
call outside a run), since a person reads one message better than twenty. Every
message is retried with bounded exponential backoff. Once a sink has failed every
attempt for one message, the remaining ones of the same call are marked failed for that
sink without trying: a dead endpoint then costs one retry cycle per call, not one per
alert. The alerts stay in alerts.jsonl whatever the sinks do.

Each sink has one deadline per call (`CX_ALERT_DEADLINE_SECONDS`) for all its alerts,
attempts and pauses. Because the sinks run side by side, a call returns at most one
deadline after it started, however many sinks hang. A sink still busy then is abandoned:
its sockets are shut down, its thread (a daemon, so it cannot keep the process alive)
is left to end on its own, and the report marks the sink as having missed its deadline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from cx_pipeline.alerts.deadline import Deadline
from cx_pipeline.alerts.digest import Digest
from cx_pipeline.alerts.journal import append_new, claim_digest, digests_path, read_alerts
from cx_pipeline.alerts.model import Alert, format_alert_line
from cx_pipeline.alerts.report import DispatchReport, SinkReport
from cx_pipeline.alerts.retry import RetryPolicy, describe, with_retries
from cx_pipeline.alerts.sinks import Sink, configured_sinks
from cx_pipeline.settings import Settings, current

logger = logging.getLogger("cx_pipeline.alerts")


def dispatch(
    alerts: Iterable[Alert], digest: str = "now", settings: Settings | None = None
) -> DispatchReport:
    """Journal the alerts and send them.

    The webhook gets each new alert now. The chat and e-mail sinks get one digest: of
    this call's alerts with `digest="now"`, or, with `digest="run"`, of the whole run
    when `deliver_run_digest` is called at its end (the alerts wait in the journal).
    The journal is the one of `settings`' data directory (default: the current settings).
    """
    report = DispatchReport()
    try:
        _dispatch(alerts, report, digest, settings or current())
    except Exception as error:  # the promise is "never raises", bugs included
        logger.exception("alert dispatch failed")
        report.errors.append(f"dispatch failed: {describe(error)}")
    return report


def deliver_run_digest(run_id: str, settings: Settings | None = None) -> DispatchReport:
    """Send the chat and e-mail sinks one message listing every alert of the run.

    Called when a run ends, by the CLI after an in-process run and by the run-status
    sensors for runs the daemon launched. Whoever comes first sends it; the claim in
    digests.jsonl makes the other a no-op, so a run is never digested twice.
    """
    report = DispatchReport()
    settings = settings or current()
    try:
        journal = settings.alerts_path
        alerts = [a for a in read_alerts(journal) if a.run_id == run_id]
        if not alerts or not claim_digest(run_id, digests_path(journal)):
            return report
        report.new.extend(alerts)
        sinks = [sink for sink in configured_sinks(settings) if sink.digest]
        report.sinks = {sink.name: SinkReport(sink.name) for sink in sinks}
        _send(sinks, [], Digest(run_id, alerts), report, settings)
    except Exception as error:
        logger.exception("alert digest failed")
        report.errors.append(f"digest failed: {describe(error)}")
    return report


def _dispatch(
    alerts: Iterable[Alert], report: DispatchReport, digest: str, settings: Settings
) -> None:
    unique: list[Alert] = []
    seen: set[tuple[str, ...]] = set()
    for alert in alerts:
        if not isinstance(alert, Alert):
            error = f"not an Alert, ignored: {alert!r:.200}"
            logger.error(error)
            report.errors.append(error)
        elif alert.key in seen:
            report.skipped_duplicates.append(alert)
        else:
            seen.add(alert.key)
            unique.append(alert)

    try:
        written, duplicates = append_new(unique, settings.alerts_path)
        report.written.extend(written)
        report.skipped_duplicates.extend(duplicates)
        report.new.extend(written)
    except Exception as error:
        # Without the journal there is no record and no de-duplication, but telling
        # someone through the sinks still beats telling no one.
        message = f"could not write alerts.jsonl: {describe(error)}"
        logger.error(message)
        report.errors.append(message)
        report.new.extend(unique)

    for alert in report.new:
        logger.info("alert: %s", format_alert_line(alert))

    sinks = configured_sinks(settings)
    if digest == "run":
        sinks = [sink for sink in sinks if not sink.digest]
    report.sinks = {sink.name: SinkReport(sink.name) for sink in sinks}
    if not report.new or not sinks:
        return
    run_ids = {alert.run_id for alert in report.new}
    run_id = run_ids.pop() if len(run_ids) == 1 else ""
    _send(sinks, report.new, Digest(run_id, list(report.new)), report, settings)


def _send(
    sinks: list[Sink],
    alerts: list[Alert],
    digest: Digest,
    report: DispatchReport,
    settings: Settings,
) -> None:
    """Every sink side by side, each within its own deadline: the webhook one message per
    alert, the others one digest."""
    if not sinks:
        return
    policy = RetryPolicy.from_env(settings)
    # One report per thread, not shared: an abandoned thread may still write to its own.
    deliveries = [
        (
            sink,
            [(digest, digest.alerts)] if sink.digest else [(alert, [alert]) for alert in alerts],
            Deadline(policy.deadline, policy.timeout),
            SinkReport(sink.name),
        )
        for sink in sinks
    ]
    threads = [
        threading.Thread(
            target=_deliver,
            args=(sink, messages, policy, deadline, result),
            name=f"cx-alert-{sink.name}",
            daemon=True,
        )
        for sink, messages, deadline, result in deliveries
    ]
    for thread in threads:
        thread.start()
    for thread, (sink, messages, deadline, result) in zip(threads, deliveries, strict=True):
        thread.join(deadline.remaining())
        if thread.is_alive():
            deadline.expire()
            result = _abandoned(sink, sum(len(a) for _, a in messages), deadline, result)
        report.sinks[sink.name] = result


def _abandoned(sink: Sink, total: int, deadline: Deadline, busy: SinkReport):
    delivered = busy.delivered
    error = f"missed its deadline of {deadline.seconds:g} s (CX_ALERT_DEADLINE_SECONDS)"
    if busy.last_error:
        error += f"; earlier: {busy.last_error}"
    logger.warning(
        "alert sink %s missed its deadline of %g s and was abandoned; %d of %d alert(s) "
        "delivered, all are kept in alerts.jsonl",
        sink.name,
        deadline.seconds,
        delivered,
        total,
    )
    return SinkReport(
        sink.name,
        delivered=delivered,
        failed=total - delivered,
        attempts=busy.attempts,
        last_error=error,
        timed_out=True,
    )


def _deliver(
    sink: Sink,
    messages: list[tuple[Any, list[Alert]]],
    policy: RetryPolicy,
    deadline: Deadline,
    result: SinkReport,
) -> None:
    """`messages`: what to send, each with the alerts it carries (counted in the report)."""
    total = sum(len(alerts) for _, alerts in messages)
    try:
        if sink.config_error:
            result.failed = total
            result.last_error = sink.config_error
            logger.warning(
                "alert sink %s is misconfigured, %d alert(s) not sent: %s",
                sink.name,
                total,
                sink.config_error,
            )
            return

        def attempt(message: Any) -> None:
            # Counted as it starts, so an abandoned delivery reports the one under way too.
            result.attempts += 1
            sink.send(message, deadline)

        for index, (message, alerts) in enumerate(messages):
            outcome = with_retries(
                lambda message=message: attempt(message), policy, sink.name, deadline
            )
            if outcome.ok:
                result.delivered += len(alerts)
                continue
            result.failed += len(alerts)
            result.last_error = outcome.error
            result.timed_out = outcome.timed_out
            logger.warning(
                "alert not delivered to %s after %d attempt(s) (%s); it is kept in "
                "alerts.jsonl: %s",
                sink.name,
                outcome.attempts,
                outcome.error,
                "; ".join(format_alert_line(alert) for alert in alerts)[:2000],
            )
            remaining = sum(len(a) for _, a in messages[index + 1 :])
            if remaining:
                result.failed += remaining
                logger.warning(
                    "alert sink %s is %s; %d more alert(s) of this dispatch not sent",
                    sink.name,
                    "out of time" if outcome.timed_out else "down",
                    remaining,
                )
            return
    except Exception as error:  # a bug in a sink must not escape its thread silently
        result.failed = total - result.delivered
        result.last_error = describe(error)
        logger.exception("alert sink %s crashed", sink.name)

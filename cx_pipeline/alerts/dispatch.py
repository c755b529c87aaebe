"""Turn failed checks and runs into alerts: journal first, then every configured sink.

`dispatch` never raises. Alerting runs inside a run that is already failing, and an
exception here would hide the failure it is reporting, so every problem is logged to
the `cx_pipeline.alerts` logger and recorded in the returned `DispatchReport`.

Sinks are delivered in parallel (one thread each) so a slow one does not delay the
others; within a sink alerts go out one at a time, one HTTP request or one e-mail per
alert (no digest), each retried with bounded exponential backoff. Once a sink has
failed every attempt for one alert, the remaining alerts of the same call are marked
failed for that sink without trying: a dead endpoint then costs one retry cycle per
call, not one per alert. The alerts stay in alerts.jsonl whatever the sinks do.

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

from cx_pipeline.alerts.deadline import Deadline
from cx_pipeline.alerts.journal import append_new
from cx_pipeline.alerts.model import Alert, format_alert_line
from cx_pipeline.alerts.report import DispatchReport, SinkReport
from cx_pipeline.alerts.retry import RetryPolicy, describe, with_retries
from cx_pipeline.alerts.sinks import Sink, configured_sinks

logger = logging.getLogger("cx_pipeline.alerts")


def dispatch(alerts: Iterable[Alert]) -> DispatchReport:
    report = DispatchReport()
    try:
        _dispatch(alerts, report)
    except Exception as error:  # the promise is "never raises", bugs included
        logger.exception("alert dispatch failed")
        report.errors.append(f"dispatch failed: {describe(error)}")
    return report


def _dispatch(alerts: Iterable[Alert], report: DispatchReport) -> None:
    unique: list[Alert] = []
    seen: set[tuple[str, str, str, str]] = set()
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
        written, duplicates = append_new(unique)
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

    sinks = configured_sinks()
    report.sinks = {sink.name: SinkReport(sink.name) for sink in sinks}
    if not report.new or not sinks:
        return
    policy = RetryPolicy.from_env()
    # One report per thread, not shared: an abandoned thread may still write to its own.
    deliveries = [
        (sink, Deadline(policy.deadline, policy.timeout), SinkReport(sink.name)) for sink in sinks
    ]
    threads = [
        threading.Thread(
            target=_deliver,
            args=(sink, report.new, policy, deadline, result),
            name=f"cx-alert-{sink.name}",
            daemon=True,
        )
        for sink, deadline, result in deliveries
    ]
    for thread in threads:
        thread.start()
    for thread, (sink, deadline, result) in zip(threads, deliveries, strict=True):
        thread.join(deadline.remaining())
        if thread.is_alive():
            deadline.expire()
            result = _abandoned(sink, report.new, deadline, result)
        report.sinks[sink.name] = result


def _abandoned(sink: Sink, alerts: list[Alert], deadline: Deadline, busy: SinkReport):
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
        len(alerts),
    )
    return SinkReport(
        sink.name,
        delivered=delivered,
        failed=len(alerts) - delivered,
        attempts=busy.attempts,
        last_error=error,
        timed_out=True,
    )


def _deliver(
    sink: Sink, alerts: list[Alert], policy: RetryPolicy, deadline: Deadline, result: SinkReport
) -> None:
    try:
        if sink.config_error:
            result.failed = len(alerts)
            result.last_error = sink.config_error
            logger.warning(
                "alert sink %s is misconfigured, %d alert(s) not sent: %s",
                sink.name,
                len(alerts),
                sink.config_error,
            )
            return

        def attempt(alert: Alert) -> None:
            # Counted as it starts, so an abandoned delivery reports the one under way too.
            result.attempts += 1
            sink.send(alert, deadline)

        for index, alert in enumerate(alerts):
            outcome = with_retries(lambda alert=alert: attempt(alert), policy, sink.name, deadline)
            if outcome.ok:
                result.delivered += 1
                continue
            result.failed += 1
            result.last_error = outcome.error
            result.timed_out = outcome.timed_out
            logger.warning(
                "alert not delivered to %s after %d attempt(s) (%s); it is kept in "
                "alerts.jsonl: %s",
                sink.name,
                outcome.attempts,
                outcome.error,
                format_alert_line(alert),
            )
            remaining = len(alerts) - index - 1
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
        result.failed = len(alerts) - result.delivered
        result.last_error = describe(error)
        logger.exception("alert sink %s crashed", sink.name)

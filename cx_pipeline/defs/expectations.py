"""Great Expectations suites (expectations/*.json) as Dagster asset checks.

Each suite is one check, `expectations`, on its asset: blocking when an error-severity
expectation fails (downstream assets do not materialize), a warning otherwise. Every
expectation's outcome, with its observed value, goes to audit.check_results, and each
failed one raises its own alert.
"""

from collections.abc import Sequence

import dagster as dg

from cx_pipeline.alerts import explain
from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.instance.run_window import run_window, window_label
from cx_pipeline.quality import SuiteResult, raw_suite, validate_table
from cx_pipeline.warehouse.check_audit import CheckRecord, record_and_alert
from cx_pipeline.warehouse.resource import WarehouseResource

CHECK_NAME = "expectations"

# (asset key, relation, suite, column holding the landing partition date). The checks are
# not partitioned, even on the daily raw assets: a run over a range evaluates a suite once
# for all its days, while Dagster plans a partitioned check once per day and is handed a
# single result naming no day, so every day's planned check ended up shown as skipped.
RAW_TARGETS = [
    (["raw", s.table], f"raw.{s.table}", raw_suite(s.name), "_partition_date")
    for s in SOURCES.values()
]
STAGING_TARGETS = [
    (
        ["staging", f"stg_{s.table}"],
        f"staging.stg_{s.table}",
        f"stg_{s.table}",
        "delivered_partition",
    )
    for s in SOURCES.values()
]


def _pii(relation: str) -> tuple[str, ...]:
    table = relation.split(".", 1)[-1].removeprefix("stg_")
    return next((tuple(s.pii) for s in SOURCES.values() if s.table == table), ())


def _records(result: SuiteResult, asset: str, relation: str, where: str) -> list[CheckRecord]:
    records = []
    for o in result.outcomes:
        summary, details, next_step = (
            ("", None, "")
            if o.passed
            else explain.expectation(o, result.suite, relation, _pii(relation), where)
        )
        records.append(
            CheckRecord(
                asset=asset,
                check=f"{result.suite}:{o.expectation}",
                passed=o.passed,
                severity="ERROR" if o.blocking else "WARN",
                observed_value=o.observed_value,
                metadata={"unexpected_count": o.unexpected_count, "examples": o.examples[:5]},
                summary=summary,
                details=details,
                next_step=next_step,
            )
        )
    return records


def _summary(result: SuiteResult, records: list[CheckRecord], label: str) -> dg.AssetCheckResult:
    """Fails with ERROR severity (blocking) when an error-severity expectation failed,
    with WARN severity (alerts, does not block) when only warnings failed."""
    failed = [r for r in records if not r.passed]
    blocking = any(r.severity == "ERROR" for r in failed)
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "observed_value": len(failed),
            "suite": result.suite,
            "partitions": label,
            "rows_validated": result.rows_validated,
            "expectations": len(records),
            "failed": dg.MetadataValue.json(
                [
                    {
                        "check": r.check,
                        "severity": r.severity,
                        "observed": r.observed_value,
                        **r.metadata,
                    }
                    for r in failed
                ][:20]
            ),
        },
    )


def _delivered_days(con, relation: str, start: str, end: str) -> list:
    """The days of the window with at least one file delivered (whatever became of its
    rows: a re-delivery loads none, and its day is still a delivery to check)."""
    source = next(s.name for s in SOURCES.values() if relation == f"raw.{s.table}")
    rows = con.execute(
        "SELECT DISTINCT partition_date FROM audit.load_reconciliation WHERE source = ? "
        "AND partition_date BETWEEN ? AND ? AND skipped IS NULL ORDER BY 1",
        [source, start, end],
    ).fetchall()
    return [r[0] for r in rows]


def _build(key: Sequence[str], relation: str, suite: str, date_column: str):
    asset_key = dg.AssetKey(list(key))

    @dg.asset_check(
        asset=asset_key,
        name=CHECK_NAME,
        blocking=True,
        description=f"Great Expectations suite expectations/{suite}.json over the run's "
        "partitions. Fails blocking on an error-severity expectation, as a warning otherwise.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        window = run_window(context.run)
        if window is None:  # the models materialized by hand: validate every row
            window = ("0001-01-01", "9999-12-31")
        start, end = window
        label = window_label(window)
        settings = warehouse.settings()
        with warehouse.write() as con:
            days = _delivered_days(con, relation, start, end) if relation.startswith("raw.") else []
            if relation.startswith("raw."):
                # No file at all is a missing delivery, not a broken one: warn, don't block
                # (a sensor may run the day before every source has landed). A delivery is
                # recorded too, so that the day after a missing one can say "recovered".
                source = next(s.name for s in SOURCES.values() if relation == f"raw.{s.table}")
                summary, details, next_step = explain.missing_delivery(source, start, end)
                delivery = CheckRecord(
                    asset=asset_key.to_user_string(),
                    check=f"{suite}:delivery",
                    passed=bool(days),
                    severity="WARN",
                    observed_value=len(days),
                    metadata={"reason": "no file delivered"} if not days else {"days": len(days)},
                    summary="" if days else summary,
                    details=None if days else details,
                    next_step="" if days else next_step,
                )
                record_and_alert(con, [delivery], label, context.run.run_id, context.log, settings)
            if relation.startswith("raw.") and not days:
                return dg.AssetCheckResult(
                    check_name=CHECK_NAME,
                    passed=False,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={
                        "observed_value": 0,
                        "reason": "no file delivered",
                        "suite": suite,
                        "summary": summary,
                    },
                )
            result = validate_table(
                con,
                relation,
                suite,
                where=f"{date_column} BETWEEN ? AND ?",
                params=[start, end],
                suite_params={"partition_date": days} if days else None,
            )
            where = f"{date_column} BETWEEN '{start}' AND '{end}'"
            records = _records(result, asset_key.to_user_string(), relation, where)
            record_and_alert(con, records, label, context.run.run_id, context.log, settings)
        return _summary(result, records, label)

    _check.__name__ = f"gx_{suite}"
    return _check


EXPECTATION_CHECKS = [_build(*t) for t in [*RAW_TARGETS, *STAGING_TARGETS]]

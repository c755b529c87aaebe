"""One daily-partitioned asset per source: landing/<source>/YYYY-MM-DD/ into raw.<table>.

A run over many days is a single run (BackfillPolicy.single_run): the asset loops over
the days of its partition range, so a backfill pays Dagster's start-up once.
"""

from collections import Counter

import dagster as dg

from cx_pipeline.alerts import explain
from cx_pipeline.defs.catalog import DAILY_FRESHNESS, owners, raw_column_schema
from cx_pipeline.defs.partitions import DAILY, days_in_range
from cx_pipeline.ingest.canonical import SOURCES, Source
from cx_pipeline.ingest.loader import load_partition, purge_quarantine
from cx_pipeline.instance import progress
from cx_pipeline.instance.run_window import run_window, window_label
from cx_pipeline.warehouse.check_audit import record_and_alert, to_record
from cx_pipeline.warehouse.resource import WRITER_POOL, WarehouseResource

MAX_FILES_LISTED = 100


def _file_summary(result, day) -> dict:
    return {
        "file": f"{day.isoformat()}/{result.file.rsplit('/', 1)[-1]}",
        "profile": result.profile,
        "read": result.read,
        "loaded": result.loaded,
        "quarantined": result.quarantined,
        "duplicates": result.duplicates,
        "note": result.note,
        "skipped": result.skipped,
    }


def _day_metadata(results, day) -> dict:
    reasons: Counter = Counter()
    new_columns: set[str] = set()
    for r in results:
        reasons.update(r.reasons)
        new_columns.update(r.new_columns)
    return {
        "files": len(results),
        "rows_read": sum(r.read for r in results),
        "rows_loaded": sum(r.loaded for r in results),
        "rows_quarantined": sum(r.quarantined for r in results),
        "rows_duplicate": sum(r.duplicates for r in results),
        "quarantine_reasons": dg.MetadataValue.json(dict(reasons)),
        "new_columns": dg.MetadataValue.json(sorted(new_columns)),
        # which profile mapped each file and what became of its rows (the first
        # MAX_FILES_LISTED; audit.load_reconciliation has every file)
        "files_detail": dg.MetadataValue.json(
            [_file_summary(r, day) for r in results[:MAX_FILES_LISTED]]
        ),
    }


def raw_asset_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.table])


def _build_raw_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(source),
        group_name="raw",
        partitions_def=DAILY,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WRITER_POOL,
        kinds={"duckdb", "python"},
        owners=owners(),
        freshness_policy=DAILY_FRESHNESS,
        # The UI renders descriptions as Markdown, where a bare <date> is an HTML tag.
        description=(
            f"{source.name.capitalize()} exports of `landing/{source.name}/YYYY-MM-DD/` mapped "
            "to canonical records, one partition per landing folder; rejected rows go to "
            "`audit.quarantine`, counts to `audit.load_reconciliation`. Re-running a day "
            "replaces what it loaded."
        ),
        metadata={"dagster/column_schema": raw_column_schema(source)},
    )
    def _raw(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        key_range = context.partition_key_range
        totals: Counter = Counter()
        new_columns: set[str] = set()
        by_day: dict = {}
        days = days_in_range(key_range.start, key_range.end)
        settings = warehouse.settings()
        with warehouse.write() as con:
            for done, day in enumerate(days, start=1):
                results = load_partition(con, source, day, context.run_id, settings)
                for r in results:
                    if r.note:
                        context.log.warning(f"{r.file}: {r.note}")
                    totals.update(read=r.read, loaded=r.loaded, quarantined=r.quarantined)
                    new_columns.update(r.new_columns)
                by_day[day] = _day_metadata(results, day)
                progress.day_done(f"raw/{source.table}", done, len(days))
            retention = settings.quarantine_retention_days
            purged = purge_quarantine(con, source, retention)
            # The rows each day's partition holds once the range is loaded.
            counts = dict(
                con.execute(
                    f"SELECT _partition_date, count(*) FROM raw.{source.table} "
                    "WHERE _partition_date BETWEEN ? AND ? GROUP BY 1",
                    [days[0], days[-1]],
                ).fetchall()
            )
        context.log.info(
            f"{source.name}: original rows of {purged} quarantined row(s) older than "
            f"{retention} day(s) purged (CX_QUARANTINE_RETENTION_DAYS)"
        )
        if by_day:
            by_day[days[-1]]["quarantine_original_rows_purged"] = purged
        # Each day's materialization carries that day's own figures: Dagster records one
        # event per day of a range, and figures of the whole range on each of them
        # multiplied what a long backfill wrote to its event log.
        for day, metadata in by_day.items():
            metadata["dagster/row_count"] = dg.MetadataValue.int(counts.get(day, 0))
            context.add_asset_metadata(metadata, partition_key=day.isoformat())
        if new_columns:
            context.log.warning(
                f"{source.name}: columns not in the canonical record kept in _extras: "
                f"{sorted(new_columns)}"
            )
        context.log.info(f"{source.name} {key_range.start}..{key_range.end}: {dict(totals)}")
        return dg.MaterializeResult()

    _raw.__name__ = f"raw_{source.table}"
    return _raw


def _build_load_checks(source: Source) -> dg.AssetChecksDefinition:
    # Separate from the asset's step so that a failed gate still lets the other checks of
    # the same load (e.g. the expectation suite) run and report.
    @dg.multi_asset_check(
        name=f"load_checks_{source.table}",
        specs=[
            dg.AssetCheckSpec(
                "reconciliation",
                asset=raw_asset_key(source),
                blocking=True,
                description="Per file: rows read = loaded + quarantined + duplicates.",
            ),
            dg.AssetCheckSpec(
                "quarantine_share",
                asset=raw_asset_key(source),
                blocking=True,
                description="No file and no day has more than "
                "CX_QUARANTINE_MAX_SHARE (default 5%) of its rows quarantined.",
            ),
        ],
    )
    def _checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        window = run_window(context.run)
        settings = warehouse.settings()
        with warehouse.write() as con:
            checks = _load_checks(con, source, window[0], window[1], settings.quarantine_threshold)
            label = window_label(window)
            record_and_alert(
                con,
                [to_record(c, raw_asset_key(source)) for c in checks],
                label,
                context.run.run_id,
                context.log,
                settings,
            )
        yield from checks

    return _checks


RAW_ASSETS = [_build_raw_asset(s) for s in SOURCES.values()]
LOAD_CHECKS = [_build_load_checks(s) for s in SOURCES.values()]


def _load_checks(con, source: Source, first, last, limit: float) -> list[dg.AssetCheckResult]:
    """Gate the partition range on the reconciliation written by the loader."""
    window = [source.name, first, last]
    unbalanced = con.execute(
        "SELECT source_file, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
        "FROM audit.load_reconciliation WHERE source = ? AND partition_date BETWEEN ? AND ? "
        "AND rows_read <> rows_loaded + rows_quarantined + rows_duplicate",
        window,
    ).fetchall()
    worst_file = con.execute(
        "SELECT source_file, partition_date, rows_read, rows_quarantined, "
        "rows_quarantined / rows_read AS share "
        "FROM audit.load_reconciliation WHERE source = ? AND partition_date BETWEEN ? AND ? "
        "AND rows_read > 0 ORDER BY share DESC, source_file LIMIT 1",
        window,
    ).fetchone()
    worst_day = con.execute(
        "SELECT partition_date, sum(rows_read), sum(rows_quarantined), "
        "sum(rows_quarantined) / sum(rows_read) AS share "
        "FROM audit.load_reconciliation WHERE source = ? AND partition_date BETWEEN ? AND ? "
        "GROUP BY 1 HAVING sum(rows_read) > 0 ORDER BY share DESC, 1 LIMIT 1",
        window,
    ).fetchone()
    file_share = worst_file[4] if worst_file else 0.0
    day_share = worst_day[3] if worst_day else 0.0
    passed = file_share <= limit and day_share <= limit
    why = _explained(
        explain.quarantine_share(
            con,
            source,
            limit,
            worst_file[:4] if worst_file else None,
            worst_day[:3] if worst_day else None,
            str(first),
            str(last),
        )
        if not passed
        else None
    )
    unbalanced_why = _explained(explain.reconciliation(source, unbalanced) if unbalanced else None)
    return [
        dg.AssetCheckResult(
            check_name="reconciliation",
            passed=not unbalanced,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "observed_value": len(unbalanced),
                "unbalanced_files": dg.MetadataValue.json([list(map(str, r)) for r in unbalanced]),
                **unbalanced_why,
            },
        ),
        dg.AssetCheckResult(
            check_name="quarantine_share",
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "observed_value": round(max(file_share, day_share), 6),
                "threshold": limit,
                "worst_file": str(worst_file[0]) if worst_file else "",
                "worst_file_share": round(file_share, 6),
                "worst_day": str(worst_day[0]) if worst_day else "",
                "worst_day_share": round(day_share, 6),
                **why,
            },
        ),
    ]


def _explained(explanation) -> dict:
    """An alert's words as check metadata: the Dagster UI shows them, and the record of the
    check hands them to the alert."""
    if not explanation:
        return {}
    summary, details, next_step = explanation
    return {
        "summary": summary,
        "details": dg.MetadataValue.json(details),
        "next_step": next_step,
    }

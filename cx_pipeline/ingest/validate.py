"""`cx-pipeline validate`: check one export against its mapping profile (and, where a
suite exists, its expectation suite) without loading it anywhere.

Its verdict is the one a load of the file would reach, by the same code: the loader's
staging of the file (reader, profile, typing, rules), the quarantine-share gate with the
same threshold, and the raw expectation suite on the rows that would load. Verdicts and
exit codes (docs/sources.md, "Checking a file before it lands"):
- loads cleanly: exit 0;
- loads with rows quarantined, at most the threshold: exit 0, with reasons and examples;
- would block the build: exit 1, naming each blocking check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.ingest.loader import skip_reason, stage_file
from cx_pipeline.ingest.profiles import load_profile, profile_for_file
from cx_pipeline.quality import raw_suite, validate_table
from cx_pipeline.settings import current


@dataclass
class ValidationReport:
    file: str
    source: str
    profile: str
    rows_read: int = 0
    rows_valid: int = 0
    rows_quarantined: int = 0
    duplicate_keys: int = 0
    new_columns: list[str] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    suite: str = ""
    expectations: int = 0
    # why a load would not read the file at all (a symlink, hidden or temporary name)
    skipped: str | None = None
    partition_date: date | None = None
    partition_from: str = ""
    threshold: float = 0.05

    @property
    def quarantined_share(self) -> float:
        return self.rows_quarantined / self.rows_read if self.rows_read else 0.0

    @property
    def quarantine_blocks(self) -> bool:
        return self.quarantined_share > self.threshold

    @property
    def blocking_checks(self) -> list[str]:
        checks = []
        if self.quarantine_blocks:
            checks.append(
                f"quarantine_share: {self.rows_quarantined} of {self.rows_read} rows "
                f"({100 * self.quarantined_share:.1f}%) quarantined, above the "
                f"{100 * self.threshold:g}% limit"
            )
        checks.extend(f["rule"] for f in self.failures if f.get("expectation") and f["blocking"])
        return checks

    @property
    def ok(self) -> bool:
        # Warnings are reported but, as in a load, do not fail the file.
        return not self.blocking_checks and not self.skipped

    @property
    def verdict(self) -> str:
        if self.skipped:
            return f"a load would not read it: {self.skipped}"
        if not self.ok:
            return "would block the build: " + "; ".join(self.blocking_checks)
        if self.rows_quarantined:
            return (
                f"loads with {self.rows_quarantined} of {self.rows_read} rows quarantined "
                f"({100 * self.quarantined_share:.1f}%), within the {100 * self.threshold:g}% "
                "limit"
            )
        return "loads cleanly"

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def landing_day(path: Path) -> date | None:
    """The partition a file in a landing folder (landing/<source>/<day>/) belongs to."""
    folder = path.absolute().parent  # not resolved: a link is judged where it lies
    try:
        day = date.fromisoformat(folder.name)
    except ValueError:
        return None
    return day if folder.parent.name in SOURCES else None


def validate_file(
    path: Path, source_name: str, profile_name: str | None = None
) -> ValidationReport:
    source = SOURCES[source_name]
    profile = (
        load_profile(profile_name, source_name)
        if profile_name
        else profile_for_file(path, source_name)
    )
    folder_day = landing_day(path)
    if folder_day:
        # In a landing folder, the file is judged by the loader's rules for what it reads.
        why = skip_reason(path, path.absolute().parents[2].resolve())
        if why:
            return ValidationReport(str(path), source_name, profile.name, skipped=why)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        staged = stage_file(con, source, path, 0, folder_day or datetime.now(UTC).date(), profile)
        report = ValidationReport(
            str(path),
            source_name,
            profile.name,
            rows_read=staged.result.read,
            new_columns=staged.result.new_columns,
            threshold=current().quarantine_threshold,
        )
        report.rows_quarantined = con.execute(
            f"SELECT (SELECT count(*) FROM {staged.checked} WHERE _reason IS NOT NULL) + "
            f"(SELECT count(*) FROM {staged.unreadable})"
        ).fetchone()[0]
        report.rows_valid = report.rows_read - report.rows_quarantined
        key = source.key
        report.duplicate_keys = con.execute(
            f'SELECT count(*) - count(DISTINCT "{key}") FROM {staged.checked} WHERE _reason IS NULL'
        ).fetchone()[0]
        original = staged.original_row_sql("i")
        reasons = con.execute(
            f"SELECT c._reason AS reason, count(*) AS n, list(c._rec ORDER BY c._rec)[1:3], "
            f"list({original} ORDER BY c._rec)[1:2] FROM {staged.checked} c "
            f"JOIN {staged.input} i USING (_rec) WHERE c._reason IS NOT NULL GROUP BY 1 "
            f"UNION ALL SELECT reason, count(*), list(_rec ORDER BY _rec)[1:3], "
            f"list(line ORDER BY _rec)[1:2] FROM {staged.unreadable} GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        for reason, n, recs, examples in reasons:
            report.failures.append(
                {"rule": reason, "rows": n, "records": recs, "examples": examples, "row": True}
            )
        # The same expectation suite a load is gated by, on the rows that would load, typed
        # as the raw table types them.
        columns = ", ".join(f'CAST("{c.name}" AS {c.type}) AS "{c.name}"' for c in source.columns)
        # A file in a landing folder is judged as that day's delivery; a file checked on its
        # own as if delivered on the day of its latest record (so freshness holds and
        # per-day checks see one day).
        latest = (
            folder_day
            or con.execute(
                f'SELECT CAST(max("{source.event_time}") AS DATE) FROM {staged.checked} '
                "WHERE _reason IS NULL"
            ).fetchone()[0]
        )
        report.partition_date = latest
        report.partition_from = "landing folder" if folder_day else "latest record"
        con.execute(
            f"CREATE TEMP VIEW _would_load AS SELECT {columns}, _extras, "
            f"DATE '{latest or date.today()}' AS _partition_date FROM {staged.checked} "
            # exact copies would be counted as duplicates, not loaded
            f'WHERE _reason IS NULL QUALIFY row_number() OVER (PARTITION BY "{source.key}", '
            "_row_hash ORDER BY _rec) = 1"
        )
        params = {"partition_date": latest} if latest else None
        suite = validate_table(
            con, "_would_load", raw_suite(source_name), pre_load=True, suite_params=params
        )
        report.suite = suite.suite
        report.expectations = len(suite.outcomes)
        for outcome in suite.failures:
            report.failures.append(
                {
                    "rule": f"{suite.suite}: {outcome.expectation} "
                    f"({'error' if outcome.blocking else 'warning'})",
                    "rows": outcome.unexpected_count,
                    "records": [],
                    "examples": outcome.examples[:3],
                    "blocking": outcome.blocking,
                    "expectation": True,
                    "observed": outcome.observed_value,
                }
            )
        return report
    finally:
        con.close()


def format_report(report: ValidationReport) -> str:
    lines = [
        f"{report.file} as {report.source} with profile {report.profile!r}:",
        f"  rows read {report.rows_read}, valid {report.rows_valid}, "
        f"quarantined {report.rows_quarantined}, duplicate keys {report.duplicate_keys}",
    ]
    if report.partition_date:
        lines.append(
            f"  judged as the delivery of {report.partition_date} ({report.partition_from})"
        )
    if report.suite:
        lines.append(f"  expectation suite {report.suite}: {report.expectations} expectations")
    if report.new_columns:
        lines.append(f"  unmapped columns kept as extras: {report.new_columns}")
    for failure in report.failures:
        if failure.get("row"):
            # Quarantined rows block only above the threshold, as in a load.
            label = "FAILED" if report.quarantine_blocks else "QUARANTINED"
        else:
            label = "FAILED" if failure.get("blocking", True) else "WARNING"
        if failure["records"]:
            detail = f"{failure['rows']} rows, e.g. records {failure['records']}"
        else:
            observed = json.dumps(failure.get("observed"), default=str)[:200]
            detail = f"{failure['rows'] or 0} rows, observed {observed}"
        lines.append(f"  {label} {failure['rule']}: {detail}")
        for example in failure["examples"]:
            lines.append(f"      {json.dumps(example, default=str)[:300]}")
    lines.append(f"verdict: {report.verdict} (exit {report.exit_code})")
    lines.append("OK" if report.ok else "FAILED")
    return "\n".join(lines)

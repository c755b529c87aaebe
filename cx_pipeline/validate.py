"""`cx-pipeline validate`: check one export against its mapping profile (and, where a
suite exists, its expectation suite) without loading it anywhere."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.ingest.loader import stage_file
from cx_pipeline.ingest.profiles import load_profile, profile_for_file


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

    @property
    def ok(self) -> bool:
        return not self.failures


def validate_file(
    path: Path, source_name: str, profile_name: str | None = None
) -> ValidationReport:
    source = SOURCES[source_name]
    profile = (
        load_profile(profile_name, source_name)
        if profile_name
        else profile_for_file(path, source_name)
    )
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        staged = stage_file(con, source, path, 0, datetime.now(UTC).date(), profile)
        report = ValidationReport(
            str(path),
            source_name,
            profile.name,
            rows_read=staged.result.read,
            new_columns=staged.result.new_columns,
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
        original = (
            "CAST(to_json(struct_pack("
            + ", ".join(f'"{c}" := i."{c}"' for c in staged.present)
            + ")) AS VARCHAR)"
            if staged.present
            else "NULL"
        )
        reasons = con.execute(
            f"SELECT c._reason AS reason, count(*) AS n, list(c._rec ORDER BY c._rec)[1:3], "
            f"list({original} ORDER BY c._rec)[1:2] FROM {staged.checked} c "
            f"JOIN {staged.input} i USING (_rec) WHERE c._reason IS NOT NULL GROUP BY 1 "
            f"UNION ALL SELECT reason, count(*), list(_rec ORDER BY _rec)[1:3], "
            f"list(line ORDER BY _rec)[1:2] FROM {staged.unreadable} GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        for reason, n, recs, examples in reasons:
            report.failures.append(
                {"rule": reason, "rows": n, "records": recs, "examples": examples}
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
    if report.new_columns:
        lines.append(f"  unmapped columns kept as extras: {report.new_columns}")
    for failure in report.failures:
        lines.append(
            f"  FAILED {failure['rule']}: {failure['rows']} rows, e.g. records {failure['records']}"
        )
        for example in failure["examples"]:
            lines.append(f"      {json.dumps(example)[:300]}")
    lines.append("OK" if report.ok else "FAILED")
    return "\n".join(lines)

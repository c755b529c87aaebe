"""The words of an alert: what failed, with the numbers that show it, and what to run next.

Each builder is called where the check knows its facts (the load checks hold the warehouse
connection, the expectation runner the outcome), so an alert never has to guess them back
from an observed value. Every builder returns (summary, details, next_step); personal data
is redacted again when the alert is built, whatever a builder lets through.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from cx_pipeline.alerts.redact import is_personal_key, redact, redact_row_text
from cx_pipeline.settings import current
from cx_pipeline.warehouse.sql_quote import literal

MAX_EXAMPLES = 3
MAX_REASONS = 3

Explanation = tuple[str, dict[str, Any], str]


def percent(part: float, whole: float) -> str:
    share = part / whole * 100 if whole else 0.0
    return f"{share:.1f}%"


def limit_text(limit: float) -> str:
    return f"{limit * 100:g}%"


def shown_path(source_file: str) -> str:
    """The file as a person finds it: relative to the landing folder when it is in there."""
    path = Path(str(source_file))
    try:
        return str(path.relative_to(current().landing_dir))
    except ValueError:
        return str(path)


def sql_command(query: str) -> str:
    return f"cx-pipeline sql {shlex.quote(query)}"


def warehouse_command(query: str) -> str:
    """The warehouse (not the published copy) has what a blocked load did not publish."""
    return f"duckdb -readonly {shlex.quote(str(current().warehouse_path))} {shlex.quote(query)}"


def validate_command(source_file: str, source: str) -> str:
    return f"cx-pipeline validate {shlex.quote(str(source_file))} --source {source}"


def quarantine_share(
    con, source, limit: float, worst_file, worst_day, first: str, last: str
) -> Explanation:
    """`worst_file` is (source_file, partition_date, rows_read, rows_quarantined),
    `worst_day` (partition_date, rows_read, rows_quarantined); either may be None."""
    details: dict[str, Any] = {"source": source.name, "limit": limit, "window": [first, last]}
    sentences: list[str] = []
    next_step = ""
    if worst_file:
        path, day, read, quarantined = worst_file
        reasons = con.execute(
            "SELECT reason, count(*) AS n FROM audit.quarantine WHERE source = ? "
            "AND source_file = ? AND partition_date = ? GROUP BY 1 ORDER BY 2 DESC, 1",
            [source.name, path, day],
        ).fetchall()
        examples = con.execute(
            "SELECT line_number, reason, original_row FROM audit.quarantine WHERE source = ? "
            "AND source_file = ? AND partition_date = ? ORDER BY line_number LIMIT ?",
            [source.name, path, day, MAX_EXAMPLES],
        ).fetchall()
        personal = set(source.pii)
        details.update(
            file=str(path),
            file_day=str(day),
            rows_read=int(read),
            rows_quarantined=int(quarantined),
            share=round(quarantined / read, 6) if read else 0.0,
            reasons={str(reason): int(n) for reason, n in reasons},
            examples=[
                {"line": line, "reason": reason, "row": _filled(redact_row_text(row, personal))}
                for line, reason, row in examples
            ],
        )
        state = "above" if read and quarantined / read > limit else "within"
        text = (
            f"{shown_path(path)}: {quarantined} of {read} rows ({percent(quarantined, read)}) "
            f"quarantined, {state} the {limit_text(limit)} limit"
        )
        if reasons:
            top = ", ".join(f"{reason} ({n})" for reason, n in reasons[:MAX_REASONS])
            more = len(reasons) - MAX_REASONS
            text += f": {top}" + (f" and {more} more reason(s)" if more > 0 else "")
        sentences.append(text + ".")
        next_step = validate_command(path, source.name)
        details["query"] = warehouse_command(
            "SELECT reason, count(*) FROM audit.quarantine WHERE source_file = "
            f"{literal(path)} GROUP BY 1 ORDER BY 2 DESC"
        )
    if worst_day:
        day, read, quarantined = worst_day
        details.update(day=str(day), day_rows_read=int(read), day_rows_quarantined=int(quarantined))
        if (
            read
            and quarantined / read > limit
            and (
                not worst_file or str(day) != str(worst_file[1]) or int(read) != int(worst_file[2])
            )
        ):
            sentences.append(
                f"Day {day} of {source.name}: {quarantined} of {read} rows "
                f"({percent(quarantined, read)}) quarantined, above the {limit_text(limit)} limit."
            )
    return " ".join(sentences), details, next_step


def reconciliation(source, unbalanced: list) -> Explanation:
    """`unbalanced`: (source_file, read, loaded, quarantined, duplicates) per file."""
    files = [
        {
            "file": str(path),
            "rows_read": int(read),
            "rows_loaded": int(loaded),
            "rows_quarantined": int(quarantined),
            "rows_duplicate": int(duplicates),
            "missing": int(read) - int(loaded) - int(quarantined) - int(duplicates),
        }
        for path, read, loaded, quarantined, duplicates in unbalanced
    ]
    if not files:
        return "", {"files": []}, ""
    parts = [
        f"{shown_path(f['file'])}: read {f['rows_read']}, loaded {f['rows_loaded']} + "
        f"quarantined {f['rows_quarantined']} + duplicates {f['rows_duplicate']} "
        f"({abs(f['missing'])} row(s) {'unaccounted for' if f['missing'] > 0 else 'too many'})"
        for f in files[:MAX_EXAMPLES]
    ]
    more = len(files) - MAX_EXAMPLES
    summary = (
        f"{len(files)} {source.name} file(s) do not balance (read = loaded + quarantined + "
        f"duplicates): " + "; ".join(parts) + (f"; and {more} more" if more > 0 else "") + "."
    )
    query = (
        "SELECT source_file, rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM "
        f"audit.load_reconciliation WHERE source = {literal(source.name)} AND rows_read "
        "<> rows_loaded + rows_quarantined + rows_duplicate"
    )
    return summary, {"files": files}, warehouse_command(query)


def expectation(
    outcome, suite: str, relation: str, pii: tuple[str, ...] = (), where: str = ""
) -> Explanation:
    """A failed expectation of a GX suite (an ExpectationOutcome)."""
    observed = outcome.observed_value
    column = outcome.column
    details: dict[str, Any] = {
        "suite": suite,
        "expectation": outcome.expectation,
        "column": column,
        "observed": observed,
    }
    on = f" on {relation}.{column}" if column else f" on {relation}"
    summary = f"Expectation {outcome.expectation}{on} failed"
    if isinstance(observed, dict) and "element_count" in observed:
        bad = observed.get("unexpected_count") or 0
        total = observed.get("element_count") or 0
        details.update(unexpected_count=bad, element_count=total)
        summary += f": {bad} of {total} values ({percent(bad, total)}) unexpected"
    elif observed is not None:
        summary += f": observed {_short(observed)}"
    examples = list(outcome.examples or [])[:MAX_EXAMPLES]
    if column and (column in pii or _personal(column)):
        # The failing values of a personal column are the personal data themselves.
        examples = ["[redacted]" for _ in examples]
    examples = redact(examples, set(pii))
    details["examples"] = examples
    if examples:
        summary += f"; e.g. {_short(examples, 200)}"
    if column and where:
        # The column's values in the run's window, most frequent first: the unexpected ones
        # stand out, and the warehouse has them even when the load was blocked.
        query = (
            f"SELECT {column}, count(*) FROM {relation} WHERE {where} GROUP BY 1 "
            "ORDER BY 2 DESC LIMIT 20"
        )
    else:
        query = (
            "SELECT partition, observed_value, metadata FROM audit.check_results WHERE "
            f"check_name = {literal(suite + ':' + outcome.expectation)} "
            "ORDER BY checked_at DESC LIMIT 1"
        )
    next_step = warehouse_command(query)
    return summary + ".", details, next_step


def missing_delivery(source: str, first: str, last: str) -> Explanation:
    days = first if first == last else f"{first}..{last}"
    summary = f"no {source} file delivered for {days}."
    folder = current().landing_dir / source
    return (
        summary,
        {"source": source, "window": [first, last], "landing": str(folder)},
        f"ls -l {shlex.quote(str(folder))}",
    )


def dbt_test(test: str, model: str, failing_rows: Any, status: str = "") -> Explanation:
    rows = f"{failing_rows} failing row(s)" if failing_rows is not None else "failed"
    summary = f"dbt test {test} on {model}: {rows}"
    if status and status not in ("fail", "error"):
        summary += f" (status {status})"
    details = {"test": test, "model": model, "failing_rows": failing_rows, "status": status}
    next_step = f"cd dbt_project && dbt test --select {shlex.quote(test)} --profiles-dir ."
    return summary + ".", details, next_step


def run_failure(
    run_id: str, failures: list[tuple[str, str]], message: str = "", log_path: str = ""
) -> Explanation:
    if failures:
        parts = [f"step {step} failed: {_cause(cause)}" for step, cause in failures[:MAX_EXAMPLES]]
        more = len(failures) - MAX_EXAMPLES
        summary = "Run failed: " + "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
    else:
        summary = f"Run failed: {message or 'no step reported a cause'}"
    details = {"failed_steps": [{"step": s, "cause": c} for s, c in failures]}
    if log_path:
        next_step = f"less {shlex.quote(log_path)}"
    else:
        next_step = f"open run {run_id} in the Dagster UI (Runs) for every step's log"
    return summary[:1000] + ("." if not summary.endswith(".") else ""), details, next_step


def _cause(cause: str) -> str:
    # "dagster._core.errors.DagsterAssetCheckFailedError: 1 blocking asset check failed
    # with ERROR severity:" reads better without the module path and the dangling colon.
    text = str(cause).strip().rstrip(":").strip()
    head, sep, rest = text.partition(": ")
    if sep and "." in head and " " not in head:
        text = f"{head.rsplit('.', 1)[-1]}: {rest}"
    return text


def _filled(row: Any) -> Any:
    """A wide export is mostly empty cells; an example shows the ones with a value."""
    if isinstance(row, dict):
        return {key: value for key, value in row.items() if value not in (None, "")}
    return row


def _personal(column: str) -> bool:
    return is_personal_key(column)


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"

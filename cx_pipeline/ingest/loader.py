"""Load one daily landing folder of one source into the raw layer.

Every row read ends in exactly one place (docs/sources.md, "What happens to each row"):
`raw.<table>` (loaded), `audit.quarantine` (with reason and original row) or counted as a
duplicate of the version in force (same key and same content).
`audit.load_reconciliation` records the counts per file. Re-running a partition first
removes what that partition loaded, so it never doubles a record.

The original row of a quarantined row is the export's clear text, personal data
included; `purge_quarantine` drops it after CX_QUARANTINE_RETENTION_DAYS and keeps the
rest of the row, so counts and reconciliation are unaffected.
"""

from __future__ import annotations

import fnmatch
import json
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from cx_pipeline.ingest.canonical import Source
from cx_pipeline.ingest.mapping import map_rows, row_json
from cx_pipeline.ingest.profiles import (
    Profile,
    ProfileError,
    builtin_canonical,
    choose_profile,
    is_context_file,
)
from cx_pipeline.ingest.readers import (
    RefusedFile,
    UnreadableFile,
    join_context,
    read_into_temp,
    read_raw_lines,
    record_line_offset,
)
from cx_pipeline.settings import Settings, current
from cx_pipeline.warehouse.sql_quote import ident, literal

AUDIT_DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.quarantine (
    source VARCHAR, partition_date DATE, source_file VARCHAR, line_number BIGINT,
    reason VARCHAR, original_row VARCHAR, profile VARCHAR, run_id VARCHAR,
    quarantined_at TIMESTAMPTZ, original_row_purged_at TIMESTAMPTZ
);
-- Warehouses created before the retention of original rows lack the column.
ALTER TABLE audit.quarantine ADD COLUMN IF NOT EXISTS original_row_purged_at TIMESTAMPTZ;
CREATE TABLE IF NOT EXISTS audit.removed_records (
    source VARCHAR, partition_date DATE, record_key VARCHAR, ticket_id VARCHAR,
    record_at TIMESTAMPTZ, run_id VARCHAR, removed_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS audit.load_reconciliation (
    source VARCHAR, partition_date DATE, source_file VARCHAR, profile VARCHAR,
    rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, rows_duplicate BIGINT,
    new_columns VARCHAR, run_id VARCHAR, loaded_at TIMESTAMPTZ
);
-- why a file in a landing folder was not read (a symlink, a hidden or temporary file, one
-- still being written); NULL for the files that were read
ALTER TABLE audit.load_reconciliation ADD COLUMN IF NOT EXISTS skipped VARCHAR;
"""

QUARANTINE_COLUMNS = (
    "source, partition_date, source_file, line_number, reason, original_row, profile, run_id, "
    "quarantined_at"
)


@dataclass
class FileResult:
    file: str
    profile: str
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = 0
    new_columns: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    # how the profile was chosen when that is worth saying (a user profile over a built-in)
    note: str | None = None
    # why the file was not read at all (docs/sources.md, "Landing layout")
    skipped: str | None = None


def raw_table_ddl(source: Source) -> str:
    cols = ",\n    ".join(f"{ident(c.name)} {c.type}" for c in source.columns)
    return (
        f"CREATE TABLE IF NOT EXISTS raw.{source.table} (\n    {cols},\n"
        "    _extras JSON, _source_file VARCHAR, _record_number BIGINT, "
        "_partition_date DATE, _row_hash VARCHAR, _profile VARCHAR, _run_id VARCHAR, "
        "_loaded_at TIMESTAMPTZ\n)"
    )


def ensure_tables(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    con.execute(AUDIT_DDL)
    con.execute(raw_table_ddl(source))
    # A canonical column added in a later version is added to an existing warehouse's raw
    # table (NULL for the rows loaded before), so an upgrade needs no rebuild of raw.
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ?",
            [source.table],
        ).fetchall()
    }
    for column in source.columns:
        if column.name not in have:
            con.execute(
                f"ALTER TABLE raw.{source.table} ADD COLUMN {ident(column.name)} {column.type}"
            )


# Names of files that are not deliveries (yet): hidden files, partial downloads and the
# temporary files of editors and copy tools.
TEMPORARY_NAMES = (".*", "*.part", "*.partial", "*.tmp", "*.crdownload", "*.swp", "~*")


def skip_reason(path: Path, root: Path) -> str | None:
    """Why a folder entry is not read, or None for a regular file to read."""
    if path.is_symlink():
        return "a symbolic link, not read: deliveries must be regular files inside landing/"
    if any(fnmatch.fnmatch(path.name, pattern) for pattern in TEMPORARY_NAMES):
        kind = "a hidden" if path.name.startswith(".") else "a temporary or partial"
        return f"{kind} file, not read: rename it when the delivery is complete"
    if path.is_dir():
        return "a folder, not read: files go directly in the day's folder"
    if not path.is_file():
        return "not a regular file (a pipe, socket or device), not read"
    if not path.resolve().is_relative_to(root):
        return "resolves outside landing/, not read"
    return None


def scan_landing(
    source: Source, day: date, settings: Settings | None = None
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The day's files to read, and the entries not read with why. Nothing in the folder
    goes unaccounted: every skipped entry gets a reconciliation row with its reason."""
    settings = settings or current()
    root = settings.landing_dir.resolve()
    folder = settings.landing_dir / source.name / day.isoformat()
    if not folder.is_dir():
        return [], []
    if folder.is_symlink() or not folder.resolve().is_relative_to(root):
        return [], [
            (folder, "the day's folder is a symbolic link or lies outside landing/: not read")
        ]
    files, skipped = [], []
    for path in sorted(folder.iterdir()):
        reason = skip_reason(path, root)
        if reason:
            skipped.append((path, reason))
        elif not is_context_file(path, source.name):
            files.append(path)
    unstable = _still_being_written(files, settings.landing_settle_seconds)
    skipped.extend((p, reason) for p, reason in unstable.items())
    return [p for p in files if p not in unstable], skipped


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _still_being_written(files: list[Path], settle: float) -> dict[Path, str]:
    """Files modified within the last CX_LANDING_SETTLE_SECONDS are looked at again after
    that long (one wait per folder): a file whose size or time changed meanwhile is still
    being written and is left for the next run."""
    if not settle or not files:
        return {}
    now = time.time()
    recent = {p: _signature(p) for p in files if now - p.stat().st_mtime < settle}
    if not recent:
        return {}
    newest = max(p.stat().st_mtime for p in recent)
    time.sleep(max(0.0, settle - (time.time() - newest)))
    return {
        p: f"still being written (changed within {settle:g} s), not read: the next run loads it"
        for p, before in recent.items()
        if _signature(p) != before
    }


def landing_files(source: Source, day: date, settings: Settings | None = None) -> list[Path]:
    return scan_landing(source, day, settings)[0]


@dataclass
class StagedFile:
    path: Path
    profile: Profile
    result: FileResult
    checked: str
    unreadable: str
    input: str
    present: list[str]

    def original_row_sql(self, alias: str) -> str:
        """The row as exported, rebuilt from `input` (aliased) only where it is needed."""
        return f"CAST({row_json(self.present, alias)} AS VARCHAR)"


def unreadable_reason(path: Path, exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{path.name}: cannot be read: {message}"


def stage_file(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    path: Path,
    index: int,
    day: date,
    profile: Profile | None = None,
) -> StagedFile:
    """Read and type one file into temp tables; outside any transaction, because a
    reader error aborts the transaction it happens in."""
    note = refused = None
    if profile is None:
        try:
            choice = choose_profile(path, source.name)
            profile, note = choice.profile, choice.note
        except ProfileError as exc:
            # The file is read as canonical only to be quarantined whole with the reason.
            profile, refused = builtin_canonical(), str(exc)
    result = FileResult(file=str(path), profile=profile.name, note=note)
    try:
        present = read_into_temp(con, path, profile, source)
        present += join_context(con, path, profile)
    except (UnreadableFile, duckdb.Error, OSError, ValueError, UnicodeError) as exc:
        # Whatever a file does to its reader, it is this file's row(s) in quarantine with the
        # cause; the other files of the day still load.
        reason = str(exc) if isinstance(exc, UnreadableFile) else unreadable_reason(path, exc)
        read_raw_lines(con, path, profile, whole=isinstance(exc, RefusedFile))
        con.execute("UPDATE _unreadable SET reason = ?", [reason])
        con.execute("CREATE OR REPLACE TEMP TABLE _in (_rec BIGINT)")
        present = []
    extras = map_rows(con, source, profile, present, path, day, refused)
    result.new_columns = extras
    staged = StagedFile(
        path,
        profile,
        result,
        f"_checked_{index}",
        f"_unreadable_{index}",
        f"_in_{index}",
        present,
    )
    result.read = con.execute(
        "SELECT (SELECT count(*) FROM _in) + (SELECT count(*) FROM _unreadable)"
    ).fetchone()[0]
    for temp, final in (
        ("_checked", staged.checked),
        ("_unreadable", staged.unreadable),
        ("_in", staged.input),
    ):
        con.execute(f"DROP TABLE IF EXISTS {final}; ALTER TABLE {temp} RENAME TO {final}")
    return staged


def _time_span_filter(con: duckdb.DuckDBPyConnection, source: Source, checked: str) -> str:
    t = ident(source.event_time)
    low, high = con.execute(
        f"SELECT CAST(min({t}) AS VARCHAR), CAST(max({t}) AS VARCHAR) FROM {checked} "
        "WHERE _reason IS NULL"
    ).fetchone()
    if low is None:
        return ""
    return f"AND r.{t} BETWEEN {literal(low)}::TIMESTAMPTZ AND {literal(high)}::TIMESTAMPTZ"


def _reinstate_older_versions(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """A row equal to a version delivered before is a duplicate only if that version is
    still the one in force. Delivered again after a newer version (A, then B, then A), it is
    loaded, and being the latest delivery it wins, as the staging models rank versions
    (docs/sources.md, "Re-deliveries")."""
    key = ident(source.key)
    con.execute(
        f"""
        UPDATE _classified c SET _outcome = CASE WHEN c._row_hash = latest.hash
            THEN 'duplicate' ELSE 'loaded' END
        FROM (
            SELECT r.{key} AS k,
                arg_max(r._row_hash, (r._partition_date, r._source_file, r._record_number))
                    AS hash
            FROM raw.{source.table} r
            WHERE r.{key} IN (SELECT {key} FROM _classified WHERE _outcome = 'seen')
            GROUP BY 1
        ) latest
        WHERE c._outcome = 'seen' AND c.{key} = latest.k
        """
    )


def store_file(
    con: duckdb.DuckDBPyConnection, source: Source, staged: StagedFile, day: date, run_id: str
) -> FileResult:
    path, profile, result = staged.path, staged.profile, staged.result
    key = ident(source.key)
    line_offset = record_line_offset(path, profile)
    # A duplicate is a valid row whose key and content were already seen: earlier in this
    # file, or as the version of the record in force (the latest delivered). Same key with
    # other content is a new version. Same content means the same record time, so only raw
    # rows within the time span of this file's valid rows can match: the bound, as literals,
    # lets DuckDB skip every row group outside it, and a daily load's lookup costs what the
    # file spans, not the whole history.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _classified AS
        SELECT *,
          CASE
            WHEN _reason IS NOT NULL THEN 'quarantined'
            -- the last copy in the file is kept: it is the file's latest word on the record
            WHEN row_number() OVER (PARTITION BY {key}, _row_hash ORDER BY _rec DESC) > 1
              THEN 'duplicate'
            WHEN EXISTS (
              SELECT 1 FROM raw.{source.table} r
              WHERE r.{key} = c.{key} AND r._row_hash = c._row_hash
                {_time_span_filter(con, source, staged.checked)}
            ) THEN 'seen'
            ELSE 'loaded'
          END AS _outcome
        FROM {staged.checked} c
        """
    )
    if con.execute("SELECT count(*) FROM _classified WHERE _outcome = 'seen'").fetchone()[0]:
        _reinstate_older_versions(con, source)
    cols = ", ".join(ident(c.name) for c in source.columns)
    file_name = str(path)
    # A row this partition held before, from the same file and line with the same key and
    # content, keeps its load time: a re-run that delivers nothing new then leaves the raw
    # tables' fingerprint as it was, and dbt and publish are skipped (build_state.py). Files
    # lie directly in the day's folder, so their name identifies them, also after the data
    # directory has moved.
    con.execute(
        f"INSERT INTO raw.{source.table} ({cols}, _extras, _source_file, _record_number, "
        "_partition_date, _row_hash, _profile, _run_id, _loaded_at) "
        f"SELECT {', '.join('c.' + ident(c.name) for c in source.columns)}, c._extras, ?, "
        f"c._rec + {line_offset}, ?, c._row_hash, ?, ?, coalesce(b.loaded_at, now()) "
        "FROM _classified c LEFT JOIN _loaded_before b ON b.file_name = ? "
        f"AND b.record_number = c._rec + {line_offset} AND b.row_hash = c._row_hash "
        f"AND b.k = c.{key} WHERE c._outcome = 'loaded'",
        [file_name, day, profile.name, run_id, path.name],
    )
    # The original row is rebuilt from the file's text only for the rows that need it.
    original = staged.original_row_sql("i")
    con.execute(
        f"INSERT INTO audit.quarantine ({QUARANTINE_COLUMNS}) "
        f"SELECT ?, ?, ?, c._rec + ?, c._reason, {original}, ?, ?, "
        f"now() FROM _classified c JOIN {staged.input} i USING (_rec) "
        "WHERE c._outcome = 'quarantined'",
        [source.name, day, file_name, line_offset, profile.name, run_id],
    )
    con.execute(
        f"INSERT INTO audit.quarantine ({QUARANTINE_COLUMNS}) "
        "SELECT ?, ?, ?, _rec, reason, line, ?, ?, now() "
        f"FROM {staged.unreadable}",
        [source.name, day, file_name, profile.name, run_id],
    )
    # Counted from where rows ended up, independently of the classification above, so that
    # the reconciliation check (read = loaded + quarantined + duplicates) can catch a loss.
    result.loaded = con.execute(
        f"SELECT count(*) FROM raw.{source.table} WHERE _source_file = ? AND _run_id = ? "
        "AND _partition_date = ?",
        [file_name, run_id, day],
    ).fetchone()[0]
    result.quarantined = con.execute(
        "SELECT count(*) FROM audit.quarantine WHERE source_file = ? AND run_id = ? "
        "AND partition_date = ?",
        [file_name, run_id, day],
    ).fetchone()[0]
    result.duplicates = con.execute(
        "SELECT count(*) FROM _classified WHERE _outcome = 'duplicate'"
    ).fetchone()[0]
    result.reasons = dict(
        con.execute(
            "SELECT reason, count(*) FROM audit.quarantine WHERE source_file = ? AND run_id = ? "
            "GROUP BY 1",
            [file_name, run_id],
        ).fetchall()
    )
    con.execute(
        "INSERT INTO audit.load_reconciliation (source, partition_date, source_file, profile, "
        "rows_read, rows_loaded, rows_quarantined, rows_duplicate, new_columns, run_id, "
        "loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [
            source.name,
            day,
            file_name,
            profile.name,
            result.read,
            result.loaded,
            result.quarantined,
            result.duplicates,
            json.dumps(result.new_columns),
            run_id,
        ],
    )
    _drop_staged(con, staged)
    return result


def _drop_staged(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> None:
    con.execute(
        f"DROP TABLE {staged.checked}; DROP TABLE {staged.unreadable}; DROP TABLE {staged.input}"
    )


def _record_skipped(
    con: duckdb.DuckDBPyConnection, source: Source, day: date, run_id: str, path: Path, why: str
) -> FileResult:
    con.execute(
        "INSERT INTO audit.load_reconciliation (source, partition_date, source_file, profile, "
        "rows_read, rows_loaded, rows_quarantined, rows_duplicate, new_columns, run_id, "
        "loaded_at, skipped) VALUES (?, ?, ?, NULL, 0, 0, 0, 0, '[]', ?, now(), ?)",
        [source.name, day, str(path), run_id, why],
    )
    return FileResult(file=str(path), profile="", skipped=why)


def clear_partition(con: duckdb.DuckDBPyConnection, source: Source, day: date) -> None:
    con.execute(f"DELETE FROM raw.{source.table} WHERE _partition_date = ?", [day])
    for table in ("audit.quarantine", "audit.load_reconciliation"):
        con.execute(
            f"DELETE FROM {table} WHERE source = ? AND partition_date = ?", [source.name, day]
        )


def _snapshot_keys(con: duckdb.DuckDBPyConnection, source: Source, day: date) -> None:
    # Grouped, so that the join in store_file can never match a row twice.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _loaded_before AS SELECT "
        f"{ident(source.key)} AS k, _row_hash AS row_hash, "
        "parse_filename(_source_file) AS file_name, _record_number AS record_number, "
        "min(_loaded_at) AS loaded_at "
        f"FROM raw.{source.table} WHERE _partition_date = ? GROUP BY ALL",
        [day],
    )
    ticket = "ticket_id" if source.key == "event_id" else "CAST(NULL AS VARCHAR)"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _keys_before AS SELECT DISTINCT {ident(source.key)} AS k, "
        f"{ticket} AS ticket_id, {ident(source.event_time)} AS record_at "
        f"FROM raw.{source.table} WHERE _partition_date = ?",
        [day],
    )


def _record_removed(con: duckdb.DuckDBPyConnection, source: Source, day: date, run_id: str):
    """Records this partition delivered before and that no delivery holds any more (a file
    removed, or re-mapped by a corrected profile to other keys). The dbt models incremental
    by key delete them too (macro keys_delivered_in_window), so the marts lose them without a
    full refresh."""
    # First loads of a day have nothing before; re-runs mostly re-deliver the same keys,
    # found within the day's own rows, so the whole-table lookup sees only the leftovers.
    con.execute(
        f"DELETE FROM _keys_before WHERE k IN (SELECT {ident(source.key)} "
        f"FROM raw.{source.table} WHERE _partition_date = ?)",
        [day],
    )
    if con.execute("SELECT count(*) FROM _keys_before").fetchone()[0]:
        con.execute(
            "INSERT INTO audit.removed_records SELECT ?, ?, b.k, b.ticket_id, b.record_at, ?, "
            f"now() FROM _keys_before b WHERE NOT EXISTS (SELECT 1 FROM raw.{source.table} r "
            f"WHERE r.{ident(source.key)} = b.k)",
            [source.name, day, run_id],
        )
    con.execute("DROP TABLE _keys_before; DROP TABLE _loaded_before")


def purge_quarantine(
    con: duckdb.DuckDBPyConnection, source: Source, retention_days: int | None = None
) -> int:
    """Forget the original rows `source` quarantined more than `retention_days` ago.

    The rows stay, with reason, file and line, so the reconciliation of every file still
    adds up; only the clear-text content goes. Returns how many rows were purged.
    """
    days = current().quarantine_retention_days if retention_days is None else retention_days
    ensure_tables(con, source)
    return con.execute(
        "UPDATE audit.quarantine SET original_row = NULL, original_row_purged_at = now() "
        "WHERE source = ? AND original_row IS NOT NULL "
        "AND quarantined_at < now() - to_days(CAST(? AS INTEGER))",
        [source.name, days],
    ).fetchone()[0]


def load_partition(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    day: date,
    run_id: str,
    settings: Settings | None = None,
) -> list[FileResult]:
    """Replace everything `day`'s landing folder (under `settings`' data directory)
    contributed, in one transaction."""
    ensure_tables(con, source)
    files, skipped = scan_landing(source, day, settings)
    staged, changed = [], []
    for i, path in enumerate(files):
        before = _signature(path)
        staged_file = stage_file(con, source, path, i, day)
        if path.exists() and _signature(path) == before:
            staged.append(staged_file)
        else:
            # Rewritten while it was read: what was read may be half a file.
            changed.append(
                (path, "changed while it was being read, not loaded: the next run loads it")
            )
            _drop_staged(con, staged_file)
    con.execute("BEGIN TRANSACTION")
    try:
        _snapshot_keys(con, source, day)
        clear_partition(con, source, day)
        results = [store_file(con, source, f, day, run_id) for f in staged]
        results += [_record_skipped(con, source, day, run_id, p, r) for p, r in skipped + changed]
        _record_removed(con, source, day, run_id)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return results

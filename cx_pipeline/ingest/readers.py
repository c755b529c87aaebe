"""Turn one landing file into a DuckDB temp table of text columns plus `_rec`, the
record's position in the file (its line for CSV and JSONL), read by DuckDB's own
readers so that large exports stream at DuckDB speed instead of through Python.

Rows the reader cannot split go to the temp table `_unreadable(_rec, line, reason)`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cx_pipeline.ingest.profiles import Profile

SUPPORTED_SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".json", ".parquet")
_LINE_SEPARATOR = "chr(30)"  # a record separator no CSV or JSONL text uses


class UnreadableFile(Exception):
    """The whole file cannot be parsed in the declared format."""


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in SUPPORTED_SUFFIXES:
        if name.endswith(suffix):
            return suffix.split(".")[1]
    return None


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _encoding_option(profile: Profile) -> str:
    encoding = profile.encoding.lower().replace("_", "-")
    aliases = {"utf8": "utf-8", "latin1": "latin-1", "iso-8859-1": "latin-1", "utf-8-sig": "utf-8"}
    return _lit(aliases.get(encoding, encoding))


def _read_lines_sql(path: Path, profile: Profile) -> str:
    return (
        f"SELECT row_number() OVER () AS _rec, line FROM read_csv({_lit(str(path))}, "
        f"columns={{'line': 'VARCHAR'}}, delim={_LINE_SEPARATOR}, quote='', escape='', "
        f"header=false, auto_detect=false, encoding={_encoding_option(profile)}, "
        "max_line_size=200000000)"
    )


def read_into_temp(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile) -> list[str]:
    """Create temp tables `_in` and `_unreadable` for `path`; return `_in`'s data columns."""
    con.execute("DROP TABLE IF EXISTS _in; DROP TABLE IF EXISTS _unreadable")
    con.execute("CREATE TEMP TABLE _unreadable (_rec BIGINT, line VARCHAR, reason VARCHAR)")
    fmt = file_format(path)
    if fmt == "csv":
        _read_csv(con, path, profile)
    elif fmt == "jsonl":
        _read_json_lines(con, _read_lines_sql(path, profile))
    elif fmt == "json":
        _read_json_array(con, path)
    elif fmt == "parquet":
        con.execute(
            "CREATE TEMP TABLE _in AS SELECT row_number() OVER () AS _rec, "
            f"CAST(COLUMNS(*) AS VARCHAR) FROM read_parquet({_lit(str(path))})"
        )
    else:
        raise UnreadableFile(f"{path.name}: unsupported file type (use {SUPPORTED_SUFFIXES})")
    return [c for c in _columns(con, "_in") if c != "_rec"]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile) -> None:
    options = [
        "all_varchar=true",
        "header=true",
        f"skip={profile.skip_rows}",
        f"encoding={_encoding_option(profile)}",
        f"quote={_lit(profile.quote or chr(34))}",
        f"escape={_lit(profile.quote or chr(34))}",
        "store_rejects=true",
        "rejects_table='_rejects'",
        "rejects_scan='_rejects_scan'",
        "max_line_size=200000000",
    ]
    if profile.delimiter:
        options.append(f"delim={_lit(profile.delimiter)}")
    try:
        con.execute("DROP TABLE IF EXISTS _rejects; DROP TABLE IF EXISTS _rejects_scan")
        con.execute(
            "CREATE TEMP TABLE _in AS SELECT row_number() OVER () AS _rec, * "
            f"FROM read_csv({_lit(str(path))}, {', '.join(options)})"
        )
    except duckdb.Error as exc:
        raise UnreadableFile(f"{path.name}: not readable as CSV: {_first_line(exc)}") from exc
    # `_rec` of a rejected row is its physical line; of an accepted row, its record index.
    con.execute(
        "INSERT INTO _unreadable SELECT line, any_value(csv_line), 'unparseable CSV row: ' || "
        "string_agg(DISTINCT error_type, ', ' ORDER BY error_type) FROM _rejects GROUP BY line"
    )


def _read_json_lines(con: duckdb.DuckDBPyConnection, lines_sql: str) -> None:
    con.execute(f"CREATE TEMP TABLE _lines AS {lines_sql}")
    _json_records_to_in(con)


def _read_json_array(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        con.execute(
            "CREATE TEMP TABLE _lines AS SELECT row_number() OVER () AS _rec, "
            f"CAST(to_json(json) AS VARCHAR) AS line FROM read_json({_lit(str(path))}, "
            "format='array', records=false, maximum_object_size=200000000)"
        )
    except duckdb.Error as exc:
        raise UnreadableFile(f"{path.name}: not a JSON array: {_first_line(exc)}") from exc
    _json_records_to_in(con)


def _json_records_to_in(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM _lines WHERE trim(line) = ''")
    con.execute(
        "INSERT INTO _unreadable SELECT _rec, line, CASE WHEN NOT json_valid(line) "
        "THEN 'malformed JSON' ELSE 'JSON value is not an object' END FROM _lines "
        "WHERE NOT json_valid(line) OR json_type(CAST(CASE WHEN json_valid(line) "
        "THEN line END AS JSON)) <> 'OBJECT'"
    )
    keys = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT unnest(json_keys(CAST(line AS JSON))) AS k FROM _lines "
            "WHERE _rec NOT IN (SELECT _rec FROM _unreadable) ORDER BY k"
        ).fetchall()
    ]
    projections = ", ".join(f"CAST(line AS JSON) ->> {_lit(k)} AS {_ident(k)}" for k in keys)
    con.execute(
        f"CREATE TEMP TABLE _in AS SELECT _rec{', ' if keys else ''}{projections} FROM _lines "
        "WHERE _rec NOT IN (SELECT _rec FROM _unreadable)"
    )
    con.execute("DROP TABLE _lines")


def read_raw_lines(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile) -> None:
    """Fallback for an unreadable file: every line goes to `_unreadable` as text."""
    con.execute("DROP TABLE IF EXISTS _in; DROP TABLE IF EXISTS _unreadable")
    try:
        con.execute(
            f"CREATE TEMP TABLE _unreadable AS SELECT _rec, line, '' AS reason "
            f"FROM ({_read_lines_sql(path, profile)})"
        )
    except duckdb.Error:
        # Not even decodable as lines (e.g. a truncated gzip): keep the file's bytes.
        con.execute("CREATE TEMP TABLE _unreadable (_rec BIGINT, line VARCHAR, reason VARCHAR)")
        data = path.read_bytes()
        con.execute(
            "INSERT INTO _unreadable VALUES (1, ?, '')",
            [data[:1_000_000].decode("utf-8", errors="backslashreplace")],
        )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def join_context(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile) -> list[str]:
    """Left-join the profile's context file (same folder) onto `_in`; return its columns."""
    if not profile.context:
        return []
    matches = sorted(path.parent.glob(profile.context["file"]))
    if not matches:
        return []
    key = profile.context["key"]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _ctx AS SELECT * FROM read_csv("
        f"{_lit(str(matches[0]))}, all_varchar=true, header=true)"
    )
    columns = [c for c in _columns(con, "_ctx") if c != key]
    renamed = ", ".join(f"x.{_ident(c)} AS {_ident('ctx_' + c)}" for c in columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _in AS SELECT i.*, {renamed} FROM _in i "
        f"LEFT JOIN (SELECT DISTINCT ON ({_ident(key)}) * FROM _ctx) x "
        f"ON i.{_ident(key)} = x.{_ident(key)} ORDER BY i._rec"
    )
    con.execute("DROP TABLE _ctx")
    return ["ctx_" + c for c in columns]

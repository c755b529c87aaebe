"""Turn one landing file into a DuckDB temp table of text columns plus `_rec`, the
record's position in the file (its line for CSV and JSONL, its row number in the sheet
for Excel, its case number for SPSS), read by DuckDB's own readers so that large exports
stream at DuckDB speed instead of through Python. Spreadsheets and SPSS files have no
DuckDB reader: maintained Python readers (python-calamine, pyreadstat) turn them into an
Arrow table of text that DuckDB then reads like any other.

Rows the reader cannot split go to the temp table `_unreadable(_rec, line, reason)`.
"""

from __future__ import annotations

import csv
import math
import zlib
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from cx_pipeline.ingest.canonical import Source
from cx_pipeline.ingest.profiles import Profile
from cx_pipeline.warehouse.sql_quote import ident, literal

SUPPORTED_SUFFIXES = (
    ".csv",
    ".csv.gz",
    ".tsv",
    ".tsv.gz",
    ".jsonl",
    ".jsonl.gz",
    ".json",
    ".parquet",
    ".xlsx",
    ".sav",
)
# Formats whose bytes are not text: when unreadable, their lines mean nothing.
BINARY_FORMATS = ("xlsx", "sav", "parquet")
TEXT_FORMATS = ("csv", "tsv", "jsonl", "json")
_LINE_SEPARATOR = "chr(30)"  # a record separator no CSV or JSONL text uses


class UnreadableFile(Exception):
    """The whole file cannot be parsed in the declared format."""


class RefusedFile(UnreadableFile):
    """The file is not what its profile declares at all (binary, another encoding, empty):
    one quarantined row stands for it, not one per garbled line."""


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in SUPPORTED_SUFFIXES:
        if name.endswith(suffix):
            return suffix.split(".")[1]
    return None


def record_line_offset(path: Path, profile: Profile) -> int:
    """What to add to `_rec` to get the line a user sees: CSV records are counted from the
    first one below the header; the other readers give the line or row itself."""
    return 1 + profile.skip_rows if file_format(path) in ("csv", "tsv") else 0


def _encoding_option(profile: Profile) -> str:
    encoding = profile.encoding.lower().replace("_", "-")
    aliases = {"utf8": "utf-8", "latin1": "latin-1", "iso-8859-1": "latin-1", "utf-8-sig": "utf-8"}
    return literal(aliases.get(encoding, encoding))


def _read_lines_sql(path: Path, profile: Profile) -> str:
    return (
        f"SELECT row_number() OVER () AS _rec, line FROM read_csv({literal(str(path))}, "
        f"columns={{'line': 'VARCHAR'}}, delim={_LINE_SEPARATOR}, quote='', escape='', "
        f"header=false, auto_detect=false, encoding={_encoding_option(profile)}, "
        "max_line_size=200000000)"
    )


def read_into_temp(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, source: Source | None = None
) -> list[str]:
    """Create temp tables `_in` and `_unreadable` for `path`; return `_in`'s data columns.
    `source` tells the SPSS reader which variables feed numeric canonical columns."""
    con.execute("DROP TABLE IF EXISTS _in; DROP TABLE IF EXISTS _unreadable")
    con.execute("CREATE TEMP TABLE _unreadable (_rec BIGINT, line VARCHAR, reason VARCHAR)")
    fmt = file_format(path)
    if fmt is not None and path.stat().st_size == 0:
        raise RefusedFile(f"{path.name}: empty file (0 bytes)")
    if fmt in TEXT_FORMATS:
        check_text_bytes(path, profile)
    if fmt == "csv":
        _read_csv(con, path, profile)
    elif fmt == "tsv":
        _read_csv(con, path, profile, default_delimiter="\t")
    elif fmt == "xlsx":
        _arrow_to_in(con, _read_xlsx(path, profile))
    elif fmt == "sav":
        _arrow_to_in(con, _read_sav(path, profile, source))
    elif fmt == "jsonl":
        _read_json_lines(con, path, profile)
    elif fmt == "json":
        _read_json_array(con, path)
    elif fmt == "parquet":
        try:
            con.execute(
                "CREATE TEMP TABLE _in AS SELECT row_number() OVER () AS _rec, "
                f"CAST(COLUMNS(*) AS VARCHAR) FROM read_parquet({literal(str(path))})"
            )
        except duckdb.Error as exc:
            raise UnreadableFile(
                f"{path.name}: not readable as a Parquet file: {_first_line(exc)}"
            ) from exc
    else:
        raise UnreadableFile(f"{path.name}: unsupported file type (use {SUPPORTED_SUFFIXES})")
    return [c for c in _columns(con, "_in") if c != "_rec"]


def cell_text(value: object) -> str | None:
    """A spreadsheet or SPSS value as the text a CSV export of it would hold: whole numbers
    without `.0`, dates and times in ISO 8601, so that profiles map every format alike."""
    if value is None or value == "" or value != value:  # NaN and NaT differ from themselves
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _unique_names(header: list[object]) -> list[str]:
    names: list[str] = []
    for j, value in enumerate(header):
        name = (cell_text(value) or "").strip() or f"column{j}"
        base, n = name, 0
        while name in names:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names


def _read_xlsx(path: Path, profile: Profile) -> pa.Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        wanted = profile.sheet
        if wanted is None:
            sheet = names[0] if names else None
        elif isinstance(wanted, int):
            sheet = names[wanted - 1] if 1 <= wanted <= len(names) else None
        else:
            sheet = wanted if wanted in names else None
        if sheet is None:
            raise UnreadableFile(
                f"{path.name}: no sheet {wanted!r} (sheets: {names}); set `sheet:` in the profile"
            )
        # Not skipping the empty area keeps row i of the list at spreadsheet row i + 1.
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except UnreadableFile:
        raise
    except Exception as exc:  # the reader's errors have no common base class
        raise UnreadableFile(f"{path.name}: not readable as an Excel workbook: {exc}") from exc
    header_at = profile.skip_rows
    if len(rows) <= header_at:
        raise UnreadableFile(f"{path.name}: sheet {sheet!r} has no header row")
    columns = _unique_names(rows[header_at])
    recs: list[int] = []
    values: list[list[str | None]] = [[] for _ in columns]
    for i in range(header_at + 1, len(rows)):
        texts = [cell_text(v) for v in rows[i]]
        if not any(texts):
            continue  # a blank row of the sheet is not a record
        recs.append(i + 1)
        for j in range(len(columns)):
            values[j].append(texts[j] if j < len(texts) else None)
    return _text_table(recs, columns, values)


def _read_sav(path: Path, profile: Profile, source: Source | None) -> pa.Table:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat raises its own and OS errors alike
        raise UnreadableFile(f"{path.name}: not readable as an SPSS file: {exc}") from exc
    keep_codes = numeric_targets(profile, source) if profile.spss_value_labels else None
    columns = [str(c) for c in frame.columns]
    values = []
    for name in columns:
        labels = meta.variable_value_labels.get(name) or {}
        if keep_codes is None or name in keep_codes:
            labels = {}
        # Codes are matched as text so that 1 and 1.0 find the same label.
        by_text = {cell_text(k): str(v) for k, v in labels.items()}
        texts = [cell_text(v) for v in frame[name].tolist()]
        values.append([by_text.get(t, t) if t is not None else None for t in texts])
    return _text_table(list(range(1, len(frame) + 1)), columns, values)


def numeric_targets(profile: Profile, source: Source | None) -> set[str]:
    """Export columns mapped directly onto a canonical column that is not text: their codes
    are the values (an NPS of 0 labelled "Not at all likely" is still 0)."""
    if source is None:
        return set()
    return {profile.source_column(c.name) for c in source.columns if c.type != "VARCHAR"}


def _text_table(recs: list[int], columns: list[str], values: list[list[str | None]]) -> pa.Table:
    arrays = [pa.array(recs, pa.int64())] + [pa.array(v, pa.string()) for v in values]
    return pa.Table.from_arrays(arrays, names=["_rec", *columns])


def _arrow_to_in(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    con.register("_arrow_in", table)
    try:
        con.execute("CREATE TEMP TABLE _in AS SELECT * FROM _arrow_in")
    finally:
        con.unregister("_arrow_in")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, default_delimiter: str = ""
) -> None:
    options = [
        "all_varchar=true",
        "header=true",
        f"skip={profile.skip_rows}",
        f"encoding={_encoding_option(profile)}",
        f"quote={literal(profile.quote or chr(34))}",
        f"escape={literal(profile.quote or chr(34))}",
        "store_rejects=true",
        "rejects_table='_rejects'",
        "rejects_scan='_rejects_scan'",
        "max_line_size=200000000",
    ]
    delimiter = profile.delimiter or default_delimiter
    if delimiter:
        options.append(f"delim={literal(delimiter)}")
    try:
        con.execute("DROP TABLE IF EXISTS _rejects; DROP TABLE IF EXISTS _rejects_scan")
        con.execute(
            "CREATE TEMP TABLE _in AS SELECT row_number() OVER () AS _rec, * "
            f"FROM read_csv({literal(str(path))}, {', '.join(options)})"
        )
    except duckdb.Error:
        # DuckDB's strict reader gives up on a whole file for one bare carriage return, a
        # stray quote or mixed line endings; the rows that parse must still load.
        con.execute("DROP TABLE IF EXISTS _in")
        read_csv_by_line(con, path, profile, delimiter)
        return
    if _misread_as_one_column(con, path, profile):
        con.execute("DROP TABLE _in")
        read_csv_by_line(con, path, profile, delimiter)
        return
    # `_rec` of a rejected row is its physical line; of an accepted row, its record index.
    con.execute(
        "INSERT INTO _unreadable SELECT line, any_value(csv_line), 'unparseable CSV row: ' || "
        "string_agg(DISTINCT error_type, ', ' ORDER BY error_type) FROM _rejects GROUP BY line"
    )


_DELIMITERS = (",", ";", "\t", "|")
_CR = "\ue000"  # stands in for a bare carriage return while Python's csv splits a line
_MAX_RECORD_LINES = 200  # how far a quoted field may run over lines before it is a stray quote


def _misread_as_one_column(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile) -> bool:
    """DuckDB's sniffer, thrown by an unbalanced quote, may read a file as one column whose
    name is the whole header line."""
    columns = [c for c in _columns(con, "_in") if c != "_rec"]
    return len(columns) == 1 and any(
        d in columns[0] for d in (profile.delimiter, *_DELIMITERS) if d
    )


def _decompressed(path: Path) -> tuple[bytes, bool]:
    """The file's bytes (gunzipped), and whether a gzip stream ended before its end."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be read: {exc.strerror or exc}") from exc
    if not path.name.lower().endswith(".gz"):
        return raw, False
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(raw)
    except zlib.error as exc:
        raise UnreadableFile(f"{path.name}: not a gzip file: {exc}") from exc
    return data, not inflater.eof


def _head_bytes(path: Path, size: int = 65536) -> bytes:
    with open(path, "rb") as handle:
        raw = handle.read(size if not path.name.lower().endswith(".gz") else 1_000_000)
    if path.name.lower().endswith(".gz"):
        try:
            return zlib.decompressobj(wbits=31).decompress(raw, size)
        except zlib.error as exc:
            raise UnreadableFile(f"{path.name}: not a gzip file: {exc}") from exc
    return raw


def check_text_bytes(path: Path, profile: Profile) -> None:
    """A text export whose first bytes say it is not text in the declared encoding is
    refused with that cause (not one row per garbled line)."""
    encoding = _encoding_option(profile).strip("'")
    try:
        head = _head_bytes(path)
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be read: {exc.strerror or exc}") from exc
    if encoding.startswith("utf-16"):
        return
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RefusedFile(
            f"{path.name}: not {encoding} as declared: it starts with a UTF-16 byte order mark "
            "(declare `encoding: utf-16` in its profile)"
        )
    if b"\x00" in head:
        odd = head[1::2]
        looks_utf16 = len(odd) > 8 and odd.count(0) > 0.9 * len(odd)
        raise RefusedFile(
            f"{path.name}: not {encoding} as declared: "
            + (
                "it looks like UTF-16 without a byte order mark (declare `encoding: utf-16`)"
                if looks_utf16
                else "binary content (NUL bytes), not a text file"
            )
        )


def _physical_lines(
    path: Path, profile: Profile
) -> tuple[list[tuple[int, str | None, bytes]], tuple[int, str, str] | None]:
    """(line number, text or None when it does not decode, raw bytes) of every line, and the
    (line, text, reason) of a line cut off by a truncated gzip, if any."""
    data, truncated = _decompressed(path)
    encoding = _encoding_option(profile).strip("'")
    if encoding.startswith("utf-16"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{path.name}: not valid {encoding}: {exc}") from exc
        return [(n, t, t.encode()) for n, t in enumerate(text.split("\n"), 1)], None
    lines = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            text = raw.decode("utf-8-sig" if n == 1 and encoding == "utf-8" else encoding)
        except UnicodeDecodeError:
            text = None
        lines.append((n, text, raw))
    tail = None
    if truncated:
        # The last line is where the compressed data stops: what follows was never delivered.
        n, text, raw = lines.pop() if lines else (1, "", b"")
        tail = (
            n,
            raw.decode(encoding, errors="backslashreplace"),
            "truncated gzip: the compressed data ends inside this line; nothing after it "
            "was delivered",
        )
    return lines, tail


def _split(text: str, delimiter: str, quote: str) -> list[str] | None:
    """The fields of one record, or None when a quote is left open."""
    try:
        row = next(
            csv.reader(
                [text.replace("\r", _CR)], delimiter=delimiter, quotechar=quote, strict=True
            ),
            [],
        )
    except csv.Error:
        return None
    return [field.replace(_CR, "\r") for field in row]


def _header_names(fields: list[str]) -> list[str]:
    names, seen = [], {}
    for i, field in enumerate(fields):
        name = field.strip() or f"column{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def read_csv_by_line(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, delimiter: str = ""
) -> None:
    """A CSV that DuckDB's reader rejects, parsed record by record in Python: records that
    split into the header's number of fields load, every other line is quarantined with its
    line number and why. Slower than DuckDB, so only used when DuckDB gives up."""
    physical, tail = _physical_lines(path, profile)
    lines = [line for line in physical if line[0] > profile.skip_rows]
    encoding = _encoding_option(profile).strip("'")
    bad: list[tuple[int, str, str]] = []
    if lines and lines[-1][2] in (b"", b"\r"):
        lines.pop()  # the newline at the end of the file starts no record
    if not lines or lines[0][1] is None:
        raise UnreadableFile(f"{path.name}: header line is not valid {encoding}")
    header_text = lines[0][1].rstrip("\r")
    delimiter = delimiter or max(_DELIMITERS, key=header_text.count)
    quote = profile.quote or '"'
    header = _split(header_text, delimiter, quote)
    if not header:
        raise UnreadableFile(f"{path.name}: header line cannot be split into columns")
    names = _header_names(header)
    records: list[tuple[int, list[str]]] = []
    i = 1
    while i < len(lines):
        number, text, raw = lines[i]
        i += 1
        if text is None:
            bad.append(
                (
                    number,
                    raw.decode(encoding, errors="backslashreplace"),
                    f"unparseable CSV row: not valid {encoding}",
                )
            )
            continue
        text = text.removesuffix("\r")
        if not text.strip():
            continue
        fields, end = _split(text, delimiter, quote), i
        while fields is None and end < len(lines) and end - i < _MAX_RECORD_LINES:
            follow = lines[end][1]
            if follow is None:
                break
            text_joined = text + "\n" + follow.removesuffix("\r")
            candidate = _split(text_joined, delimiter, quote)
            end += 1
            text = text_joined
            fields = candidate
        if fields is None:
            bad.append(
                (
                    number,
                    lines[i - 1][1].removesuffix("\r"),
                    "unparseable CSV row: unbalanced quote",
                )
            )
            continue
        if len(fields) != len(names):
            bad.append(
                (
                    number,
                    text,
                    f"unparseable CSV row: {len(fields)} fields, the header has {len(names)}",
                )
            )
            continue
        i = end
        records.append((number, fields))
    # `_rec` + the header's line is the record's first physical line, as for DuckDB's reader.
    offset = 1 + profile.skip_rows
    columns = {"_rec": pa.array([n - offset for n, _ in records], pa.int64())}
    for k, name in enumerate(names):
        columns[name] = pa.array([f[k] if f[k] != "" else None for _, f in records], pa.string())
    table = pa.table(columns)
    con.register("_csv_by_line", table)
    try:
        con.execute("CREATE TEMP TABLE _in AS SELECT * FROM _csv_by_line")
    finally:
        con.unregister("_csv_by_line")
    if tail:
        bad.append(tail)
    if bad:
        con.executemany("INSERT INTO _unreadable VALUES (?, ?, ?)", bad)


def _read_json_lines(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile) -> None:
    try:
        con.execute(f"CREATE TEMP TABLE _lines AS {_read_lines_sql(path, profile)}")
    except duckdb.Error:
        # DuckDB decodes the whole file or nothing: one line in another encoding, or a
        # truncated gzip, would take every line with it. Line by line, only they are lost.
        con.execute("DROP TABLE IF EXISTS _lines")
        lines, bad = _decoded_lines(path, profile, "JSON line")
        con.register(
            "_py_lines",
            pa.table(
                {
                    "_rec": pa.array([n for n, _ in lines], pa.int64()),
                    "line": pa.array([t.removesuffix("\r") for _, t in lines], pa.string()),
                }
            ),
        )
        try:
            con.execute("CREATE TEMP TABLE _lines AS SELECT * FROM _py_lines")
        finally:
            con.unregister("_py_lines")
        if bad:
            con.executemany("INSERT INTO _unreadable VALUES (?, ?, ?)", bad)
    _json_records_to_in(con)


def _decoded_lines(
    path: Path, profile: Profile, what: str
) -> tuple[list[tuple[int, str]], list[tuple[int, str, str]]]:
    """(line number, text) of every line that decodes, and (line, text, reason) of the
    others, including the cut-off end of a truncated gzip."""
    physical, tail = _physical_lines(path, profile)
    encoding = _encoding_option(profile).strip("'")
    good, bad = [], []
    for number, text, raw in physical:
        if text is None:
            shown = raw.decode(encoding, errors="backslashreplace")
            bad.append((number, shown, f"unparseable {what}: not valid {encoding}"))
        else:
            good.append((number, text))
    if tail:
        bad.append(tail)
    if good and not good[-1][1].strip():
        good.pop()  # the newline at the end of the file starts no line
    return good, bad


def _read_json_array(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        con.execute(
            "CREATE TEMP TABLE _lines AS SELECT row_number() OVER () AS _rec, "
            f"CAST(to_json(json) AS VARCHAR) AS line FROM read_json({literal(str(path))}, "
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
    projections = ", ".join(f"CAST(line AS JSON) ->> {literal(k)} AS {ident(k)}" for k in keys)
    con.execute(
        f"CREATE TEMP TABLE _in AS SELECT _rec{', ' if keys else ''}{projections} FROM _lines "
        "WHERE _rec NOT IN (SELECT _rec FROM _unreadable)"
    )
    con.execute("DROP TABLE _lines")


def read_raw_lines(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, whole: bool = False
) -> None:
    """Fallback for an unreadable file: every line goes to `_unreadable` as text (`whole`:
    one row for the file, its first megabyte as text)."""
    con.execute("DROP TABLE IF EXISTS _in; DROP TABLE IF EXISTS _unreadable")
    if whole and file_format(path) not in BINARY_FORMATS:
        con.execute("CREATE TEMP TABLE _unreadable (_rec BIGINT, line VARCHAR, reason VARCHAR)")
        try:
            with open(path, "rb") as handle:
                shown = handle.read(1_000_000).decode("utf-8", errors="backslashreplace")
        except OSError as exc:
            shown = f"<unreadable file: {exc.strerror or exc}>"
        con.execute("INSERT INTO _unreadable VALUES (1, ?, '')", [shown.replace("\x00", "")])
        return
    if file_format(path) in BINARY_FORMATS:
        # A binary file has no lines: one row stands for the whole file.
        con.execute("CREATE TEMP TABLE _unreadable (_rec BIGINT, line VARCHAR, reason VARCHAR)")
        size = path.stat().st_size if path.exists() else 0
        con.execute("INSERT INTO _unreadable VALUES (1, ?, '')", [f"<binary file, {size} bytes>"])
        return
    try:
        con.execute(
            f"CREATE TEMP TABLE _unreadable AS SELECT _rec, line, '' AS reason "
            f"FROM ({_read_lines_sql(path, profile)})"
        )
    except duckdb.Error:
        # Not even decodable as lines (e.g. binary content): one row stands for the file.
        con.execute("DROP TABLE IF EXISTS _unreadable")
        con.execute("CREATE TEMP TABLE _unreadable (_rec BIGINT, line VARCHAR, reason VARCHAR)")
        try:
            data = path.read_bytes()
            shown = data[:1_000_000].decode("utf-8", errors="backslashreplace")
        except OSError as exc:
            shown = f"<unreadable file: {exc.strerror or exc}>"
        con.execute("INSERT INTO _unreadable VALUES (1, ?, '')", [shown])
    if not con.execute("SELECT count(*) FROM _unreadable").fetchone()[0]:
        # An empty file is still a delivery: it is counted, not lost.
        con.execute("INSERT INTO _unreadable VALUES (1, '', '')")


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
        f"{literal(str(matches[0]))}, all_varchar=true, header=true)"
    )
    columns = [c for c in _columns(con, "_ctx") if c != key]
    renamed = ", ".join(f"x.{ident(c)} AS {ident('ctx_' + c)}" for c in columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _in AS SELECT i.*, {renamed} FROM _in i "
        f"LEFT JOIN (SELECT DISTINCT ON ({ident(key)}) * FROM _ctx) x "
        f"ON i.{ident(key)} = x.{ident(key)} ORDER BY i._rec"
    )
    con.execute("DROP TABLE _ctx")
    return ["ctx_" + c for c in columns]

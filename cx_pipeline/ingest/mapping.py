"""Map a file's text columns to typed canonical columns with the profile, in SQL.

Input: temp table `_in` (text columns of the export plus `_rec`). Output: temp table
`_checked` with, per row, the canonical columns typed, the first failing rule's reason
(`_reason`, NULL when valid), `_row_hash` over the canonical values, `_original` (the row
as exported) and `_extras` (unmapped columns as JSON).

Steps, each one statement over the whole file: thread roots (profiles with `thread`) →
renames and constants → null markers → value maps → derived columns (SQL the profile
writes, window functions allowed) → casting with the profile's timestamp and date formats
(relative dates against the landing folder's date) and time zone, recording each
timestamp's precision → rules → rescaling of scores declared on another scale.
"""

from __future__ import annotations

import fnmatch
from datetime import date
from pathlib import Path

import duckdb

from cx_pipeline.ingest import language
from cx_pipeline.ingest.canonical import Column, Source
from cx_pipeline.ingest.profiles import Profile
from cx_pipeline.settings import current
from cx_pipeline.warehouse.sql_quote import ident, literal


def _defaulted(column: Column, profile: Profile, present: set[str]) -> bool:
    return bool(
        column.default_sql
        and column.name not in profile.columns
        and column.name not in profile.constants
        and column.name not in profile.derive
        and column.name not in present
    )


def text_expr(column: Column, profile: Profile, present: set[str]) -> str:
    """The column's value as trimmed text after renames, null markers and value maps."""
    if column.name in profile.constants:
        return literal(profile.constants[column.name])
    src = profile.source_column(column.name)
    if src.startswith("sql:"):
        expr = f"CAST(({src[4:].strip()}) AS VARCHAR)"
    elif src in present:
        expr = f"trim({ident(src)})"
    elif _defaulted(column, profile, present):
        return column.default_sql
    else:
        return "CAST(NULL AS VARCHAR)"
    nulls = ", ".join(literal(v) for v in profile.null_values)
    expr = f"CASE WHEN {expr} IN ({nulls}) THEN NULL ELSE {expr} END"
    mapping = profile.value_maps.get(column.name)
    if mapping:
        whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in mapping.items())
        expr = f"CASE {expr} {whens} ELSE {expr} END"
    return expr


_TIME_DIRECTIVES = ("%H", "%-H", "%I", "%-I", "%M", "%-M", "%S", "%-S", "%f", "%T", "%c", "%p")
_DAY_DIRECTIVES = ("%d", "%-d", "%j", "%-j", "%x", "%a", "%A", "%w", "%u")


def format_precision(fmt: str) -> str | None:
    """How precisely a strptime format dates a record: NULL with a time of day, else 'day'
    with a day, else 'month'."""
    if any(d in fmt for d in _TIME_DIRECTIVES):
        return None
    if any(d in fmt for d in _DAY_DIRECTIVES):
        return "day"
    return "month"


def _relative_parsers(text: str, profile: Profile) -> list[tuple[str, str | None]]:
    """Relative dates as (timestamp, precision) SQL: midnight of the day, or of the first day
    of the month, counted back from the landing folder's date."""
    phrase = f"lower(trim({text}))"
    count = (
        f"CASE WHEN regexp_extract({phrase}, '^([0-9]+)', 1) <> '' "
        f"THEN CAST(regexp_extract({phrase}, '^([0-9]+)', 1) AS INTEGER) ELSE 1 END"
    )
    days = (
        f"CASE WHEN {phrase} = 'today' THEN _partition_date "
        f"WHEN {phrase} = 'yesterday' THEN _partition_date - 1 "
        f"WHEN regexp_full_match({phrase}, '([0-9]+|an?|one) days? ago') "
        f"THEN _partition_date - {count} END"
    )
    months = (
        f"CASE WHEN {phrase} = 'this month' THEN date_trunc('month', _partition_date) "
        f"WHEN {phrase} = 'last month' "
        "THEN date_trunc('month', _partition_date - INTERVAL 1 MONTH) "
        f"WHEN regexp_full_match({phrase}, '([0-9]+|an?|one) months? ago') "
        f"THEN date_trunc('month', _partition_date - to_months({count})) END"
    )
    zone = literal(profile.timezone)
    return [
        (f"timezone({zone}, CAST({days} AS TIMESTAMP))", "day"),
        (f"timezone({zone}, CAST({months} AS TIMESTAMP))", "month"),
    ]


def timestamp_parsers(text: str, profile: Profile) -> list[tuple[str, str | None]]:
    """(SQL of the value as TIMESTAMPTZ or NULL, its precision) in the order they are tried."""
    parsers = _relative_parsers(text, profile) if profile.relative_dates else []
    formats = [profile.timestamp_format] if profile.timestamp_format else []
    if not profile.timestamp_format:
        parsers.append((f"TRY_CAST({text} AS TIMESTAMPTZ)", None))
    for fmt in [*formats, *profile.date_formats]:
        parsed = f"try_strptime({text}, {literal(fmt)})"
        if "%z" not in fmt and "%Z" not in fmt:
            # Without an offset in the text the value is a local time of the profile's zone.
            parsed = f"timezone({literal(profile.timezone)}, {parsed})"
        else:
            # The text carries its offset: strptime gives the instant; the profile's zone is
            # only for timestamps without one.
            parsed = f"CAST({parsed} AS TIMESTAMPTZ)"
        parsers.append((parsed, format_precision(fmt)))
    return parsers


def _maps(profile: Profile, column: Column) -> bool:
    return (
        column.name in profile.columns
        or column.name in profile.constants
        or column.name in profile.derive
    )


def typed_expr(column: Column, text: str, profile: Profile) -> str:
    if column.precision_of and not _maps(profile, column):
        parsers = timestamp_parsers(ident(column.precision_of), profile)
        whens = " ".join(
            f"WHEN {sql} IS NOT NULL THEN {literal(p) if p else 'NULL'}" for sql, p in parsers
        )
        return f"CAST(CASE {whens} END AS VARCHAR)"
    if column.type == "TIMESTAMPTZ":
        parsers = timestamp_parsers(text, profile)
        if len(parsers) == 1:
            return parsers[0][0]
        return "coalesce(" + ", ".join(sql for sql, _ in parsers) + ")"
    if column.type == "INTEGER":
        # TRY_CAST('7.5' AS INTEGER) rounds to 8; a fractional score is a typing error. NaN,
        # infinities and values beyond the type stay NULL (CAST would raise and stop the
        # file): the reason says they are out of range.
        as_double = f"TRY_CAST({text} AS DOUBLE)"
        return (
            f"CASE WHEN isfinite({as_double}) AND {as_double} = floor({as_double}) "
            f"AND abs({as_double}) <= {INTEGER_LIMIT} THEN CAST({as_double} AS INTEGER) END"
        )
    if column.type == "BIGINT":
        whole = f"regexp_full_match({text}, '[+-]?[0-9]+')"
        return f"CASE WHEN {whole} THEN TRY_CAST({text} AS BIGINT) END"
    if column.type == "DOUBLE":
        as_double = f"TRY_CAST({text} AS DOUBLE)"
        return f"CASE WHEN isfinite({as_double}) THEN {as_double} END"
    if column.type == "BOOLEAN":
        return f"TRY_CAST(lower({text}) AS BOOLEAN)"
    if column.type == "VARCHAR":
        return text
    return f"TRY_CAST({text} AS {column.type})"


def declared_scale(column: Column, profile: Profile) -> tuple[float, float] | None:
    """The (low, high) scale the export uses for a score column, when the profile says."""
    for pattern, bounds in profile.scales.items():
        if fnmatch.fnmatch(column.name, pattern):
            return float(bounds[0]), float(bounds[1])
    return None


INTEGER_LIMIT = 2_147_483_647
_NUMERIC_LIMITS = {"INTEGER": INTEGER_LIMIT, "BIGINT": 9.2e18, "DOUBLE": None}


def _out_of_range(column: Column, raw: str) -> list[tuple[str, str]]:
    """Numbers that parse but that no column of the type can hold: NaN, infinities, and
    integers past the type's range. Named as such, not as a typing error."""
    if column.type not in _NUMERIC_LIMITS:
        return []
    number = f"TRY_CAST({raw} AS DOUBLE)"
    rules = [(f"NOT isfinite({number})", f"{column.name} out of range: not a finite number")]
    limit = _NUMERIC_LIMITS[column.type]
    if limit:
        rules.append((f"abs({number}) > {limit}", f"{column.name} out of range of {column.type}"))
    return rules


def plausible_time_rules(source: Source) -> list[tuple[str, str]]:
    """Record times before the floor (CX_RECORD_TIME_FLOOR) are quarantined: a year 1
    or 1900 is a placeholder or a parsing slip, not a customer's visit."""
    floor = current().record_time_floor
    return [
        (
            f"{ident(source.event_time)} < TIMESTAMPTZ {literal(floor.isoformat())}",
            f"{source.event_time} before {floor.isoformat()} (CX_RECORD_TIME_FLOOR)",
        )
    ]


def reason_expr(source: Source, profile: Profile, file_reason: str | None) -> str:
    """First failing rule of a typed row, or NULL when the row is valid."""
    if file_reason:
        return literal(file_reason)
    # A message outside any thread has no ticket: say why rather than "missing ticket_id".
    thread = "WHEN _thread_reason IS NOT NULL THEN _thread_reason " if profile.thread else ""
    whens = []
    for c in source.columns:
        name, raw = ident(c.name), ident("_t_" + c.name)
        if c.required:
            whens.append((f"{raw} IS NULL", f"missing required value {c.name}"))
        if c.type != "VARCHAR":
            whens.extend(
                (f"{raw} IS NOT NULL AND {name} IS NULL AND {cond}", reason)
                for cond, reason in _out_of_range(c, raw)
            )
            whens.append(
                (f"{raw} IS NOT NULL AND {name} IS NULL", f"{c.name} is not a valid {c.type}")
            )
        if c.allowed:
            allowed = ", ".join(literal(v) for v in c.allowed)
            whens.append((f"{name} NOT IN ({allowed})", f"{c.name} not one of {list(c.allowed)}"))
        low, high = declared_scale(c, profile) or (c.low, c.high)
        if low is not None:
            whens.append((f"{name} < {low}", f"{c.name} below {low:g}"))
        if high is not None:
            whens.append((f"{name} > {high}", f"{c.name} above {high:g}"))
    whens.extend(source.rules)
    whens.extend(plausible_time_rules(source))
    cases = " ".join(f"WHEN {cond} THEN {literal(reason)}" for cond, reason in whens)
    return f"CASE {thread}{cases} ELSE NULL END"


def canonical_value_expr(column: Column, profile: Profile) -> str:
    """The stored value: scores declared on another scale are rescaled linearly to the
    canonical one (e.g. 0-100 → 1-7), so that every survey compares."""
    scale = declared_scale(column, profile)
    if scale is None or column.low is None or column.high is None:
        return ident(column.name)
    low, high = scale
    return (
        f"CAST({column.low} + ({ident(column.name)} - {low}) * "
        f"{column.high - column.low} / {high - low} AS {column.type})"
    )


def _missing_required(source: Source, profile: Profile, present: set[str]) -> list[str]:
    return [
        f"{c.name} (export column {profile.source_column(c.name)!r})"
        for c in source.columns
        if c.required
        and c.name not in profile.constants
        and c.name not in profile.derive
        and not profile.source_column(c.name).startswith("sql:")
        and profile.source_column(c.name) not in present
    ]


def _thread_text(column: str, profile: Profile) -> str:
    nulls = ", ".join(literal(v) for v in profile.null_values)
    value = f"trim({ident(column)})"
    return f"CASE WHEN {value} IN ({nulls}) THEN NULL ELSE {value} END"


def key_is_message_id(source: Source, profile: Profile) -> bool:
    """Whether the record key is the export's message id, unchanged."""
    return (
        profile.source_column(source.key) == profile.thread["message_id"]
        and source.key not in profile.derive
        and source.key not in profile.constants
        and source.key not in profile.value_maps
    )


def _known_roots_sql(
    con: duckdb.DuckDBPyConnection, source: Source, profile: Profile, day: date
) -> str:
    """Roots of messages loaded from earlier days, keyed by message id, as SQL `(id, root)`.

    A reply delivered without its parent joins the parent's thread when the parent came in
    an earlier delivery. Only earlier days are read, so re-running a day gives the same
    ticket ids whatever later days hold."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' AND table_name = ?",
        [source.table],
    ).fetchone()[0]
    if not exists:
        return "SELECT CAST(NULL AS VARCHAR) AS id, CAST(NULL AS VARCHAR) AS root LIMIT 0"
    # The key column is cheap to filter on; a key built from the message id (a prefix, say)
    # leaves the message id in _extras, which is read only then.
    message = (
        f"r.{ident(source.key)}"
        if key_is_message_id(source, profile)
        else "r._extras ->> 'thread_message'"
    )
    return (
        f"SELECT DISTINCT ON ({message}) {message} AS id, r._extras ->> 'thread_root' AS root "
        f"FROM raw.{source.table} r WHERE r._profile = {literal(profile.name)} "
        f"AND r._partition_date < DATE {literal(day.isoformat())} "
        "AND r._extras ->> 'thread_root' IS NOT NULL "
        f"AND {message} IN (SELECT parent FROM _thread_orphans) "
        f"ORDER BY {message}, r._partition_date DESC, r._source_file DESC, "
        "r._record_number DESC"
    )


def build_thread_roots(
    con: duckdb.DuckDBPyConnection, source: Source, profile: Profile, day: date
) -> None:
    """Temp table `_thread` from `_in`: per `_rec`, message id, root, depth and reason.

    The root is the topmost message reached by following parent ids within the file;
    when that message's parent is not in the file, the parent's root from an earlier
    delivery, else the parent id itself: a reply to a thread's first message then lands on
    that message's ticket whichever file carries it. The walk goes down from the roots
    (one pass per thread level, each message visited once), so a cycle is never entered:
    its messages, and the replies below them, are simply not reached.
    """
    message, parent = profile.thread["message_id"], profile.thread["parent_id"]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _thread_rows AS SELECT _rec, "
        f"{_thread_text(message, profile)} AS id, {_thread_text(parent, profile)} AS parent "
        "FROM _in"
    )
    # One parent per message: the last row of a message repeated in the file wins, as in
    # staging. With one parent each, the walk from the roots visits each message once.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _thread_nodes AS SELECT DISTINCT ON (id) id, "
        "CASE WHEN parent = id THEN NULL ELSE parent END AS parent FROM _thread_rows "
        "WHERE id IS NOT NULL ORDER BY id, _rec DESC"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _thread_orphans AS SELECT DISTINCT n.parent "
        "FROM _thread_nodes n ANTI JOIN _thread_nodes p ON p.id = n.parent "
        "WHERE n.parent IS NOT NULL"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _thread_known AS "
        + _known_roots_sql(con, source, profile, day)
    )
    max_depth = profile.thread_max_depth
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _thread_walk AS
        WITH RECURSIVE walk(id, root, depth) AS (
            SELECT n.id,
                   CASE WHEN n.parent IS NULL THEN n.id ELSE coalesce(k.root, n.parent) END,
                   CASE WHEN n.parent IS NULL THEN 0 ELSE 1 END
            FROM _thread_nodes n
            LEFT JOIN _thread_known k ON k.id = n.parent
            WHERE n.parent IS NULL OR n.parent IN (SELECT parent FROM _thread_orphans)
            UNION ALL
            SELECT n.id, w.root, w.depth + 1
            FROM walk w JOIN _thread_nodes n ON n.parent = w.id
            WHERE w.depth < {max_depth}
        )
        SELECT * FROM walk
        """
    )
    too_deep = con.execute(
        "SELECT count(*) FROM _thread_walk w JOIN _thread_nodes n ON n.parent = w.id "
        f"WHERE w.depth >= {max_depth}"
    ).fetchone()[0]
    reason = "reply-to chain loops back on itself (a cycle of parent ids)"
    if too_deep:
        reason += f" or is deeper than thread max_depth {max_depth}"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _thread AS SELECT r._rec, r.id AS _thread_message, "
        "w.root AS _thread_root, "
        "w.depth AS _thread_depth, "
        f"CASE WHEN r.id IS NULL THEN {literal(f'missing thread message id ({message})')} "
        f"WHEN w.id IS NULL THEN {literal(reason)} END AS _thread_reason "
        "FROM _thread_rows r LEFT JOIN _thread_walk w ON w.id = r.id"
    )
    for table in ("_thread_rows", "_thread_nodes", "_thread_orphans", "_thread_known"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP TABLE _thread_walk")


def row_json(columns: list[str], alias: str | None = None) -> str:
    """SQL for the named columns of a row as one JSON object (NULL when there are none)."""
    if not columns:
        return "CAST(NULL AS JSON)"
    prefix = f"{alias}." if alias else ""
    pairs = ", ".join(f"{ident(c)} := {prefix}{ident(c)}" for c in columns)
    return f"to_json(struct_pack({pairs}))"


def _profile_columns_missing(profile: Profile, present: set[str]) -> list[str]:
    """Export columns the profile's `columns` names that the file does not have."""
    return [
        f"{src!r} (for {canonical})"
        for canonical, src in profile.columns.items()
        if not src.startswith("sql:") and src not in present
    ]


def file_reason_for(source: Source, profile: Profile, present: list[str], path: Path) -> str | None:
    """Why a whole file cannot be mapped (every row is quarantined with it), or None."""
    if not present:
        return "file has no readable columns"
    present_set = set(present)
    missing = _missing_required(source, profile, present_set)
    missing += [
        f"thread {k} (export column {profile.thread[k]!r})"
        for k in ("message_id", "parent_id")
        if profile.thread and profile.thread[k] not in present_set
    ]
    if missing:
        return (
            f"missing required column(s) {missing} in file {path.name} with profile "
            f"{profile.name!r}"
        )
    absent = _profile_columns_missing(profile, present_set)
    if absent:
        # A mapped column that is absent is a profile written for another layout: loading
        # the file with the column silently NULL would publish wrong numbers.
        return (
            f"profile {profile.name!r} maps column(s) {', '.join(absent)} that file {path.name} "
            "does not have"
        )
    return None


def map_rows(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    profile: Profile,
    present: list[str],
    path: Path,
    day: date,
    refused: str | None = None,
) -> list[str]:
    """Build `_checked` from `_in`; return the export's columns the profile does not map.
    `refused`: why the whole file is quarantined before any mapping (no usable profile).

    A profile whose SQL (`sql:` columns, `derive`) does not fit the file quarantines the
    whole file with a reason naming the step, the file and the profile: never a traceback.
    """
    mapped = {profile.source_column(c.name) for c in source.columns}
    extras = [c for c in present if c not in mapped]
    file_reason = refused or file_reason_for(source, profile, present, path)
    views: list[str] = []
    step = ["columns"]
    try:
        _build_checked(con, source, profile, present, day, extras, file_reason, views, step)
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        reason = (
            f"profile {profile.name!r} cannot map file {path.name}: {step[0]} failed: {message}"
        )
        _quarantine_whole_file(con, source, reason)
    finally:
        con.execute("SET TimeZone = 'UTC'")
        for view in reversed(views):
            con.execute(f"DROP VIEW IF EXISTS {view}")
        con.execute("DROP TABLE IF EXISTS _thread")
    return extras


def _quarantine_whole_file(con: duckdb.DuckDBPyConnection, source: Source, reason: str) -> None:
    columns = ", ".join(f"CAST(NULL AS {c.type}) AS {ident(c.name)}" for c in source.columns)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _checked AS SELECT _rec, CAST(NULL AS JSON) AS _extras, "
        f"{columns}, {literal(reason)} AS _reason, CAST(NULL AS VARCHAR) AS _row_hash FROM _in"
    )


def _build_checked(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    profile: Profile,
    present: list[str],
    day: date,
    extras: list[str],
    file_reason: str | None,
    views: list[str],
    step: list[str],
) -> None:
    present_set = set(present)
    src = (
        "struct_pack(" + ", ".join(f"{ident(c)} := {ident(c)}" for c in present) + ")"
        if present
        else "CAST(NULL AS VARCHAR)"
    )
    canonical = set(source.column_names)
    thread_from, thread_select = "", ""
    if profile.thread:
        step[0] = "thread"
        thread_columns = [profile.thread[k] for k in ("message_id", "parent_id")]
        if all(c in present_set for c in thread_columns):
            build_thread_roots(con, source, profile, day)
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _thread AS SELECT _rec, "
                "CAST(NULL AS VARCHAR) AS _thread_message, CAST(NULL AS VARCHAR) AS _thread_root, "
                "CAST(NULL AS INTEGER) AS _thread_depth, "
                "CAST(NULL AS VARCHAR) AS _thread_reason FROM _in"
            )
        thread_from = " LEFT JOIN _thread USING (_rec)"
        thread_select = ", _thread_message, _thread_root, _thread_depth, _thread_reason"
    # A chain of views, materialized once into `_checked`: at a gigabyte per file every
    # intermediate copy costs seconds and memory.
    views.append("_text0")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _text0 AS SELECT _rec, "
        f"DATE {literal(day.isoformat())} AS _partition_date, {src} AS src, "
        + ", ".join(
            f"{text_expr(c, profile, present_set)} AS {ident(c.name)}" for c in source.columns
        )
        + f", {row_json(extras)} AS _extras{thread_select} FROM _in{thread_from}"
    )

    def add_view(projection: str) -> None:
        name = f"_text{len(views)}"
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {projection} FROM {views[-1]}")
        views.append(name)

    for name, expression in profile.derive.items():
        step[0] = f"derive of {name}"
        # Each derived column may use the ones derived before it; names that are not
        # canonical columns are helpers, dropped after mapping.
        value = f"CAST(({expression}) AS VARCHAR)"
        add_view(
            f"* REPLACE ({value} AS {ident(name)})"
            if name in canonical
            else f"*, {value} AS {ident(name)}"
        )
    if source.text_columns and "language" not in profile.constants:
        function = language.register(con)
        text = " || ' ' || ".join(f"coalesce({ident(c)}, '')" for c in source.text_columns)
        # CASE, not coalesce: DuckDB then calls the detector only on rows without a language.
        add_view(
            f"* REPLACE (CASE WHEN language IS NULL THEN {function}({text}) ELSE language END "
            "AS language)"
        )
    kept = [n for n in profile.derive if n not in canonical and not n.startswith("_")]
    pairs = ", ".join(f"{literal(n)}, {ident(n)}" for n in kept)
    if profile.thread:
        # Kept so that a reply delivered on a later day, without its parent, finds the
        # parent's thread (see build_thread_roots), however the profile names tickets.
        facts = ["'thread_root', _thread_root"]
        if not key_is_message_id(source, profile):
            facts.append("'thread_message', _thread_message")
        pairs = ", ".join([pairs, *facts] if pairs else facts)
    if pairs:
        # Derived facts that are not canonical columns (e.g. late_delivery) are kept.
        add_view(
            "* REPLACE (json_merge_patch(coalesce(_extras, '{}'), "
            f"json_object({pairs})) AS _extras)"
        )
    add_view(
        "_rec, _extras, "
        + ("_thread_reason, " if profile.thread else "")
        + ", ".join(f"{ident(c.name)} AS {ident('_t_' + c.name)}" for c in source.columns)
        + ", "
        + ", ".join(
            f"{typed_expr(c, ident(c.name), profile)} AS {ident(c.name)}" for c in source.columns
        )
    )
    step[0] = "typing"
    # A precision left NULL is skipped by concat_ws: rows loaded before precision columns
    # existed keep their hash, so their re-delivery is still a duplicate.
    # A value defaulted from the record's position (event_seq without a counter in the
    # export) is not content: the same record re-delivered on another line is a duplicate.
    row_text = ", ".join(
        ident(c.name) if c.precision_of else f"coalesce(CAST({ident(c.name)} AS VARCHAR), chr(0))"
        for c in source.columns
        if not _defaulted(c, profile, present_set)
    )
    con.execute(f"SET TimeZone = {literal(profile.timezone)}")
    # Rules see values on the export's declared scale; what is kept is rescaled.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _checked AS SELECT _rec, _extras, "
        + ", ".join(
            f"{canonical_value_expr(c, profile)} AS {ident(c.name)}" for c in source.columns
        )
        + ", _reason, _row_hash FROM (SELECT *, "
        f"{reason_expr(source, profile, file_reason)} AS _reason, "
        f"md5(concat_ws(chr(31), {row_text})) AS _row_hash FROM {views[-1]})"
    )

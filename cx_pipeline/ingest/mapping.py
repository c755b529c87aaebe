"""Map a file's text columns to typed canonical columns with the profile, in SQL.

Input: temp table `_in` (text columns of the export plus `_rec`). Output: temp table
`_checked` with, per row, the canonical columns typed, the first failing rule's reason
(`_reason`, NULL when valid), `_row_hash` over the canonical values, `_original` (the row
as exported) and `_extras` (unmapped columns as JSON).

Steps, each one statement over the whole file: renames and constants → null markers →
value maps → derived columns (SQL the profile writes, window functions allowed) →
casting with the profile's timestamp and date formats (relative dates against the landing
folder's date) and time zone, recording each timestamp's precision → rules → rescaling of
scores declared on another scale.
"""

from __future__ import annotations

import fnmatch
from datetime import date
from pathlib import Path

import duckdb

from cx_pipeline.ingest import language
from cx_pipeline.ingest.canonical import Column, Source
from cx_pipeline.ingest.profiles import Profile


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def text_expr(column: Column, profile: Profile, present: set[str]) -> str:
    """The column's value as trimmed text after renames, null markers and value maps."""
    if column.name in profile.constants:
        return lit(profile.constants[column.name])
    src = profile.source_column(column.name)
    if src.startswith("sql:"):
        expr = f"CAST(({src[4:].strip()}) AS VARCHAR)"
    elif src in present:
        expr = f"trim({ident(src)})"
    elif column.default_sql and column.name not in profile.columns:
        return column.default_sql
    else:
        return "CAST(NULL AS VARCHAR)"
    nulls = ", ".join(lit(v) for v in profile.null_values)
    expr = f"CASE WHEN {expr} IN ({nulls}) THEN NULL ELSE {expr} END"
    mapping = profile.value_maps.get(column.name)
    if mapping:
        whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in mapping.items())
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
    zone = lit(profile.timezone)
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
        parsed = f"try_strptime({text}, {lit(fmt)})"
        if "%z" not in fmt and "%Z" not in fmt:
            # Without an offset in the text the value is a local time of the profile's zone.
            parsed = f"timezone({lit(profile.timezone)}, {parsed})"
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
            f"WHEN {sql} IS NOT NULL THEN {lit(p) if p else 'NULL'}" for sql, p in parsers
        )
        return f"CAST(CASE {whens} END AS VARCHAR)"
    if column.type == "TIMESTAMPTZ":
        parsers = timestamp_parsers(text, profile)
        if len(parsers) == 1:
            return parsers[0][0]
        return "coalesce(" + ", ".join(sql for sql, _ in parsers) + ")"
    if column.type == "INTEGER":
        # TRY_CAST('7.5' AS INTEGER) rounds to 8; a fractional score is a typing error.
        as_double = f"TRY_CAST({text} AS DOUBLE)"
        return f"CASE WHEN {as_double} = floor({as_double}) THEN CAST({as_double} AS INTEGER) END"
    if column.type == "BIGINT":
        whole = f"regexp_full_match({text}, '[+-]?[0-9]+')"
        return f"CASE WHEN {whole} THEN TRY_CAST({text} AS BIGINT) END"
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


def reason_expr(source: Source, profile: Profile, file_reason: str | None) -> str:
    """First failing rule of a typed row, or NULL when the row is valid."""
    if file_reason:
        return lit(file_reason)
    whens = []
    for c in source.columns:
        name, raw = ident(c.name), ident("_t_" + c.name)
        if c.required:
            whens.append((f"{raw} IS NULL", f"missing required value {c.name}"))
        if c.type != "VARCHAR":
            whens.append(
                (f"{raw} IS NOT NULL AND {name} IS NULL", f"{c.name} is not a valid {c.type}")
            )
        if c.allowed:
            allowed = ", ".join(lit(v) for v in c.allowed)
            whens.append((f"{name} NOT IN ({allowed})", f"{c.name} not one of {list(c.allowed)}"))
        low, high = declared_scale(c, profile) or (c.low, c.high)
        if low is not None:
            whens.append((f"{name} < {low}", f"{c.name} below {low:g}"))
        if high is not None:
            whens.append((f"{name} > {high}", f"{c.name} above {high:g}"))
    whens.extend(source.rules)
    cases = " ".join(f"WHEN {cond} THEN {lit(reason)}" for cond, reason in whens)
    return f"CASE {cases} ELSE NULL END"


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


def row_json(columns: list[str], alias: str | None = None) -> str:
    """SQL for the named columns of a row as one JSON object (NULL when there are none)."""
    if not columns:
        return "CAST(NULL AS JSON)"
    prefix = f"{alias}." if alias else ""
    pairs = ", ".join(f"{ident(c)} := {prefix}{ident(c)}" for c in columns)
    return f"to_json(struct_pack({pairs}))"


def map_rows(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    profile: Profile,
    present: list[str],
    path: Path,
    day: date,
) -> list[str]:
    """Build `_checked` from `_in`; return the export's columns the profile does not map."""
    present_set = set(present)
    mapped = {profile.source_column(c.name) for c in source.columns}
    extras = [c for c in present if c not in mapped]
    missing = _missing_required(source, profile, present_set)
    file_reason = None
    if missing and present:
        file_reason = (
            f"missing required column(s) {missing} in file {path.name} with profile "
            f"{profile.name!r}"
        )
    elif not present:
        file_reason = "file has no readable columns"
    src = (
        "struct_pack(" + ", ".join(f"{ident(c)} := {ident(c)}" for c in present) + ")"
        if present
        else "CAST(NULL AS VARCHAR)"
    )
    canonical = set(source.column_names)
    # A chain of views, materialized once into `_checked`: at a gigabyte per file every
    # intermediate copy costs seconds and memory.
    views = ["_text0"]
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _text0 AS SELECT _rec, "
        f"DATE {lit(day.isoformat())} AS _partition_date, {src} AS src, "
        + ", ".join(
            f"{text_expr(c, profile, present_set)} AS {ident(c.name)}" for c in source.columns
        )
        + f", {row_json(extras)} AS _extras FROM _in"
    )

    def add_view(projection: str) -> None:
        name = f"_text{len(views)}"
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {projection} FROM {views[-1]}")
        views.append(name)

    for name, expression in profile.derive.items():
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
    if kept:
        # Derived facts that are not canonical columns (e.g. late_delivery) are kept.
        pairs = ", ".join(f"{lit(n)}, {ident(n)}" for n in kept)
        add_view(
            "* REPLACE (json_merge_patch(coalesce(_extras, '{}'), "
            f"json_object({pairs})) AS _extras)"
        )
    add_view(
        "_rec, _extras, "
        + ", ".join(f"{ident(c.name)} AS {ident('_t_' + c.name)}" for c in source.columns)
        + ", "
        + ", ".join(
            f"{typed_expr(c, ident(c.name), profile)} AS {ident(c.name)}" for c in source.columns
        )
    )
    # A precision left NULL is skipped by concat_ws: rows loaded before precision columns
    # existed keep their hash, so their re-delivery is still a duplicate.
    row_text = ", ".join(
        ident(c.name) if c.precision_of else f"coalesce(CAST({ident(c.name)} AS VARCHAR), chr(0))"
        for c in source.columns
    )
    con.execute(f"SET TimeZone = {lit(profile.timezone)}")
    try:
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
    finally:
        con.execute("SET TimeZone = 'UTC'")
    for view in reversed(views):
        con.execute(f"DROP VIEW {view}")
    return extras

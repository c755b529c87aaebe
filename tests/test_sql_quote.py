"""One place quotes names and values for SQL (cx_pipeline/warehouse/sql_quote.py)."""

import re
from pathlib import Path

import duckdb

from cx_pipeline.warehouse.sql_quote import ident, literal, relation

ROOT = Path(__file__).resolve().parents[1]


def test_quoted_names_and_values_survive_duckdb_whatever_they_contain():
    con = duckdb.connect()
    name, value = "odd \"name\" 'here'", 'it\'s a "value"'
    con.execute(f"CREATE TABLE t AS SELECT {literal(value)} AS {ident(name)}")
    assert con.execute(f"SELECT {ident(name)} FROM t").fetchall() == [(value,)]
    assert literal(Path("/tmp/o'clock")) == "'/tmp/o''clock'"


def test_a_plain_dotted_name_is_quoted_part_by_part_anything_else_is_kept():
    assert relation("raw.reviews") == '"raw"."reviews"'
    assert relation("validated_frame") == '"validated_frame"'
    assert relation('"raw"."reviews"') == '"raw"."reviews"'


def test_no_module_quotes_sql_on_its_own():
    doubling = re.compile(r"""replace\(\s*(["'])(["'])\1\s*,\s*\1\2\2\1\s*\)""")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("cx_pipeline", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "sql_quote.py" and doubling.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

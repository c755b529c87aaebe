"""Analysts' clients: the published file opens in the newest DuckDB 1.x CLI from PyPI (a
throwaway environment, as an analyst's machine would have it) as well as in the 2.x library
that writes it, and every SQL example in the README runs as written."""

from __future__ import annotations

import re
import subprocess
import sys

import duckdb
import pytest
from conftest import ROOT, cli

README = ROOT / "README.md"


def readme_queries() -> list[str]:
    """Every statement the README gives analysts in its shell blocks: the ones after
    `duckdb -readonly <file>` and after `cx-pipeline sql`."""
    queries = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        joined = block.replace("\\\n", " ")
        for match in re.finditer(r'(?:duckdb -readonly \S+|cx-pipeline sql)\s+"([^"]*)"', joined):
            sql = " ".join(match.group(1).split())
            if "..." not in sql:
                queries.append(sql)
    return queries


@pytest.fixture(scope="session")
def duckdb_1x(tmp_path_factory):
    """The newest DuckDB 1.x CLI on the package index, in a virtualenv of its own."""
    env = tmp_path_factory.mktemp("duckdb_1x")
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    pip = str(env / "bin" / "pip")
    listing = subprocess.run(
        [pip, "index", "versions", "duckdb-cli"], capture_output=True, text=True, timeout=300
    ).stdout
    available = re.search(r"Available versions: (.*)", listing)
    assert available, f"pip lists no duckdb-cli versions: {listing[-500:]}"
    newest = next(v.strip() for v in available.group(1).split(",") if v.strip().startswith("1."))
    subprocess.run(
        [pip, "install", "-q", f"duckdb-cli=={newest}"],
        check=True,
        timeout=600,
        capture_output=True,
    )
    return str(env / "bin" / "duckdb"), newest


def _run_1x(cli_path: str, database, sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [cli_path, "-readonly", str(database), "-csv", "-noheader", sql],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_gives_queries_to_try():
    assert len(readme_queries()) >= 4


def test_published_file_opens_in_the_newest_duckdb_1x_cli(loaded_demo, duckdb_1x):
    cli_path, version = duckdb_1x
    shown = subprocess.run([cli_path, "-version"], capture_output=True, text=True).stdout
    assert shown.startswith("v1."), shown
    published = loaded_demo / "published" / "cx.duckdb"
    con = duckdb.connect(str(published), read_only=True)
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY 1, 2"
    ).fetchall()
    assert any(s == "marts" for s, _ in tables)
    for schema, table in tables:
        expected = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]
        result = _run_1x(cli_path, published, f'SELECT count(*) FROM "{schema}"."{table}"')
        assert result.returncode == 0, (version, result.stderr)
        assert int(result.stdout.strip()) == expected, (schema, table)
    con.close()


@pytest.mark.parametrize("sql", readme_queries())
def test_every_readme_query_runs_in_both_clients(loaded_demo, duckdb_1x, sql):
    cli_path, _ = duckdb_1x
    published = loaded_demo / "published" / "cx.duckdb"
    old = _run_1x(cli_path, published, sql)
    assert old.returncode == 0 and "Error" not in old.stderr, old.stderr
    ours = cli(loaded_demo, "sql", sql, "--format", "csv")
    rows = [line for line in ours.stdout.splitlines() if line.strip()]
    assert len(rows) - 1 == len([line for line in old.stdout.splitlines() if line.strip()])

import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# Files a test writes are complete when it loads them: no settling wait (tested on its own).
os.environ.setdefault("CX_LANDING_SETTLE_SECONDS", "0")

# A test (or a fixture it uses) whose source runs the pipeline: a `cx-pipeline load` or
# `demo` (through `cli` or its own process), or a dbt parse. Each costs tens of seconds;
# `make test-fast` (`-m "not load"`) leaves them out.
_RUNS_THE_PIPELINE = re.compile(
    r"""cli\((?:[^()]|\([^()]*\))*?"(?:load|demo)"    # the cli helper
    | "cx_pipeline\.cli",\s*"(?:load|demo)"           # a load in its own process
    | ensure_manifest\(""",
    re.VERBOSE | re.DOTALL,
)
# A module that runs the fault suite or dbt itself, wherever in the module it does.
_MODULE_RUNS_THE_PIPELINE = re.compile(r"faults\.py|dbt_executable\(\)|dbt_in_process\(")
_LOADING = {"load", "demo"}
_current_test: list[pytest.Item] = []


def _runs_the_pipeline(item: pytest.Item) -> bool:
    if _MODULE_RUNS_THE_PIPELINE.search(Path(item.module.__file__).read_text()):
        return True
    functions = [getattr(item, "function", None)]
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        functions.extend(d.func for d in definitions)
    for function in functions:
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        if _RUNS_THE_PIPELINE.search(source):
            return True
    return False


def pytest_configure(config):
    # Each xdist worker runs its own loads: dbt's target folder (manifest, partial-parse
    # state, run artifacts) must not be shared by two dbt processes at once. It is kept
    # between sessions so that the manifest is not parsed again when nothing changed.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    os.environ.setdefault(
        "CX_DBT_TARGET_PATH", str(ROOT / "dbt_project" / "target" / f"pytest-{worker}")
    )


# First: xdist's worker reads the `xdist_group` markers in its own hook of this name.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("slow") or _runs_the_pipeline(item):
            item.add_marker(pytest.mark.load)
        # A module-scoped fixture is built once per worker that runs one of its tests:
        # its tests go to one worker (`--dist loadgroup`).
        fixtures = item._fixtureinfo.name2fixturedefs.values()
        if any(d[-1].scope == "module" for d in fixtures):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    # The longest tests first, so that a worker is not left running one alone at the end.
    items.sort(key=lambda i: not i.get_closest_marker("slow"))


@pytest.fixture(autouse=True)
def _track_current_test(request):
    _current_test.append(request.node)
    yield
    _current_test.pop()


def cli(
    data_dir: Path, *args: str, check: bool = True, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess:
    """Run `cx-pipeline` as a user would, in its own process, against `data_dir`; `env` sets
    variables on top of this process's environment (None removes one)."""
    if args and args[0] in _LOADING and _current_test:
        assert _current_test[-1].get_closest_marker("load"), (
            f"{_current_test[-1].nodeid} runs `cx-pipeline {args[0]}` without the `load` "
            "marker: conftest.py did not recognise it, so `make test-fast` would run it"
        )
    extra = env or {}
    env = {**os.environ, "CX_DATA_DIR": str(data_dir)}
    # The instance is the data directory's unless the test names one.
    env.pop("DAGSTER_HOME", None)
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    completed = subprocess.run(
        [sys.executable, "-m", "cx_pipeline.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"cx-pipeline {' '.join(args)} exited {completed.returncode}\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return completed


def _session_root(tmp_path_factory) -> Path:
    """The session's temporary folder: with xdist, the parent of every worker's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_once(tmp_path_factory, name: str, build) -> Path:
    """A folder built once per session by `build(folder)`, even with xdist: the workers'
    base folders share a parent, and the first worker builds while the others wait."""
    folder = _session_root(tmp_path_factory) / name
    with FileLock(str(folder) + ".lock"):
        if not (folder / ".built").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A PostgreSQL server for the whole session (tests/servers.py), shared by the xdist
    workers and stopped when the session ends; the tests using it skip without one."""
    from servers import POSTGRES_MISSING, postgres_binaries, shared_postgres

    if postgres_binaries() is None:
        pytest.skip(POSTGRES_MISSING)
    # xdist's workers are children of the controller, which outlives them all.
    owner = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
    return shared_postgres(_session_root(tmp_path_factory), owner)


def pytest_sessionfinish(session):
    # Only the process that runs the whole session stops the server: a worker finishing
    # early would take it from under the other worker's tests.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    root = getattr(factory, "_basetemp", None)  # None: no test asked for a folder
    if root is not None:
        from servers import stop_shared_postgres

        stop_shared_postgres(root)


@pytest.fixture(scope="session")
def _demo_build(tmp_path_factory) -> Path:
    """Three generated days (with defects), loaded in one Dagster run; never handed to a
    test itself (see `loaded_demo`)."""

    def build(data_dir: Path) -> None:
        cli(
            data_dir,
            *("generate", "--start", "2025-03-03", "--days", "3", "--scale", "0.5"),
            *("--seed", "11"),
        )
        cli(data_dir, "load", "--all")

    return shared_once(tmp_path_factory, "cx_demo", build)


@pytest.fixture
def loaded_demo(_demo_build, tmp_path) -> Path:
    """The demo build's data directory, a copy of its own for each test: whatever a test
    loads or changes there, the next test starts from the build."""
    data_dir = tmp_path / "demo"
    shutil.copytree(_demo_build, data_dir, ignore=shutil.ignore_patterns(".built"))
    return data_dir


# The published marts, for tests that compare two builds of the same files.
MARTS = (
    "mart_cx_kpis",
    "mart_service_gaps",
    "mart_benchmarks",
    "mart_key_drivers",
    "mart_agent_scorecard",
    "mart_customer_health",
    "mart_review_themes",
    "mart_feedback_themes",
    "mart_suggestions",
    "mart_expectations_above_standard",
    "mart_closed_loop",
    "mart_followup_actions",
)


def rounded_select(con: duckdb.DuckDBPyConnection, db: str, table: str) -> str:
    # Sums of doubles may differ in the last bits with the order DuckDB's threads add them;
    # nine significant digits are far beyond any KPI's precision.
    cols = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = 'marts' AND table_name = ? ORDER BY column_index",
        [db, table],
    ).fetchall()
    exprs = [
        f"CASE WHEN {c} = 0 THEN 0 ELSE round({c} / 10 ^ floor(log10(abs({c}))), 9) "
        f"* 10 ^ floor(log10(abs({c}))) END AS {c}"
        if t == "DOUBLE"
        else c
        for c, t in cols
    ]
    return f"SELECT {', '.join(exprs)} FROM {db}.marts.{table}"

"""Every environment variable the pipeline reads, in one registry, and the `Settings` built
from them.

`Settings.from_env()` takes our variables out of the environment once; each is parsed when
its value is first asked for, so that a bad value fails the command or step that needs it,
with its name, and not every other one. The CLI builds its settings at start-up (with
`--data-dir` applied) and hands them on through `start()`; code loaded by Dagster
(`dagster dev`, `dg`) reads the environment as it is when the definitions load, and its
resources take the variables Dagster shows as `EnvVar`s (defs/resources.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The demo's key of the personal-id hashes; dbt_project/macros/pii.sql falls back to it too.
DEMO_PII_SALT = "cx-warehouse-demo-salt-not-secret"


class SettingError(ValueError):
    """An environment variable with a value that cannot be used."""


def _path(text: str) -> Path:
    return Path(text).expanduser().resolve()


def _date_text(name: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise SettingError(f"{name}={text!r} is not a date (YYYY-MM-DD)") from None
        return text

    return parse


def _retention_days(text: str) -> int:
    try:
        days = int(text.strip())
    except ValueError:
        days = -1
    if days < 0:
        # Guessing a default here could keep personal data longer than the operator asked.
        raise ValueError(
            f"CX_QUARANTINE_RETENTION_DAYS must be a whole number >= 0, got {text.strip()!r}"
        )
    return days


def _owners(text: str) -> list[str]:
    return [owner.strip() for owner in text.split(",") if owner.strip()]


def _stripped(text: str) -> str:
    return text.strip()


def _one_of(name: str, choices: tuple[str, ...], normal: Callable[[str], str]):
    """A parser of a variable that takes one of `choices` (after `normal`)."""

    def parse(text: str) -> str:
        value = normal(text.strip())
        if value not in choices:
            raise SettingError(f"{name}={text!r} is not one of {', '.join(choices)}")
        return value

    return parse


EXECUTORS = ("in_process", "multiprocess")
EXPECTATIONS_ENGINES = ("duckdb", "gx-pandas")


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None  # None: unset unless the environment sets it
    description: str
    parse: Callable[[str], Any] = str
    # README's words for a default that is not a plain value (derived, or a secret)
    shown_default: str = ""

    @property
    def documented_default(self) -> str:
        if self.shown_default:
            return self.shown_default
        return f"`{self.default}`" if self.default is not None else "none"


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "CX_DATA_DIR",
        "./data",
        "landing, warehouse, published copy, alerts, logs, Dagster home",
        _path,
    ),
    Variable(
        "CX_PII_SALT",
        None,
        "key of the hashes of personal ids; set a secret for real data",
        shown_default="a public demo salt (a loud warning is printed)",
    ),
    Variable(
        "CX_OWN_BRAND",
        None,
        "which reviewed brand is yours (e.g. one of the ten Trustpilot insurers)",
        shown_default="the brands seed's `is_own`",
    ),
    Variable(
        "CX_PROFILES_DIR",
        None,
        "your own mapping profiles (YAML), searched before the built-in ones",
        Path,
    ),
    Variable(
        "CX_REFERENCE_DIR",
        None,
        "your own reference data: any of the seed CSVs of `dbt_project/seeds/` by the same "
        "file name, each replacing the packaged one (see below)",
        _path,
        shown_default="none (the packaged seeds)",
    ),
    Variable(
        "CX_QUARANTINE_MAX_SHARE",
        "0.05",
        "largest quarantined share of a file or day before the build stops",
        float,
    ),
    Variable(
        "CX_RECORD_TIME_FLOOR",
        "2000-01-01",
        "record times before it are quarantined as implausible",
        date.fromisoformat,
    ),
    Variable(
        "CX_LANDING_SETTLE_SECONDS",
        "2",
        "a landing file changed more recently is looked at again after this long, and left "
        "for the next run if it is still changing",
        float,
    ),
    Variable(
        "CX_QUARANTINE_RETENTION_DAYS",
        "30",
        "days a quarantined row keeps its original (clear-text) content in the warehouse; "
        "see Privacy",
        _retention_days,
    ),
    Variable(
        "CX_PARTITIONS_START",
        None,
        "first daily partition",
        _date_text("CX_PARTITIONS_START"),
        shown_default="the oldest landing folder, else 90 days before today",
    ),
    Variable(
        "CX_DUCKDB_MEMORY_LIMIT",
        "2GB",
        "DuckDB's memory limit while loading (it spills to disk beyond; 2GB loaded a 1 GB "
        "export faster than 4GB)",
    ),
    Variable(
        "CX_DBT_MEMORY_LIMIT",
        "2GB",
        "DuckDB's memory limit in the dbt build (a size or a share of the machine's memory); "
        "every model spills to disk beyond it (read by `dbt_project/profiles.yml`)",
    ),
    Variable(
        "CX_EXPECTATIONS_ENGINE",
        "duckdb",
        "where row-level expectations run: `duckdb` (as SQL, one scan per suite; GX's pandas "
        "engine for what has no exact SQL) or `gx-pandas` (all in GX's pandas engine)",
        _one_of("CX_EXPECTATIONS_ENGINE", EXPECTATIONS_ENGINES, str.lower),
    ),
    Variable(
        "CX_GX_BATCH_ROWS",
        "200000",
        "rows per batch when GX's pandas engine evaluates row-level expectations",
        lambda text: max(1, int(text)),
    ),
    Variable(
        "CX_EXPECTATIONS_DIR",
        str(PROJECT_ROOT / "expectations"),
        "where the suites are read from",
        _path,
        shown_default="`expectations/`",
    ),
    Variable(
        "DAGSTER_HOME",
        None,
        "the Dagster instance (telemetry off, one DuckDB writer at a time)",
        _path,
        shown_default="`$CX_DATA_DIR/dagster_home`",
    ),
    Variable(
        "CX_DAGSTER_EXECUTOR",
        "in_process",
        "executor of the runs the daemon or the UI launches: `in_process` (DuckDB has one "
        "writer) or `multiprocess` (see docs/deploy.md); the CLI's loads always run in process",
        _one_of("CX_DAGSTER_EXECUTOR", EXECUTORS, lambda text: text.replace("-", "_")),
    ),
    Variable(
        "CX_ASSET_OWNERS",
        "team:data-engineering",
        "owners of every asset in the Dagster UI (comma-separated `team:NAME` or e-mail addresses)",
        _owners,
    ),
    Variable(
        "CX_DBT_PROJECT_DIR",
        str(PROJECT_ROOT / "dbt_project"),
        "the dbt project the pipeline builds",
        _path,
        shown_default="`dbt_project/`",
    ),
    Variable(
        "CX_DBT_TARGET_PATH",
        None,
        "dbt's target folder (manifest, partial-parse state); data directories sharing it "
        "share one parse, and their dbt builds take turns",
        _path,
        shown_default="`dbt_project/target`",
    ),
    Variable(
        "CX_PUBLISHED_STORAGE_VERSION",
        "v1.4.0",
        "DuckDB storage version of the published file, so that every client from DuckDB 1.4 "
        "on opens it",
    ),
    Variable(
        "CX_REPORT_PATH",
        None,
        "the HTML report `cx-pipeline report` and every publish write",
        _path,
        shown_default="`$CX_DATA_DIR/published/cx_report.html`",
    ),
    Variable("CX_ALERT_WEBHOOK_URL", None, "JSON webhook: one POST per alert", _stripped),
    Variable(
        "CX_ALERT_SLACK_WEBHOOK_URL", None, "Slack incoming webhook: one message per run", _stripped
    ),
    Variable(
        "CX_ALERT_TEAMS_WEBHOOK_URL",
        None,
        "Microsoft Teams workflow webhook: one Adaptive Card per run",
        _stripped,
    ),
    Variable("CX_ALERT_SMTP_HOST", None, "e-mail: the SMTP server (one e-mail per run)", _stripped),
    Variable("CX_ALERT_SMTP_PORT", "25", "e-mail: the SMTP port", _stripped),
    Variable("CX_ALERT_SMTP_TO", None, "e-mail: recipients, comma-separated"),
    Variable("CX_ALERT_SMTP_FROM", "cx-warehouse@localhost", "e-mail: sender", _stripped),
    Variable("CX_ALERT_SMTP_USER", None, "e-mail: login"),
    Variable("CX_ALERT_SMTP_PASSWORD", None, "e-mail: password"),
    Variable("CX_ALERT_SMTP_STARTTLS", None, "e-mail: STARTTLS (true or false)"),
    Variable("CX_ALERT_SMTP_SSL", None, "e-mail: SMTP over SSL (true or false)"),
    Variable(
        "CX_DAGSTER_UI_URL",
        None,
        "link to the run in alerts (e.g. `http://dagster.internal:3000`)",
        _stripped,
    ),
    Variable("CX_ALERT_RETRIES", "3", "attempts per alert message and sink"),
    Variable(
        "CX_ALERT_RETRY_BASE_SECONDS",
        "0.5",
        "first pause between attempts, doubling, capped at 4 s",
    ),
    Variable("CX_ALERT_TIMEOUT_SECONDS", "5", "a sink's timeout per connect or read"),
    Variable(
        "CX_ALERT_DEADLINE_SECONDS",
        "20",
        "the most a sink may spend on one call, every message, attempt and pause included",
    ),
)
BY_NAME: Mapping[str, Variable] = MappingProxyType({v.name: v for v in VARIABLES})


@dataclass(frozen=True)
class Settings:
    # Our variables as the environment set them (empty values count as unset).
    given: Mapping[str, str] = field(default_factory=dict)
    # Variables set by the program itself (the CLI's --data-dir), not by the environment.
    overridden: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        given = {v.name: environ[v.name] for v in VARIABLES if environ.get(v.name, "").strip()}
        return cls(given=MappingProxyType(given))

    def with_data_dir(self, data_dir: str | Path | None) -> Settings:
        """These settings with another data directory (None: unchanged)."""
        if data_dir is None:
            return self
        given = {**self.given, "CX_DATA_DIR": str(data_dir)}
        return replace(
            self, given=MappingProxyType(given), overridden=self.overridden | {"CX_DATA_DIR"}
        )

    def value(self, name: str) -> Any:
        """The variable parsed by its registry entry; its default when unset (None if none)."""
        variable = BY_NAME[name]
        text = self.given.get(name, variable.default)
        return None if text is None else variable.parse(text)

    def is_set(self, name: str) -> bool:
        return name in self.given

    def from_environment(self, name: str) -> bool:
        """Whether the environment (and not the program) set the variable."""
        return name in self.given and name not in self.overridden

    # --- where things live
    @property
    def data_dir(self) -> Path:
        return self.value("CX_DATA_DIR")

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "cx.duckdb"

    @property
    def published_path(self) -> Path:
        return self.data_dir / "published" / "cx.duckdb"

    @property
    def report_path(self) -> Path:
        return self.value("CX_REPORT_PATH") or self.data_dir / "published" / "cx_report.html"

    @property
    def cache_dir(self) -> Path:
        """What is costly to rebuild and never data (the report's JavaScript bundle): the
        user's cache, shared by every data directory."""
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base).expanduser() / "cx-warehouse"

    @property
    def alerts_path(self) -> Path:
        return self.data_dir / "alerts" / "alerts.jsonl"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def effective_seeds_dir(self) -> Path:
        return self.data_dir / "reference" / "seeds"

    @property
    def dagster_home(self) -> Path:
        return self.value("DAGSTER_HOME") or (self.data_dir / "dagster_home").resolve()

    @property
    def dbt_project_dir(self) -> Path:
        return self.value("CX_DBT_PROJECT_DIR")

    @property
    def dbt_target_path(self) -> Path:
        """dbt's target folder; CX_DBT_TARGET_PATH lets two checkouts' runs not share one."""
        return self.value("CX_DBT_TARGET_PATH") or (self.dbt_project_dir / "target").resolve()

    @property
    def reference_dir(self) -> Path | None:
        """The deployment's reference data (seed CSVs by name); None: the packaged seeds."""
        return self.value("CX_REFERENCE_DIR")

    @property
    def profiles_dir(self) -> Path | None:
        return self.value("CX_PROFILES_DIR")

    @property
    def expectations_dir(self) -> Path:
        return self.value("CX_EXPECTATIONS_DIR")

    # --- loading
    @property
    def partitions_start(self) -> str | None:
        return self.value("CX_PARTITIONS_START")

    @property
    def landing_settle_seconds(self) -> float:
        """How long a landing file must stay unchanged before it is read (a file still being
        copied is left for the next run)."""
        return self.value("CX_LANDING_SETTLE_SECONDS")

    @property
    def record_time_floor(self) -> date:
        """Record times before this day are quarantined as implausible: set it earlier to
        load older history."""
        return self.value("CX_RECORD_TIME_FLOOR")

    @property
    def quarantine_threshold(self) -> float:
        """Largest share of quarantined rows a file or partition may have before the gate
        fails."""
        return self.value("CX_QUARANTINE_MAX_SHARE")

    @property
    def quarantine_retention_days(self) -> int:
        return self.value("CX_QUARANTINE_RETENTION_DAYS")

    @property
    def pii_salt(self) -> tuple[str, bool]:
        """The key for hashing personal ids; (salt, is_demo_default)."""
        salt = self.given.get("CX_PII_SALT")
        return (salt, False) if salt else (DEMO_PII_SALT, True)

    @property
    def duckdb_memory_limit(self) -> str:
        return self.value("CX_DUCKDB_MEMORY_LIMIT")

    @property
    def expectations_engine(self) -> str:
        """Where row-level expectations run (quality/runner.py)."""
        return self.value("CX_EXPECTATIONS_ENGINE")

    @property
    def gx_batch_rows(self) -> int:
        """Largest batch handed to GX (memory vs. speed)."""
        return self.value("CX_GX_BATCH_ROWS")

    @property
    def published_storage(self) -> str:
        """DuckDB storage version of the published file: v1.4.0, the 1.4 long-term release,
        so that every client from DuckDB 1.4 on opens it."""
        return self.value("CX_PUBLISHED_STORAGE_VERSION")

    @property
    def asset_owners(self) -> list[str]:
        """Owners shown on every asset in the Dagster UI, read when the definitions load."""
        return self.value("CX_ASSET_OWNERS")

    @property
    def dagster_executor(self) -> str:
        """The executor of the runs Dagster launches, read when the definitions load."""
        return self.value("CX_DAGSTER_EXECUTOR")

    @property
    def dagster_ui_url(self) -> str:
        return self.value("CX_DAGSTER_UI_URL") or ""


_started: Settings | None = None


def start(settings: Settings) -> Settings:
    """The settings of this process from now on (the CLI, once, at start-up)."""
    global _started
    _started = settings
    return settings


def current() -> Settings:
    """The settings the process started with, else the environment as it is now."""
    return _started if _started is not None else Settings.from_env()


def alerts_path() -> Path:
    return current().alerts_path


def dbt_project_dir() -> Path:
    return current().dbt_project_dir


def quarantine_retention_days() -> int:
    return current().quarantine_retention_days


def disable_telemetry() -> None:
    """The environment of every tool this process starts. No network here: telemetry
    calls can stall, so every tool is told to stay quiet. Called once at start-up, by the
    CLI's main() and by definitions.py (what `dagster dev`, its runs and `dg` load)."""
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("DBT_DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # A run over many days plans one event per asset instead of one per asset and day: with
    # SQLite storage each event is a ~15 ms write, 13,000 of them for a year's backfill.
    # Trade-off (Dagster's): partitions of a failed range run are not marked failed.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")

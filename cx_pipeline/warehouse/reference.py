"""Reference data a deployment brings itself, overlaid on the packaged dbt seeds.

`CX_REFERENCE_DIR` may hold any subset of the packaged seed files by the same names. dbt
reads seeds from one folder only, so the pipeline assembles an effective folder under the
data directory (the packaged seeds, each replaced by the deployment's file of that name)
and points dbt's `seed-paths` at it through `CX_SEEDS_DIR`. The seeds keep their column
types (dbt_project.yml), documentation and tests (models/reference/_seeds.yml: a properties
file in an absolute seed path would make dbt write compiled tests beside it), and dbt's
partial parsing sees only the files whose content changed.

The deployment's files are checked before dbt sees them: dbt would report a missing column
or a value of the wrong type as a database error deep in a model, far from the file.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from cx_pipeline.settings import Settings, current

SEEDS_ENV = "CX_SEEDS_DIR"


class ReferenceDataError(ValueError):
    """A reference file dbt would fail on; the message is one line naming file and column."""


@dataclass(frozen=True)
class Seed:
    name: str
    column_types: dict[str, str]
    packaged: Path


def packaged_seeds_dir(settings: Settings | None = None) -> Path:
    return (settings or current()).dbt_project_dir / "seeds"


def seeds(settings: Settings | None = None) -> dict[str, Seed]:
    """The packaged seeds with the column types dbt_project.yml gives them."""
    settings = settings or current()
    project = yaml.safe_load((settings.dbt_project_dir / "dbt_project.yml").read_text())
    configs = (project.get("seeds") or {}).get(project["name"]) or {}
    found = {}
    for path in sorted(packaged_seeds_dir(settings).glob("*.csv")):
        config = configs.get(path.stem) or {}
        types = config.get("+column_types") or config.get("column_types") or {}
        found[path.stem] = Seed(path.stem, {k: str(v) for k, v in types.items()}, path)
    return found


def effective_files(settings: Settings | None = None) -> dict[str, Path]:
    """Each seed's file: the deployment's when its reference folder has one, else packaged."""
    settings = settings or current()
    user_dir = settings.reference_dir
    files = {}
    for name, seed in seeds(settings).items():
        candidate = user_dir / f"{name}.csv" if user_dir else None
        files[name] = candidate if candidate is not None and candidate.is_file() else seed.packaged
    return files


def digest(settings: Settings | None = None) -> str:
    """Content of the effective reference data; a change means every model reading it is stale."""
    h = hashlib.sha256()
    for name, path in sorted(effective_files(settings).items()):
        h.update(name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def validate(settings: Settings | None = None) -> None:
    """Check the deployment's files (the packaged ones are tested with the project)."""
    settings = settings or current()
    user_dir = settings.reference_dir
    if user_dir is None:
        return
    if not user_dir.is_dir():
        raise ReferenceDataError(f"CX_REFERENCE_DIR {user_dir} is not a folder")
    known = seeds(settings)
    for path in sorted(user_dir.iterdir()):
        if path.suffix.lower() != ".csv":
            continue
        # A misspelt name would otherwise be ignored silently and the packaged file used.
        if path.stem not in known:
            raise ReferenceDataError(
                f"{path}: not a reference file name; expected one of "
                f"{', '.join(f'{n}.csv' for n in known)}"
            )
        validate_file(path, known[path.stem])


def validate_file(path: Path, seed: Seed) -> None:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise ReferenceDataError(f"{path}: not a readable CSV file ({exc})") from None
    if not rows:
        raise ReferenceDataError(f"{path}: empty file (the header row is required)")
    header = [c.strip() for c in rows[0]]
    for column in seed.column_types:
        if column not in header:
            raise ReferenceDataError(
                f"{path}: column '{column}' is missing (header: {', '.join(header)})"
            )
    duplicated = {c for c in header if header.count(c) > 1}
    if duplicated:
        raise ReferenceDataError(f"{path}: column '{sorted(duplicated)[0]}' appears twice")
    for line, row in enumerate(rows[1:], start=2):
        if row and len(row) != len(header):
            raise ReferenceDataError(
                f"{path}: line {line} has {len(row)} fields, the header {len(header)}"
            )
    con = duckdb.connect()
    try:
        for column, sql_type in seed.column_types.items():
            index = header.index(column)
            values = [(line, row[index]) for line, row in enumerate(rows[1:], start=2) if row]
            bad = _first_uncastable(con, values, sql_type)
            if bad is not None:
                line, value = bad
                raise ReferenceDataError(
                    f"{path}: column '{column}' line {line}: {value!r} is not a {sql_type}"
                )
    finally:
        con.close()


def _first_uncastable(con, values: list[tuple[int, str]], sql_type: str):
    # dbt-duckdb loads a seed with DuckDB's CSV reader (COPY), so DuckDB's cast decides.
    if sql_type.lower() in ("varchar", "text", "string") or not values:
        return None
    row = con.execute(
        f"SELECT line, value FROM (SELECT unnest(?) AS line, unnest(?) AS value) "
        f"WHERE trim(value) <> '' AND TRY_CAST(trim(value) AS {sql_type}) IS NULL "
        "ORDER BY line LIMIT 1",
        [[line for line, _ in values], [value for _, value in values]],
    ).fetchone()
    return tuple(row) if row else None


def assemble(settings: Settings | None = None) -> Path:
    """Write the effective seeds folder under the data directory; unchanged files are left
    alone for partial parsing."""
    settings = settings or current()
    target = settings.effective_seeds_dir
    target.mkdir(parents=True, exist_ok=True)
    wanted = {f"{name}.csv": path for name, path in effective_files(settings).items()}
    for name, source in wanted.items():
        content = source.read_bytes()
        destination = target / name
        if not destination.is_file() or destination.read_bytes() != content:
            destination.write_bytes(content)
    for stale in target.iterdir():
        if stale.name not in wanted and stale.is_file():
            stale.unlink()
    return target

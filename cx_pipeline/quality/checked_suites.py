"""The suites as the runner evaluates them: each file checked by Great Expectations once per
content, then read back without importing GX.

Importing GX costs 3-6 s on this project's 2-core machine, more than validating one day's
partition (benchmarks/RESULTS.md, "A load without importing Great Expectations"), and the
rows are checked in DuckDB anyway (rowwise_sql.py, database.py): GX is needed to check a
suite file, not to apply it. So `checked_suite` builds the GX suite (`load_suite`, which
refuses what GX would silently drop) and keeps each expectation's configuration in GX's
own normal form in the user's cache, under a digest of the file, the GX version and this
package's suite rules. The next run reads that form back; any edit of the file, another GX
version or other rules here give another digest, so GX checks the file again. Only
expectations left to GX's pandas engine (rowwise.py) import GX at run time.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from cx_pipeline import settings
from cx_pipeline.quality import suites

_RULES = (Path(suites.__file__), Path(__file__))


@dataclass
class CheckedConfiguration:
    """An expectation's configuration in GX's normal form (what GX's `configuration` gives):
    a fresh copy for each caller, as GX's is."""

    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    notes: Any = None
    description: str | None = None
    severity: str | None = None

    def to_domain_obj(self):
        """The GX expectation itself, for GX's pandas engine (imports GX)."""
        from cx_pipeline.quality._gx import gx

        gx()  # analytics off before any GX module is imported
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        expectation = ExpectationConfiguration(
            type=self.type,
            kwargs=self.kwargs,
            meta=self.meta,
            notes=self.notes,
            description=self.description,
        ).to_domain_obj()
        if self.severity:
            expectation.severity = self.severity
        return expectation


@dataclass(frozen=True)
class CheckedExpectation:
    """One expectation, answering what the runner asks a GX expectation."""

    form: dict[str, Any]

    @property
    def expectation_type(self) -> str:
        return self.form["type"]

    @property
    def meta(self) -> dict[str, Any]:
        return self.form.get("meta") or {}

    @property
    def configuration(self) -> CheckedConfiguration:
        form = copy.deepcopy(self.form)
        return CheckedConfiguration(
            type=form["type"],
            kwargs=form.get("kwargs") or {},
            meta=form.get("meta") or {},
            notes=form.get("notes"),
            description=form.get("description"),
            severity=form.get("severity"),
        )


@dataclass(frozen=True)
class CheckedSuite:
    name: str
    meta: dict[str, Any]
    expectations: tuple[CheckedExpectation, ...] = field(default_factory=tuple)


def checked_suite(name: str) -> CheckedSuite:
    """The suite `expectations/<name>.json`, checked by GX (SuiteError when it is refused)."""
    path = suites.expectations_dir() / f"{name}.json"
    if not path.is_file():
        suites.read_suite_json(name)  # raises the SuiteError that names the missing file
    cached = _cache_path(name, path.read_bytes())
    form = _read(cached)
    if form is None:
        form = _gx_form(name)
        _write(cached, form)
    return CheckedSuite(
        name=name,
        meta=form["meta"],
        expectations=tuple(CheckedExpectation(e) for e in form["expectations"]),
    )


def _gx_form(name: str) -> dict[str, Any]:
    suite = suites.load_suite(name)
    return {
        "name": name,
        "meta": json.loads(json.dumps(suite.meta or {}, default=str)),
        "expectations": [e.configuration.to_json_dict() for e in suite.expectations],
    }


def _cache_path(name: str, content: bytes) -> Path:
    digest = hashlib.sha256()
    for part in (name.encode(), content, metadata.version("great_expectations").encode()):
        digest.update(part + b"\0")
    for rules in _RULES:
        digest.update(rules.read_bytes() + b"\0")
    return settings.current().cache_dir / "checked-suites" / f"{name}-{digest.hexdigest()}.json"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        form = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not checked yet, or a damaged entry: GX checks the file again
    if not isinstance(form, dict) or not isinstance(form.get("expectations"), list):
        return None
    return form


def _write(path: Path, form: dict[str, Any]) -> None:
    """Atomically, so a reader never sees half an entry; a cache that cannot be written
    only means GX checks the file again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
        ) as out:
            json.dump(form, out)
        os.replace(out.name, path)
    except OSError:
        with contextlib.suppress(NameError, OSError):
            os.unlink(out.name)

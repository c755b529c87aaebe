"""Suites checked by GX once per content, then applied without importing GX
(cx_pipeline/quality/checked_suites.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cx_pipeline.quality import SuiteError, load_suite, suite_names
from cx_pipeline.quality.checked_suites import checked_suite

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "cx-warehouse" / "checked-suites"


def _gx_view(expectation) -> tuple:
    config = expectation.configuration
    return expectation.expectation_type, config.kwargs, config.meta, config.notes


def test_every_shipped_suite_reads_back_as_gx_built_it(cache):
    for name in suite_names():
        gx_suite = load_suite(name)
        first = checked_suite(name)  # checked by GX, then cached
        again = checked_suite(name)  # read back from the cache
        assert len(list(cache.glob(f"{name}-*.json"))) == 1
        for checked in (first, again):
            assert checked.meta == gx_suite.meta
            assert [json.loads(json.dumps(_gx_view(e))) for e in checked.expectations] == [
                json.loads(json.dumps(_gx_view(e))) for e in gx_suite.expectations
            ], name
            # GX's pandas engine gets the expectation GX built from the file.
            assert [
                e.configuration.to_domain_obj().configuration.to_json_dict()
                for e in checked.expectations
            ] == [e.configuration.to_json_dict() for e in gx_suite.expectations]


def test_a_checked_suite_validates_without_importing_gx(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    program = (
        "import sys, pandas\n"
        "from cx_pipeline.quality import validate_dataframe\n"
        "frame = pandas.DataFrame({'review_id': ['r1'], 'rating': [4]})\n"
        "result = validate_dataframe(frame, 'raw_reviews')\n"
        "print(len(result.outcomes), 'great_expectations' in sys.modules)\n"
    )

    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    first, second = run(), run()
    assert first[1] == "True"  # the file was checked by GX
    assert second == [first[0], "False"]  # same outcomes, GX not imported
    assert int(first[0]) > 0


def test_an_edit_is_checked_again_and_a_bad_one_refused(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("CX_EXPECTATIONS_DIR", str(tmp_path))
    rule = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "nps", "min_value": 0, "max_value": 10},
        "meta": {"severity": "error"},
    }
    suite_file = tmp_path / "edited.json"
    suite_file.write_text(json.dumps({"name": "edited", "expectations": [rule]}))
    assert checked_suite("edited").expectations[0].configuration.kwargs["max_value"] == 10

    rule["kwargs"]["max_value"] = 9
    suite_file.write_text(json.dumps({"name": "edited", "expectations": [rule]}))
    assert checked_suite("edited").expectations[0].configuration.kwargs["max_value"] == 9
    assert len(list(cache.glob("edited-*.json"))) == 2

    rule["type"] = "expect_column_values_to_be_betwen"
    suite_file.write_text(json.dumps({"name": "edited", "expectations": [rule]}))
    with pytest.raises(SuiteError, match="not supported"):
        checked_suite("edited")
    assert len(list(cache.glob("edited-*.json"))) == 2  # a refused file is not kept


def test_a_damaged_entry_is_checked_again_and_an_unwritable_cache_is_no_error(
    tmp_path, cache, monkeypatch
):
    expected = [_gx_view(e) for e in checked_suite("raw_reviews").expectations]
    (entry,) = cache.glob("raw_reviews-*.json")
    entry.write_text('{"name": "raw_reviews", "expect')
    assert [_gx_view(e) for e in checked_suite("raw_reviews").expectations] == expected
    assert json.loads(entry.read_text())["name"] == "raw_reviews"

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert [_gx_view(e) for e in checked_suite("raw_reviews").expectations] == expected


def test_a_missing_suite_is_named():
    with pytest.raises(SuiteError, match="no expectation suite 'nowhere'"):
        checked_suite("nowhere")

"""Data quality gates: Great Expectations suites (`expectations/*.json`) run against
DuckDB tables and views.

    from cx_pipeline.quality import validate_table
    result = validate_table(warehouse, "raw.survey_responses", "raw_survey_responses",
                            where="_partition_date BETWEEN ? AND ?", params=[day, day])
    result.success        # False when an expectation of severity error failed
    result.failures       # failed ExpectationOutcome objects, blocking ones first

Importing this package is cheap. Great Expectations is imported to check a suite file
the first time its content is seen (checked_suites.py) and for expectations left to its
pandas engine; a suite already checked is applied without it.
"""

from cx_pipeline.quality.results import ExpectationOutcome, SuiteResult
from cx_pipeline.quality.runner import validate_dataframe, validate_table
from cx_pipeline.quality.suites import (
    SuiteError,
    expectations_dir,
    load_suite,
    raw_suite,
    suite_names,
)

__all__ = [
    "ExpectationOutcome",
    "SuiteError",
    "SuiteResult",
    "expectations_dir",
    "load_suite",
    "raw_suite",
    "suite_names",
    "validate_dataframe",
    "validate_table",
]

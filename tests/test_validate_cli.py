"""`cx-pipeline validate`: mapping rules and the expectation suite, without loading."""

from conftest import cli

HEADER = "response_id,survey_id,submitted_at,channel,nps"


def test_validate_reports_each_failed_rule_with_examples(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(
        "\n".join(
            [
                HEADER,
                "A1,rel,2025-03-02T10:00:00Z,web,15",
                "A2,rel,2025-03-02T10:00:00Z,web,9",
                "A2,rel,2025-03-02T10:05:00Z,web,3",
                "A3,rel,2025-03-02T10:00:00Z,web,8",
            ]
        )
        + "\n"
    )
    result = cli(tmp_path, "validate", str(export), "--source", "surveys", check=False)
    assert result.returncode == 1
    out = result.stdout
    assert "rows read 4, valid 3, quarantined 1" in out
    assert "FAILED nps above 10: 1 rows, e.g. records [1]" in out
    assert '\\"nps\\":\\"15\\"' in out  # the original row as an example
    assert "expect_column_values_to_be_unique(response_id) (error)" in out
    assert '"response_id": "A2"' in out
    assert not (tmp_path / "warehouse").exists(), "validate loads nothing"


def test_validate_passes_a_clean_file_and_shows_warnings(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(
        "response_id,survey_id,submitted_at,nps\n"
        + "".join(f"B{i},rel,2025-03-02T10:00:00Z,{i % 11}\n" for i in range(30))
    )
    result = cli(tmp_path, "validate", str(export), "--source", "surveys", check=False)
    assert result.returncode == 0, result.stdout
    assert "WARNING raw_survey_responses: expect_column_values_to_not_be_null(channel)" in (
        result.stdout
    )
    assert result.stdout.rstrip().endswith("OK")


def test_validate_with_a_profile_given_by_path(tmp_path):
    profile = tmp_path / "acme.yaml"
    profile.write_text(
        "name: acme\nsource: surveys\ndelimiter: ';'\ntimestamp_format: '%d/%m/%Y %H:%M'\n"
        "timezone: Europe/Lisbon\ncolumns:\n  response_id: Id\n  submitted_at: When\n"
        "  nps: Recommend\n"
    )
    export = tmp_path / "acme.csv"
    export.write_text("Id;When;Recommend\nX1;29/02/2024 10:00;10\nX2;01/03/2024 09:30;0\n")
    result = cli(
        tmp_path,
        "validate",
        str(export),
        "--source",
        "surveys",
        "--profile",
        str(profile),
        check=False,
    )
    assert "with profile 'acme'" in result.stdout
    assert "rows read 2, valid 2, quarantined 0" in result.stdout

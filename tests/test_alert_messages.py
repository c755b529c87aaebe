"""A real load alerts in words: the file, the limit, the counts and the reasons, with no
personal data; people get one message per run, then one saying the check recovered."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import shutil

from conftest import cli
from servers import HttpSink, SmtpSink

DAY = "2025-03-04"
BAD_NPS, BAD_CSAT = 30, 1
EMAIL = "jane.doe@example.org"


def _plant_bad_rows(path) -> tuple[int, list[str]]:
    """Out-of-range scores in 31 rows, an e-mail address in one comment; returns the row
    count and the respondent ids of the bad rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids = []
    for index, row in enumerate(rows[: BAD_NPS + BAD_CSAT]):
        if index < BAD_NPS:
            row["nps"], row["csat"] = "11", ""
        else:
            row["nps"], row["csat"] = "", "6"
        row["comment"] = f"call me, {EMAIL} or +44 7700 900123"
        ids.append(row["respondent_id"])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows), [i for i in ids if i]


def _journal(data_dir) -> list[dict]:
    path = data_dir / "alerts" / "alerts.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _mail_body(raw: str) -> tuple[str, str]:
    message = email.message_from_string(raw, policy=email.policy.default)
    return message["Subject"], message.get_body(("plain",)).get_content()


def test_a_real_load_alerts_in_words_once_per_run_and_says_recovered(tmp_path):
    data = tmp_path / "data"
    cli(data, "generate", "--start", "2025-03-03", "--days", "2", "--scale", "0.2", "--seed", "5")
    landing = data / "landing"
    survey = landing / "surveys" / DAY / f"survey_responses_{DAY}.csv"
    good_copy = tmp_path / "good.csv"
    shutil.copy(survey, good_copy)
    rows, respondent_ids = _plant_bad_rows(survey)
    reviews = landing / "reviews" / DAY
    shutil.move(reviews, tmp_path / "reviews-held-back")
    assert respondent_ids

    with HttpSink() as webhook, HttpSink() as slack, HttpSink() as teams, SmtpSink() as smtp:
        env = {
            "CX_ALERT_WEBHOOK_URL": webhook.url,
            "CX_ALERT_SLACK_WEBHOOK_URL": slack.url,
            "CX_ALERT_TEAMS_WEBHOOK_URL": teams.url,
            "CX_ALERT_SMTP_HOST": "127.0.0.1",
            "CX_ALERT_SMTP_PORT": str(smtp.port),
            "CX_ALERT_SMTP_TO": "cx-team@example.com",
            "CX_DAGSTER_UI_URL": "http://dagster.example:3000",
            "CX_QUARANTINE_MAX_SHARE": "0.05",
            "http_proxy": None,
            "HTTP_PROXY": None,
        }
        cli(data, "load", "--date", DAY, check=False, env=env)

        journal = _journal(data)
        run_id = journal[0]["run_id"]
        failed = [a for a in journal if a["status"] == "failed"]
        assert {a["run_id"] for a in journal} == {run_id}
        by_check = {a["check"]: a for a in failed}

        # The quarantine alert says which file, how many of how many, the limit, and why.
        quarantine = by_check["quarantine_share"]
        share = f"{(BAD_NPS + BAD_CSAT) / rows * 100:.1f}%"
        expected = (
            f"surveys/{DAY}/survey_responses_{DAY}.csv: {BAD_NPS + BAD_CSAT} of {rows} rows "
            f"({share}) quarantined, above the 5% limit: nps above 10 ({BAD_NPS}), "
            f"csat above 5 ({BAD_CSAT})"
        )
        assert expected in quarantine["summary"], quarantine["summary"]
        assert quarantine["details"]["reasons"] == {
            "nps above 10": BAD_NPS,
            "csat above 5": BAD_CSAT,
        }
        assert quarantine["details"]["rows_read"] == rows
        assert quarantine["next_step"].startswith("cx-pipeline validate ")
        assert "--source surveys" in quarantine["next_step"]
        assert quarantine["observed_value"] == round((BAD_NPS + BAD_CSAT) / rows, 6)
        assert quarantine["details"]["examples"], "example rows, redacted"

        # A missing delivery reads as one.
        delivery = by_check["raw_reviews:delivery"]
        assert delivery["summary"] == f"no reviews file delivered for {DAY}."
        assert "observed 0" not in delivery["summary"]

        # The webhook: one POST per alert, the same record as the journal line.
        assert len(webhook.posts) == len(journal)
        assert {p["check"] for p in webhook.posts} == {a["check"] for a in journal}

        # People: exactly one message per sink for the run, listing every failed check.
        assert len(slack.posts) == 1 and len(teams.posts) == 1 and len(smtp.messages) == 1
        slack_text = "\n".join(b["text"]["text"] for b in slack.posts[0]["blocks"])
        card = teams.posts[0]["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        teams_text = "\n".join(b["text"] for b in card["content"]["body"])
        subject, body = _mail_body(smtp.messages[0])
        assert subject.startswith(f"[cx-warehouse] run {run_id}")
        for alert in failed:
            line = " ".join(alert["summary"].split())
            for text in (slack_text, teams_text, body):
                assert line.replace("&", "&amp;") in text or line in text
        assert f"http://dagster.example:3000/runs/{run_id}" in body
        assert card["content"]["actions"][0]["url"].endswith(run_id)

        # No personal data in anything delivered.
        delivered = [json.dumps(p) for p in webhook.posts + slack.posts + teams.posts]
        delivered += smtp.messages
        delivered.append((data / "alerts" / "alerts.jsonl").read_text("utf-8"))
        for payload in delivered:
            assert EMAIL not in payload
            assert "7700 900123" not in payload
            for respondent in respondent_ids:
                assert respondent not in payload

        print("WEBHOOK:", json.dumps(quarantine, indent=2))
        print("SLACK:", json.dumps(slack.posts[0], indent=2))
        print("EMAIL:", subject, "\n" + body)

        # The fixed load: the same partition passes, and people hear it recovered.
        shutil.copy(good_copy, survey)
        shutil.move(tmp_path / "reviews-held-back", reviews)
        cli(data, "load", "--date", DAY, env=env)

        later = [a for a in _journal(data) if a["run_id"] != run_id]
        recovered = {a["check"] for a in later if a["status"] == "recovered"}
        assert {"quarantine_share", "raw_reviews:delivery"} <= recovered
        assert all(a["kind"] == "check_recovered" for a in later if a["status"] == "recovered")
        assert len(slack.posts) == 2 and len(teams.posts) == 2 and len(smtp.messages) == 2
        slack_text = "\n".join(b["text"]["text"] for b in slack.posts[1]["blocks"])
        assert "Recovered" in slack_text and "quarantine_share" in slack_text
        subject, body = _mail_body(smtp.messages[1])
        assert "recovered" in subject
        print("RECOVERED EMAIL:", subject, "\n" + body)

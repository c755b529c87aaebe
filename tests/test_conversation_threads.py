"""Conversation threads: a chat export's reply-to chains become tickets and their events."""

import csv
import io
import json
import random
from datetime import date, datetime, timedelta

import duckdb
import pytest
from conftest import cli

from cx_pipeline.ingest.canonical import TICKETS
from cx_pipeline.ingest.loader import load_partition
from cx_pipeline.ingest.profiles import (
    ProfileError,
    all_profiles,
    load_profile,
    profile_for_file,
)

DAY1, DAY2 = date(2025, 3, 3), date(2025, 3, 4)
FIELDS = ("message_id", "in_reply_to", "inbound", "author", "sent_at", "channel")
CYCLE = "reply-to chain loops back on itself (a cycle of parent ids)"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield tmp_path, con
    con.close()


def _message(message_id, parent, inbound, author, at, channel="chat"):
    return {
        "message_id": message_id,
        "in_reply_to": parent,
        "inbound": inbound,
        "author": author,
        "sent_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "channel": channel,
    }


def _land(root, day, name, text):
    folder = root / "landing" / "tickets" / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def _csv(messages):
    out = io.StringIO()
    writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
    writer.writeheader()
    for m in messages:
        writer.writerow({**m, "in_reply_to": m["in_reply_to"] or "", "inbound": m["inbound"]})
    return out.getvalue()


def _jsonl(messages):
    return "".join(json.dumps(m) + "\n" for m in messages)


def _thread_export():
    """Day 1 and day 2 messages, each with the ticket and event type it must map to."""
    t = datetime(2025, 3, 3, 9, 0)
    m = timedelta(minutes=1)
    day1 = [
        # Continued the next day by a reply to the agent's answer.
        (_message("w1", None, True, "cust-w", t), "w1", "created"),
        (_message("w2", "w1", False, "agent-1", t + 4 * m), "w1", "agent_reply"),
    ]
    t2 = datetime(2025, 3, 4, 8, 0)
    day2 = [
        # Nested: a1 <- a2 <- a3 <- a4 <- a6, with a branch a1 <- a5.
        (_message("a1", None, True, "cust-a", t2), "a1", "created"),
        (_message("a2", "a1", False, "agent-1", t2 + 7 * m), "a1", "agent_reply"),
        (_message("a3", "a2", True, "cust-a", t2 + 9 * m), "a1", "customer_reply"),
        (_message("a4", "a3", False, "agent-2", t2 + 15 * m), "a1", "agent_reply"),
        (_message("a5", "a1", True, "cust-a", t2 + 20 * m), "a1", "customer_reply"),
        (_message("a6", "a4", True, "cust-a", t2 + 21 * m), "a1", "customer_reply"),
        # A second thread on another channel.
        (_message("b1", None, True, "cust-b", t2 + m, "twitter"), "b1", "created"),
        (_message("b2", "b1", True, "cust-b", t2 + 2 * m, "twitter"), "b1", "customer_reply"),
        (_message("b3", "b2", False, "agent-2", t2 + 30 * m, "twitter"), "b1", "agent_reply"),
        # The brand starts a thread: an agent-opened ticket.
        (_message("p1", None, False, "agent-3", t2 + 2 * m), "p1", "created"),
        (_message("p2", "p1", True, "cust-p", t2 + 50 * m), "p1", "customer_reply"),
        # Root and first reply in yesterday's file: a reply to the reply still joins w1.
        (_message("w3", "w2", True, "cust-w", t2 + 3 * m), "w1", "customer_reply"),
        (_message("w4", "w3", False, "agent-1", t2 + 5 * m), "w1", "agent_reply"),
        # The root was never delivered: its id is the ticket (the same when it comes later).
        (_message("x2", "x1", True, "cust-x", t2 + 6 * m), "x1", "customer_reply"),
        (_message("x3", "x2", False, "agent-1", t2 + 8 * m), "x1", "agent_reply"),
        # A message naming itself as parent starts its own thread.
        (_message("s1", "s1", True, "cust-s", t2 + 10 * m), "s1", "created"),
        # A cycle, and a reply hanging below it: no thread to land on.
        (_message("c1", "c2", True, "cust-c", t2 + 11 * m), None, None),
        (_message("c2", "c1", False, "agent-1", t2 + 12 * m), None, None),
        (_message("c3", "c2", True, "cust-c", t2 + 13 * m), None, None),
        (_message("", "a1", True, "cust-a", t2 + 14 * m), None, None),
    ]
    return day1, day2


def _events(con):
    return {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT event_id, ticket_id, event_type, actor_role, agent_id, customer_id, channel "
            "FROM raw.ticket_events"
        ).fetchall()
    }


def test_out_of_order_thread_export_maps_every_message_to_its_thread(env):
    root, con = env
    day1, day2 = _thread_export()
    rng = random.Random(7)
    rng.shuffle(day1)
    rng.shuffle(day2)
    _land(root, DAY1, "support_chat_threads_0303.jsonl", _jsonl([m for m, _, _ in day1]))
    _land(root, DAY2, "support_chat_threads_0304.csv", _csv([m for m, _, _ in day2]))

    [first] = load_partition(con, TICKETS, DAY1, "run-1")
    [second] = load_partition(con, TICKETS, DAY2, "run-2")
    assert (first.profile, second.profile) == ("chat_threads", "chat_threads")
    assert (first.loaded, first.quarantined) == (2, 0)
    assert (second.read, second.loaded, second.quarantined) == (20, 16, 4)

    events = _events(con)
    expected = {m["message_id"]: (ticket, kind) for m, ticket, kind in day1 + day2 if ticket}
    assert {k: v[:2] for k, v in events.items()} == expected
    assert events["a1"][2:] == ("customer", None, "cust-a", "chat")
    assert events["a4"][2:] == ("agent", "agent-2", "cust-a", "chat")
    assert events["b3"][2:] == ("agent", "agent-2", "cust-b", "twitter")
    assert events["p1"][2:4] == ("agent", "agent-3")
    assert events["p2"][4] == "cust-p"

    quarantined = con.execute(
        "SELECT reason, json_extract_string(original_row, '$.message_id') FROM audit.quarantine"
    ).fetchall()
    assert sorted(quarantined, key=str) == [
        ("missing thread message id (message_id)", None),
        (CYCLE, "c1"),
        (CYCLE, "c2"),
        (CYCLE, "c3"),
    ]
    statuses = dict(con.execute("SELECT event_id, status FROM raw.ticket_events").fetchall())
    assert [statuses[k] for k in ("a1", "a2", "a3", "b2", "b3")] == [
        "new",
        "pending",
        "open",
        "open",
        "pending",
    ]

    # Re-running the later day gives the same tickets: only earlier days are looked up.
    load_partition(con, TICKETS, DAY2, "run-3")
    assert _events(con) == events


def test_thread_depth_limit_and_a_file_without_the_thread_columns(env, monkeypatch):
    root, con = env
    profiles = root / "profiles"
    profiles.mkdir()
    (profiles / "short_threads.yaml").write_text(
        "name: short_threads\nsource: tickets\nmatch: ['short*.csv']\n"
        "thread: {message_id: id, parent_id: parent, max_depth: 2}\n"
        "columns: {event_at: at}\nconstants: {event_type: customer_reply}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    _land(
        root,
        DAY1,
        "short.csv",
        "id,parent,at\nm0,,2025-03-03T09:00:00Z\nm1,m0,2025-03-03T09:01:00Z\n"
        "m2,m1,2025-03-03T09:02:00Z\nm3,m2,2025-03-03T09:03:00Z\n",
    )
    [result] = load_partition(con, TICKETS, DAY1, "run-1")
    assert result.profile == "short_threads"
    assert result.reasons == {f"{CYCLE} or is deeper than thread max_depth 2": 1}
    assert _events(con)["m2"][0] == "m0"

    _land(root, DAY2, "short.csv", "id,at\nm9,2025-03-04T09:00:00Z\n")
    [result] = load_partition(con, TICKETS, DAY2, "run-2")
    [reason] = result.reasons
    assert "thread parent_id (export column 'parent')" in reason


def test_thread_key_is_checked_and_built_in_matches_do_not_overlap(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: tickets\nthread: {message_id: id, parent: p}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="thread takes"):
        load_profile(str(bad), "tickets")
    names = {
        "chat_threads": "acme_chat_threads_2025-03-04.jsonl",
        "servicenow_incident": "servicenow_incident_event_log.csv",
        "olist_reviews": "olist_order_reviews_dataset.csv",
        "trustpilot_reviews": "trustpilot_acme.csv",
        "servqual_items": "servqual_items_2025.csv",
        "ecsi_survey": "ecsi_2025.csv",
    }
    for expected, name in names.items():
        mapped = {
            p.name
            for source in ("surveys", "tickets", "reviews")
            for p in all_profiles(source)
            if p.name != "canonical" and profile_for_file(tmp_path / name, source) is p
        }
        assert mapped == {expected}, name
    assert profile_for_file(tmp_path / "tickets.csv", "tickets").name == "canonical"
    assert profile_for_file(tmp_path / "chat_export.csv", "tickets").name == "canonical"


def test_thread_export_end_to_end_first_reply_minutes(tmp_path):
    """Three customer threads answered after 6, 25 and 40 minutes (median 25) and one the
    brand started (no first-reply wait), shuffled, through Dagster, dbt and the mart."""
    t = datetime(2025, 3, 5, 10, 0)
    m = timedelta(minutes=1)
    messages = [
        _message("q1", None, True, "cust-1", t),
        _message("q2", "q1", True, "cust-1", t + 2 * m),
        _message("q3", "q2", False, "agent-1", t + 6 * m),
        _message("q4", "q3", True, "cust-1", t + 7 * m),
        _message("q5", "q4", False, "agent-2", t + 9 * m),
        _message("r1", None, True, "cust-2", t + 10 * m),
        _message("r2", "r1", False, "agent-2", t + 35 * m),
        _message("u1", None, True, "cust-3", t + 20 * m),
        _message("u2", "u1", True, "cust-3", t + 30 * m),
        _message("u3", "u2", True, "cust-3", t + 40 * m),
        _message("u4", "u3", False, "agent-1", t + 60 * m),
        _message("v1", None, False, "agent-3", t + 5 * m),
        _message("v2", "v1", True, "cust-4", t + 8 * m),
        _message("v3", "v2", False, "agent-3", t + 90 * m),
    ]
    random.Random(3).shuffle(messages)
    _land(tmp_path, date(2025, 3, 5), "shop_chat_threads.csv", _csv(messages))
    cli(tmp_path, "load", "--date", "2025-03-05")

    con = duckdb.connect(str(tmp_path / "published" / "cx.duckdb"), read_only=True)
    try:
        kpis = dict(
            con.execute(
                "SELECT kpi, value FROM marts.mart_cx_kpis WHERE grain = 'day' "
                "AND slice_name = 'all' AND period_start = DATE '2025-03-05' "
                "AND kpi IN ('first_reply_minutes_median', 'tickets_created')"
            ).fetchall()
        )
    finally:
        con.close()
    assert kpis["tickets_created"] == 4
    assert kpis["first_reply_minutes_median"] == pytest.approx(25.0)


def test_a_later_reply_finds_its_thread_when_ids_are_prefixed(env, monkeypatch):
    root, con = env
    profiles = root / "profiles"
    profiles.mkdir()
    (profiles / "prefixed_threads.yaml").write_text(
        "name: prefixed_threads\nsource: tickets\nmatch: ['dm*.csv']\n"
        "thread: {message_id: id, parent_id: parent}\ncolumns: {event_at: at}\n"
        "derive:\n  ticket_id: \"'dm-' || _thread_root\"\n  event_id: \"'dm-' || src.id\"\n"
        "  event_type: \"CASE WHEN _thread_depth = 0 THEN 'created' ELSE 'customer_reply' END\"\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CX_PROFILES_DIR", str(profiles))
    _land(
        root, DAY1, "dm.csv", "id,parent,at\nk2,k1,2025-03-03T09:05:00Z\nk1,,2025-03-03T09:00:00Z\n"
    )
    _land(root, DAY2, "dm.csv", "id,parent,at\nk3,k2,2025-03-04T09:00:00Z\n")
    load_partition(con, TICKETS, DAY1, "run-1")
    load_partition(con, TICKETS, DAY2, "run-2")
    assert {k: v[:2] for k, v in _events(con).items()} == {
        "dm-k1": ("dm-k1", "created"),
        "dm-k2": ("dm-k1", "customer_reply"),
        "dm-k3": ("dm-k1", "customer_reply"),
    }

"""The canonical records (docs/sources.md, "Canonical records"): columns, types and the
hard rules a row must pass to be loaded. A row failing a rule is quarantined with the
rule's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DIMENSIONS = {"tangibles": 4, "reliability": 5, "responsiveness": 4, "assurance": 4, "empathy": 5}
DRIVERS = ("product", "price", "channel", "staff", "competition")

# Event types of a ticket's life, in the order the demo generator indexes them.
TICKET_EVENT_TYPES = (
    "created",
    "assigned",
    "agent_reply",
    "customer_reply",
    "internal_note",
    "status_change",
    "solved",
    "reopened",
    "closed",
    "satisfaction_rated",
)

# Like the event types, indexed by position in the demo generator.
TICKET_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
ACTOR_ROLES = ("agent", "customer", "system")
RESPONDENT_ROLES = ("customer", "manager", "staff")

# exp_: the expected (desired) level, per_: the perceived one; adq_: the adequate
# (minimum acceptable) level, which with exp_ bounds the zone of tolerance
# (docs/methodology.md, "Zone of tolerance"). Exports without adq_ items keep the classic
# two-column SERVQUAL.
SERVQUAL_ITEMS = [
    f"{kind}_{dim}_{n}"
    for kind in ("exp", "per", "adq")
    for dim, k in DIMENSIONS.items()
    for n in range(1, k + 1)
]
# Points of importance the respondent gives each dimension, 100 over the five (weighted
# SERVQUAL); absent from most exports.
IMPORTANCE_POINTS = [f"importance_{dim}" for dim in DIMENSIONS]


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "VARCHAR"
    required: bool = False
    # inclusive numeric range, checked after casting
    low: float | None = None
    high: float | None = None
    allowed: tuple[str, ...] | None = None
    # SQL over `_rec` (the record's position in the file) used when the export has no such
    # column: e.g. the order of a ticket's events is the file's order unless a counter says
    default_sql: str | None = None
    # For a precision column: the timestamp column whose precision it records, set from the
    # date format that parsed it unless the profile maps the column itself.
    precision_of: str | None = None
    # Why the column's rules matter: the notes of the raw suite's rules derived from it
    # (cx_pipeline/quality/canonical_rules.py).
    why: str | None = None


@dataclass(frozen=True)
class Source:
    name: str
    table: str
    key: str
    event_time: str
    columns: tuple[Column, ...]
    pii: tuple[str, ...] = field(default_factory=tuple)
    # (SQL condition that makes a typed row invalid, reason stored in quarantine)
    rules: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # free-text columns the language is detected from when the export gives none
    text_columns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def export_columns(self) -> list[str]:
        """The columns of an export in the canonical format, in order: all but those the
        loader fills in when an export has none (a time's precision, the event order)."""
        return [c.name for c in self.columns if not (c.precision_of or c.default_sql)]


# How precisely a record's time is known: NULL when the export gives a time of day, 'day'
# for a date alone, 'month' for a month alone (a KPI day or week cannot contain it).
PRECISIONS = ("day", "month")


def _precision(of: str) -> Column:
    return Column(
        f"{of}_precision",
        allowed=PRECISIONS,
        precision_of=of,
        why='Precision of a record known only to its day or month (docs/sources.md, "Dates '
        'known only to the day or the month"); NULL when the export gave a time.',
    )


def _score(name: str, low: int, high: int) -> Column:
    return Column(name, "INTEGER", low=low, high=high)


SURVEYS = Source(
    name="surveys",
    table="survey_responses",
    key="response_id",
    event_time="submitted_at",
    pii=("respondent_id",),
    text_columns=("comment", "suggestion"),
    columns=(
        Column(
            "response_id",
            required=True,
            why="The key: a response without one cannot be deduplicated.",
        ),
        Column("survey_id"),
        Column(
            "submitted_at",
            "TIMESTAMPTZ",
            required=True,
            why="Every survey KPI is dated by submitted_at.",
        ),
        _precision("submitted_at"),
        Column("respondent_id"),
        Column(
            "respondent_role",
            allowed=RESPONDENT_ROLES,
            why="Gap 1 compares customers with managers; another role would be dropped.",
        ),
        Column("channel"),
        Column("touchpoint"),
        Column("segment"),
        Column("region"),
        Column("product"),
        Column("ticket_id"),
        Column("language"),
        _score("nps", 0, 10),
        _score("csat", 1, 5),
        _score("ces", 1, 7),
        _score("overall_satisfaction", 1, 10),
        # Item and attribute scores may be rescaled from another scale (e.g. 0-100), so
        # they are not whole numbers in general.
        *(Column(item, "DOUBLE", low=1, high=7) for item in SERVQUAL_ITEMS),
        *(Column(points, "DOUBLE", low=0, high=100) for points in IMPORTANCE_POINTS),
        *(Column(f"attr_{d}", "DOUBLE", low=1, high=7) for d in DRIVERS),
        Column("comment"),
        Column("suggestion"),
    ),
    rules=(("submitted_at > now() + INTERVAL 1 DAY", "submitted_at in the future"),),
)

TICKETS = Source(
    name="tickets",
    table="ticket_events",
    key="event_id",
    event_time="event_at",
    pii=("customer_id",),
    columns=(
        Column("ticket_id", required=True, why="An event belongs to a ticket."),
        Column(
            "event_id",
            required=True,
            why="The key (derived from content when the export has none).",
        ),
        Column(
            "event_at",
            "TIMESTAMPTZ",
            required=True,
            why="Every ticket KPI is computed from event times.",
        ),
        Column(
            "event_type",
            required=True,
            allowed=TICKET_EVENT_TYPES,
            why="The ticket life cycle is rebuilt from event types.",
        ),
        # The export's own update counter when the profile maps one, else the file's order.
        Column(
            "event_seq",
            "BIGINT",
            default_sql="CAST(_rec AS VARCHAR)",
            why="The export's order of a ticket's events sharing a timestamp "
            '(docs/sources.md, "Event order").',
        ),
        Column(
            "status",
            allowed=TICKET_STATUSES,
            why="Backlog and resolution are computed from these statuses.",
        ),
        Column(
            "actor_role",
            allowed=ACTOR_ROLES,
            why="First reply and one-touch resolution depend on who acted.",
        ),
        Column("agent_id"),
        Column("channel"),
        Column("priority"),
        Column("category"),
        Column("product"),
        Column("customer_id"),
        Column("segment"),
        Column("satisfaction"),
    ),
    rules=(
        ("event_at > now() + INTERVAL 1 DAY", "event_at in the future"),
        # Checked within the delivered file: a ticket's creation delivered earlier is in
        # another file, and staging orders by time anyway.
        (
            "event_at < min(CASE WHEN event_type = 'created' THEN event_at END) "
            "OVER (PARTITION BY ticket_id)",
            "event before its ticket's creation",
        ),
    ),
)

REVIEWS = Source(
    name="reviews",
    table="reviews",
    key="review_id",
    event_time="published_at",
    pii=("author",),
    text_columns=("title", "text"),
    columns=(
        Column("review_id", required=True, why="The key."),
        Column("platform"),
        Column("brand", required=True, why="Benchmarks compare brands."),
        Column("is_own_brand", "BOOLEAN"),
        Column(
            "published_at",
            "TIMESTAMPTZ",
            required=True,
            why="Review KPIs are dated by published_at.",
        ),
        _precision("published_at"),
        Column(
            "rating",
            "DOUBLE",
            required=True,
            why="A review without a rating cannot enter any KPI.",
        ),
        Column("rating_scale_max", "DOUBLE", low=1),
        Column("title"),
        Column("text"),
        Column("language"),
        Column("author"),
        Column("product"),
        Column("location"),
        Column("reply_at", "TIMESTAMPTZ"),
        Column("reply_text"),
    ),
    rules=(
        (
            "rating < 1 OR rating > coalesce(rating_scale_max, 5)",
            "rating outside 1..rating_scale_max",
        ),
        ("published_at > now() + INTERVAL 1 DAY", "published_at in the future"),
        ("reply_at < published_at", "reply_at before published_at"),
    ),
)

SOURCES = {s.name: s for s in (SURVEYS, TICKETS, REVIEWS)}

"""The report's charts as Vega-Lite specifications, built with Altair. Every chart shows n
in its tooltip and marks low-sample, incomplete and immature periods with its own shape
and colour (legend "mark")."""

from __future__ import annotations

import altair as alt
import pandas as pd

FLAG_DOMAIN = [
    "complete",
    "low sample",
    "immature: tickets still open",
    "incomplete period",
]
FLAG_COLORS = ["#1f4e79", "#c77c02", "#7f7f7f", "#c0392b"]
FLAG_SHAPES = ["circle", "square", "diamond", "triangle-up"]
QUADRANTS = {
    # quadrant: (label corner: performance side, importance side)
    "concentrate here": ("low", "high"),
    "keep up the good work": ("high", "high"),
    "low priority": ("low", "low"),
    "possible overkill": ("high", "low"),
}


def _flag_group(flag: str) -> str:
    return "incomplete period" if flag.startswith("incomplete") else flag


def segment_choice(df: pd.DataFrame, name: str) -> alt.Parameter:
    """A drop-down of the rows' segments, `all` first and selected."""
    segments = ["all", *sorted(s for s in df["segment"].unique() if s != "all")]
    return alt.param(
        name=name, value="all", bind=alt.binding_select(options=segments, name="Segment ")
    )


def _marks(field: str = "mark_group", domain: list[str] = FLAG_DOMAIN) -> dict:
    legend = alt.Legend(title="mark", orient="bottom")
    return {
        "color": alt.Color(
            f"{field}:N", scale=alt.Scale(domain=domain, range=FLAG_COLORS), legend=legend
        ),
        "shape": alt.Shape(
            f"{field}:N", scale=alt.Scale(domain=domain, range=FLAG_SHAPES), legend=legend
        ),
    }


def _spec(chart) -> dict:
    return chart.configure_view(stroke=None).configure_axis(labelLimit=220).to_dict()


def trends(rows: list[dict], grain: str) -> dict:
    df = pd.DataFrame(rows)
    df["mark_group"] = df["flag"].map(_flag_group)
    slices = ["all", *sorted(s for s in df["slice"].unique() if s != "all")]
    choice = alt.param(
        name="slice",
        value="all",
        bind=alt.binding_select(options=slices, name="Slice (channel, segment, brand, product) "),
    )
    x = alt.X("period:T", title=f"{grain} starting", scale=alt.Scale(type="utc"))
    tooltip = [
        alt.Tooltip("period:T", title=f"{grain} of", format="%Y-%m-%d", formatType="utc"),
        alt.Tooltip("shown:N", title="value"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format=".2f"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format=".2f"),
        alt.Tooltip("n:Q", title="n", format=","),
        alt.Tooltip("flag:N", title="mark"),
        alt.Tooltip("slice:N"),
    ]
    base = alt.Chart().transform_filter(alt.datum.slice == choice).encode(x=x)
    band = base.mark_area(opacity=0.25, color="#7fa7d0").encode(
        y=alt.Y("ci_low:Q", title=None, scale=alt.Scale(zero=False)), y2="ci_high:Q"
    )
    line = base.mark_line(color="#1f4e79").encode(y="value:Q")
    points = base.mark_point(filled=True, size=70).encode(y="value:Q", tooltip=tooltip, **_marks())
    chart = (
        alt.layer(band, line, points, data=df)
        .properties(width=330, height=150)
        .facet(
            facet=alt.Facet(
                "kpi:N", title=None, sort=list(dict.fromkeys(df.sort_values("order")["kpi"]))
            ),
            columns=2,
        )
        .resolve_scale(y="independent")
        .add_params(choice)
    )
    return _spec(chart)


def gap5(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    df["mark_group"] = df["flag"].map(_flag_group)
    choice = segment_choice(df, "segment")
    tooltip = [
        "dimension:N",
        "measure:N",
        alt.Tooltip("gap:Q", format="+.2f"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format="+.2f"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format="+.2f"),
        alt.Tooltip("measured:Q", title="perception", format=".2f"),
        alt.Tooltip("reference:Q", title="reference", format=".2f"),
        alt.Tooltip("n:Q", format=","),
        alt.Tooltip("flag:N", title="mark"),
    ]
    base = alt.Chart().transform_filter(alt.datum.segment == choice)
    y = alt.Y("dimension:N", title=None)
    bars = base.mark_bar(opacity=0.75).encode(
        x=alt.X("gap:Q", title="gap (points on the 1-7 scale; negative: below the reference)"),
        y=y,
        yOffset="measure:N",
        color=alt.Color("measure:N", legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=tooltip,
    )
    # A thin bar rather than a rule: bars are centred in their offset band, rules are not.
    errors = base.mark_bar(color="black", size=2).encode(
        x="ci_low:Q", x2="ci_high:Q", y=y, yOffset="measure:N", tooltip=tooltip
    )
    zero = alt.Chart().mark_rule(color="#444").encode(x=alt.datum(0))
    chart = alt.layer(bars, errors, zero, data=df).properties(width=560, height=320)
    return _spec(chart.add_params(choice))


def benchmarks(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    df = df[df["value"].notna()]
    df["significance"] = df["significant"].map(
        {"own": "own brand", "yes": "significant", "no": "not significant", "no test": "no test"}
    )
    tooltip = [
        "entity:N",
        "kind:N",
        alt.Tooltip("shown:N", title="value"),
        alt.Tooltip("n:Q", format=","),
        alt.Tooltip("test:N", title="difference to own brand"),
        alt.Tooltip("position:Q", title="position"),
    ]
    chart = (
        alt.Chart(df)
        .mark_point(size=110, filled=True)
        .encode(
            x=alt.X("value:Q", title=None, scale=alt.Scale(zero=False)),
            y=alt.Y("entity:N", title=None, sort=alt.EncodingSortField("position")),
            color=alt.Color("kind:N", legend=alt.Legend(orient="bottom", title="who")),
            shape=alt.Shape(
                "significance:N",
                scale=alt.Scale(
                    domain=["own brand", "significant", "not significant", "no test"],
                    range=["circle", "diamond", "triangle-down", "cross"],
                ),
                legend=alt.Legend(orient="bottom", title="difference to own brand"),
            ),
            tooltip=tooltip,
        )
        .properties(width=300, height=alt.Step(18))
        .facet(facet=alt.Facet("kpi:N", title=None), columns=2)
        .resolve_scale(x="independent", y="independent")
    )
    return _spec(chart)


def drivers(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    df["mark_group"] = df["flag"].map(_flag_group)
    choice = segment_choice(df, "driver_segment")
    labels = []
    for segment, group in df.groupby("segment"):
        lo_p, hi_p = group["performance"].min(), group["performance"].max()
        lo_i, hi_i = group["importance"].min(), group["importance"].max()
        pad_p, pad_i = max((hi_p - lo_p) * 0.15, 1.0), max((hi_i - lo_i) * 0.15, 0.01)
        for quadrant, (p_side, i_side) in QUADRANTS.items():
            labels.append(
                {
                    "segment": segment,
                    "quadrant": quadrant,
                    "performance": hi_p + pad_p if p_side == "high" else lo_p - pad_p,
                    "importance": hi_i + pad_i if i_side == "high" else max(lo_i - pad_i, 0),
                    "align": "right" if p_side == "high" else "left",
                }
            )
    x = alt.X("performance:Q", title="performance (0-100)", scale=alt.Scale(zero=False))
    y = alt.Y("importance:Q", title="importance (relative weight)", scale=alt.Scale(zero=False))
    tooltip = [
        "attribute:N",
        "quadrant:N",
        alt.Tooltip("importance:Q", format=".3f"),
        alt.Tooltip("importance_ci:N", title="importance 95% CI"),
        alt.Tooltip("performance:Q", format=".1f"),
        alt.Tooltip("n:Q", format=","),
        alt.Tooltip("flag:N", title="mark"),
    ]
    points = (
        alt.Chart(df)
        .transform_filter(alt.datum.segment == choice)
        .mark_point(filled=True, size=120)
        .encode(x=x, y=y, tooltip=tooltip, **_marks())
    )
    names = points.mark_text(dx=8, align="left", fontSize=12).encode(text="attribute:N")
    v_rule = (
        alt.Chart(df)
        .transform_filter(alt.datum.segment == choice)
        .mark_rule(strokeDash=[4, 4], color="#888")
        .encode(x="mean(performance_threshold):Q")
    )
    h_rule = (
        alt.Chart(df)
        .transform_filter(alt.datum.segment == choice)
        .mark_rule(strokeDash=[4, 4], color="#888")
        .encode(y="mean(importance_threshold):Q")
    )
    quadrant_text = [
        alt.Chart(pd.DataFrame(labels))
        .transform_filter((alt.datum.segment == choice) & (alt.datum.align == side))
        .mark_text(fontWeight="bold", color="#555", fontSize=13, align=side)
        .encode(x=x, y=y, text="quadrant:N")
        for side in ("left", "right")
    ]
    chart = alt.layer(v_rule, h_rule, *quadrant_text, points, names).properties(
        width=620, height=360
    )
    return _spec(chart.add_params(choice))


def churn(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", title=None, sort="-x"),
            x=alt.X("sum(customers):Q", title="customers at risk"),
            color=alt.Color(
                "vip:N",
                title="VIP",
                scale=alt.Scale(domain=["VIP", "not VIP"], range=["#8e44ad", "#95a5a6"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["reason:N", "vip:N", alt.Tooltip("customers:Q", title="n", format=",")],
        )
        .properties(width=520, height=alt.Step(22))
    )
    return _spec(chart)


def themes(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    df["low"] = df["flag"].eq("low sample")
    tooltip = [
        "brand_language:N",
        "theme:N",
        alt.Tooltip("reviews:Q", title="n (reviews)", format=","),
        alt.Tooltip("reviews_total:Q", title="reviews of brand and language", format=","),
        alt.Tooltip("rating_mean:Q", title="average rating", format=".2f"),
        alt.Tooltip("negative_share:Q", title="negative share", format=".1%"),
        alt.Tooltip("flag:N", title="mark"),
    ]
    base = alt.Chart(df).encode(
        x=alt.X("theme:N", title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("brand_language:N", title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "negative_share:Q",
            title="negative share",
            scale=alt.Scale(scheme="orangered", domain=[0, 1]),
            legend=alt.Legend(format=".0%", orient="bottom"),
        ),
        opacity=alt.condition(alt.datum.low, alt.value(0.45), alt.value(1.0)),
        tooltip=tooltip,
    )
    counts = base.mark_text(fontSize=11).encode(
        text=alt.Text("reviews:Q", format=","),
        color=alt.condition(
            (alt.datum.negative_share > 0.5) & ~alt.datum.low,
            alt.value("white"),
            alt.value("black"),
        ),
        tooltip=tooltip,
    )
    chart = alt.layer(cells, counts).properties(width=alt.Step(90), height=alt.Step(18))
    return _spec(chart)


def quarantine(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    chart = (
        alt.Chart(df)
        .mark_bar(color="#c0392b")
        .encode(
            y=alt.Y("source:N", title=None),
            x=alt.X(
                "quarantined_share:Q",
                title="quarantined share of rows read",
                axis=alt.Axis(format=".2%"),
            ),
            tooltip=[
                "source:N",
                alt.Tooltip("quarantined_share:Q", title="quarantined", format=".2%"),
                alt.Tooltip("read:Q", title="n (rows read)", format=","),
                alt.Tooltip("quarantined:Q", format=","),
                alt.Tooltip("files:Q", format=","),
            ],
        )
        .properties(width=420, height=alt.Step(26))
    )
    return _spec(chart)

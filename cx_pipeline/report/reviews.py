"""Review themes per brand and language (mart_review_themes) and a few example reviews
(mart_review_examples: redacted texts, no authors)."""

from __future__ import annotations

from cx_pipeline.report.context import ReportContext
from cx_pipeline.report.source import tables

EXAMPLES_PER_THEME = 2


def _brand_filter(ctx: ReportContext) -> tuple[str, list]:
    if ctx.options.brand:
        return "brand = ?", [ctx.options.brand]
    return "true", []


def theme_rows(ctx: ReportContext) -> list[dict]:
    where, params = _brand_filter(ctx)
    rows = ctx.con.execute(
        "SELECT brand, is_own_brand, language, theme, reviews, reviews_total, rating_mean, "
        "negative_share, low_sample FROM marts.mart_review_themes "
        f"WHERE grain = ? AND period_start = ? AND {where} ORDER BY brand, language, theme",
        [ctx.grain, ctx.period, *params],
    ).fetchall()
    return [
        {
            "brand_language": f"{brand}{' (own)' if own else ''} · {language}",
            "theme": theme,
            "reviews": int(reviews),
            "reviews_total": int(total),
            "rating_mean": rating,
            "negative_share": negative,
            "flag": "low sample" if low else "complete",
        }
        for brand, own, language, theme, reviews, total, rating, negative, low in rows
    ]


def examples(ctx: ReportContext) -> tuple[list[dict], str | None]:
    """Example reviews of the month the report's period starts in, per brand and theme."""
    if "mart_review_examples" not in tables(ctx.con):
        return [], "the published marts have no example reviews (built before they existed)"
    where, params = _brand_filter(ctx)
    rows = ctx.con.execute(
        "SELECT brand, is_own_brand, theme, language, published_date, rating_5, title, text "
        "FROM (SELECT *, row_number() OVER (PARTITION BY brand, theme "
        "ORDER BY example_rank, language) AS pick FROM marts.mart_review_examples "
        f"WHERE period_start = date_trunc('month', ?::DATE) AND {where}) "
        f"WHERE pick <= {EXAMPLES_PER_THEME} "
        "ORDER BY NOT is_own_brand, brand, theme, pick",
        [ctx.period, *params],
    ).fetchall()
    out = [
        {
            "brand": brand + (" (own)" if own else ""),
            "theme": theme,
            "language": language,
            "date": str(day),
            "rating": f"{rating:.0f}/5" if rating is not None else "",
            "title": title or "",
            "text": text,
        }
        for brand, own, theme, language, day, rating, title, text in rows
    ]
    return out, None if out else "no example reviews in this month"

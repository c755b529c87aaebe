"""An independent implementation of the theme keywords (docs/methodology.md, "Review themes"
and "Feedback themes"), written from the rule rather than from the SQL: the text split into
words, a keyword's words matched in sequence, a trailing * of the seed matching any ending
of the last word. The warehouse instead searches a space-joined string for substrings."""

from __future__ import annotations

import csv
import re
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "theme_keywords.csv"
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def keywords(seed: Path = SEED) -> dict[str, list[tuple[str, list[str], bool]]]:
    """language -> [(theme, keyword words, is_stem)]."""
    out: dict[str, list[tuple[str, list[str], bool]]] = {}
    with seed.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            keyword = row["keyword"].strip().lower()
            if keyword in ("", "*"):
                continue
            stem = keyword.endswith("*")
            entry = (row["theme"].lower(), words(keyword.rstrip("*")), stem)
            out.setdefault(row["language"].lower(), []).append(entry)
    return out


def _contains(text_words: list[str], kw: list[str], stem: bool) -> bool:
    k = len(kw)
    for i in range(len(text_words) - k + 1):
        head, last = text_words[i : i + k - 1], text_words[i + k - 1]
        if head == kw[:-1] and (last.startswith(kw[-1]) if stem else last == kw[-1]):
            return True
    return False


def themes(text: str, language: str, seed: dict, other_brands: tuple[str, ...] = ()) -> set[str]:
    """The themes `text` in `language` mentions; a language without keywords is matched
    against every language's; naming one of `other_brands` (case-sensitive) is competition."""
    lowered = words(text.lower())
    lists = [seed[language]] if language in seed else list(seed.values())
    found = {
        theme for entries in lists for theme, kw, stem in entries if _contains(lowered, kw, stem)
    }
    original = words(text)
    if any(_contains(original, words(b), False) for b in other_brands):
        found.add("competition")
    return found

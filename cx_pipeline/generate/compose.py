"""Assemble free texts (comments, review bodies, titles, replies, names) from the corpora.

Phrase choice is vectorised over a flattened corpus; only the final string joins loop in
Python, which is cheap at tens of thousands of rows.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from .texts import (
    EMAIL_DOMAINS,
    FAMILY_NAME_FIRST,
    LANGUAGES,
    NAMES,
    PHONE_FORMATS,
    PHRASES,
    PII_TEMPLATES,
    REPLIES,
    SENTIMENTS,
    SUGGESTIONS,
    THEMES,
    TITLES,
)

COMPETITION = THEMES.index("competition")


class _Flat:
    """A nested corpus flattened to one array with (offset, count) per key."""

    def __init__(self, groups: list[list[str]]) -> None:
        self.count = np.array([len(g) for g in groups])
        self.offset = np.concatenate([[0], np.cumsum(self.count)[:-1]])
        self.items = np.array([s for g in groups for s in g], dtype=object)

    def pick(self, rng: np.random.Generator, key: np.ndarray) -> np.ndarray:
        idx = self.offset[key] + (rng.random(len(key)) * self.count[key]).astype(np.int64)
        return self.items[idx]


_PHRASES = _Flat([PHRASES[lang][t][s] for lang in LANGUAGES for t in THEMES for s in SENTIMENTS])
_TITLE_CLASSES = ("pos", "mixed", "neg")
_TITLES = _Flat([TITLES[lang][c] for lang in LANGUAGES for c in _TITLE_CLASSES])
_SUGGESTIONS = _Flat([SUGGESTIONS[lang] for lang in LANGUAGES])
_REPLIES = _Flat([REPLIES[lang][s] for lang in LANGUAGES for s in SENTIMENTS])


def choose_themes(
    rng: np.random.Generator, weights: np.ndarray, n_phrases: np.ndarray
) -> np.ndarray:
    """Distinct themes per row (Gumbel top-k), -1 beyond the row's phrase count.

    Distinct themes avoid the same sentence appearing twice in one comment.
    """
    n = len(n_phrases)
    w = np.broadcast_to(np.asarray(weights, dtype=float), (n, len(THEMES)))
    keys = np.log(w + 1e-12) + rng.gumbel(size=(n, len(THEMES)))
    order = np.argsort(-keys, axis=1, kind="stable")[:, :3]
    order[np.arange(3)[None, :] >= n_phrases[:, None]] = -1
    return order


def phrase_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15])


def compose(
    rng: np.random.Generator,
    lang: np.ndarray,
    themes: np.ndarray,
    positive: np.ndarray,
    other_brand: np.ndarray,
) -> np.ndarray:
    """Join one phrase per theme slot; rows without any theme get None."""
    n, k = themes.shape
    present = themes >= 0
    key = (np.repeat(lang[:, None], k, axis=1) * len(THEMES) + np.clip(themes, 0, None)) * 2
    key = key + (~positive).astype(np.int64)
    parts = np.full((n, k), None, dtype=object)
    parts[present] = _PHRASES.pick(rng, key[present])
    comp = themes == COMPETITION
    if comp.any():
        others = np.broadcast_to(other_brand[:, None], (n, k))[comp]
        parts[comp] = [s.replace("{other}", o) for s, o in zip(parts[comp], others, strict=True)]
    out = np.array([" ".join(p for p in row if p is not None) for row in parts.tolist()], object)
    out[~present.any(axis=1)] = None
    return out


def titles(rng: np.random.Generator, lang: np.ndarray, sentiment_class: np.ndarray) -> np.ndarray:
    """sentiment_class: 0 positive, 1 mixed, 2 negative."""
    return _TITLES.pick(rng, lang * len(_TITLE_CLASSES) + sentiment_class)


def suggestions(rng: np.random.Generator, lang: np.ndarray) -> np.ndarray:
    return _SUGGESTIONS.pick(rng, lang)


def replies(
    rng: np.random.Generator,
    lang: np.ndarray,
    positive: np.ndarray,
    first_name: np.ndarray,
    brand: np.ndarray,
) -> np.ndarray:
    templates = _REPLIES.pick(rng, lang * 2 + (~positive).astype(np.int64))
    return np.array(
        [t.format(name=f, brand=b) for t, f, b in zip(templates, first_name, brand, strict=True)],
        dtype=object,
    )


def person_names(
    rng: np.random.Generator, lang: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first, family, display) names; display follows the language: 'Maria S.', 'Kiss Anna'."""
    n = len(lang)
    first = np.empty(n, dtype=object)
    family = np.empty(n, dtype=object)
    female = rng.random(n) < 0.5
    u_first, u_family = rng.random(n), rng.random(n)
    for li, code in enumerate(LANGUAGES):
        for gender, mask_g in (("f", female), ("m", ~female)):
            m = (lang == li) & mask_g
            firsts, families = (np.array(x, dtype=object) for x in NAMES[code][gender])
            first[m] = firsts[(u_first[m] * len(firsts)).astype(np.int64)]
            family[m] = families[(u_family[m] * len(families)).astype(np.int64)]
    full = rng.random(n) < 0.4
    family_first = np.isin(lang, [LANGUAGES.index(c) for c in FAMILY_NAME_FIRST])
    display = np.array(
        [_display_name(*x) for x in zip(first, family, full, family_first, strict=True)],
        dtype=object,
    )
    return first, family, display


def _display_name(first: str, family: str, full: bool, family_first: bool) -> str:
    surname = family if full else f"{family[0]}."
    return f"{surname} {first}" if family_first else f"{first} {surname}"


def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def add_pii(rng: np.random.Generator, texts: np.ndarray, lang: np.ndarray, rate: float) -> int:
    """Append a phone number or e-mail address to about `rate` of the non-empty texts, in place.

    Returns how many texts now carry PII, so tests and reports can see the redaction workload.
    """
    has_text = np.array([t is not None for t in texts], dtype=bool)
    hit = np.flatnonzero(has_text & (rng.random(len(texts)) < rate))
    if len(hit) == 0:
        return 0
    first, family, _ = person_names(rng, lang[hit])
    use_phone = rng.random(len(hit)) < 0.5
    digits = rng.integers(0, 10, size=(len(hit), 16))
    fmt_pick = rng.random(len(hit))
    domain = rng.integers(0, len(EMAIL_DOMAINS), len(hit))
    number = rng.integers(1, 99, len(hit))
    with_number = rng.random(len(hit)) < 0.4
    for j, i in enumerate(hit):
        code = LANGUAGES[lang[i]]
        if use_phone[j]:
            formats = PHONE_FORMATS[code]
            fmt = formats[int(fmt_pick[j] * len(formats))]
            it = iter(digits[j])
            phone = "".join(str(next(it)) if ch == "#" else ch for ch in fmt)
            extra = PII_TEMPLATES[code]["phone"].format(phone=phone)
        else:
            local = f"{_ascii(first[j])}.{_ascii(family[j])}"
            if with_number[j]:
                local += str(number[j])
            email = f"{local}@{EMAIL_DOMAINS[domain[j]]}"
            extra = PII_TEMPLATES[code]["email"].format(email=email)
        texts[i] = f"{texts[i]} {extra}"
    return len(hit)

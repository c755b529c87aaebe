"""Quoting of names and values spliced into DuckDB SQL.

Column names come from export headers and profiles, values from profiles and file paths:
anything a user controls goes through here, never into SQL text as it is.
"""

from __future__ import annotations

import re

_PLAIN_RELATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")


def ident(name: str) -> str:
    """An identifier: `a"b` -> `"a""b"`."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A string literal: `it's` -> `'it''s'` (paths and other objects by their str())."""
    return "'" + str(value).replace("'", "''") + "'"


def relation(name: str) -> str:
    """`raw.reviews` -> `"raw"."reviews"`; anything else (already quoted, a registered
    frame's odd name) is used as it is."""
    if _PLAIN_RELATION.fullmatch(name):
        return ".".join(ident(part) for part in name.split("."))
    return name

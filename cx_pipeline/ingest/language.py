"""Language of free text, for exports that do not say: py3langid, whose model ships in
the wheel (nothing is downloaded at run time). Registered as a vectorised DuckDB
function so that detection runs inside the load's SQL, only on rows that need it."""

from __future__ import annotations

import duckdb
import pyarrow as pa

FUNCTION = "cx_detect_language"
# Shorter texts ("ok", "5*") carry too little signal: better no language than a guess.
MIN_LETTERS = 8


def _detect(values: pa.Array) -> pa.Array:
    import py3langid

    out = []
    for text in values.to_pylist():
        if text is None or sum(ch.isalpha() for ch in text) < MIN_LETTERS:
            out.append(None)
        else:
            out.append(py3langid.classify(text)[0])
    return pa.array(out, type=pa.string())


def register(con: duckdb.DuckDBPyConnection) -> str:
    try:
        con.create_function(
            FUNCTION, _detect, ["VARCHAR"], "VARCHAR", type="arrow", null_handling="special"
        )
    except duckdb.Error:
        pass  # already registered on this connection
    return FUNCTION

"""The scalar macros of session_setup.sql against plain-Python definitions."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calltouch import queries

WHITE = " \t\n\r\x0b\x0c\xa0"


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return queries.connect()


def clean(s: str | None) -> str | None:
    """ct_clean's definition: surrounding white space removed; blank is NULL."""
    if s is None:
        return None
    return s.strip(WHITE) or None


# Text made of the characters that matter at either end: white space, control characters,
# a combining accent, non-ASCII letters and plain ones.
cells = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from([*WHITE, "\x01", "\u0301", "é", "日", "a", "Z", "0", "-"])),
)


@settings(max_examples=400, deadline=None)
@given(cells)
def test_ct_tidy_is_ct_clean(con: duckdb.DuckDBPyConnection, s: str | None) -> None:
    # ct_tidy is ct_clean with a cheap test first; they must never differ.
    tidy, cleaned = con.execute("SELECT ct_tidy($s), ct_clean($s)", {"s": s}).fetchone() or ()
    assert tidy == cleaned == clean(s)


@pytest.mark.parametrize(
    "s", [" a", "a ", "\ta", "a\t", "a\r\n", "\xa0a", "a\xa0", "a\x0b", "\x0ca", "", "  ", "a b"]
)
def test_ct_tidy_examples(con: duckdb.DuckDBPyConnection, s: str) -> None:
    assert con.execute("SELECT ct_tidy($s)", {"s": s}).fetchone() == (clean(s),)

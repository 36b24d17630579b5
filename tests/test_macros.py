"""The scalar macros of session_setup.sql against plain-Python definitions."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calltouch import queries

# Unicode's white space (Python's str.isspace() also counts \x1c-\x1f, which ct_clean keeps)
WHITE = " \t\n\r\x0b\x0c\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
WHITE += "\u2028\u2029\u202f\u205f\u3000"


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
    st.text(
        alphabet=st.sampled_from([*WHITE, "\x01", "\x1c", "\u0301", "é", "日", "a", "Z", "0", "-"])
    ),
)


@pytest.mark.slow
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


def ts_expression(fast: str | None, utc: bool = True) -> str:
    """The SQL load_tasks/load_sessions use to read a text time column named s."""
    col = {"name": "s", "kind": "varchar", "formats": False, "utc": utc, "fast": fast}
    template = queries.environment().from_string(
        "{% import '_load.sql.j2' as load %}{{ load.ts(col) }}"
    )
    return template.render(col=col)


SHAPES = ["space", "space_frac", "t", "t_frac", "t_z", "t_frac_z"]


@st.composite
def shaped_times(draw: st.DrawFn) -> tuple[str, str]:
    """(a fast shape, text mostly of that shape: sometimes out of range, or of another shape)."""

    def rarely() -> bool:
        # one time in ten (hypothesis simplifies towards the first element: False)
        return draw(st.sampled_from([False] * 9 + [True]))

    def digits(top: int) -> str:
        # mostly in range, sometimes not (month 13, hour 24, second 60 ...)
        n = draw(st.integers(0, 99)) if rarely() else draw(st.integers(1, top))
        return f"{n:02d}"

    shape = draw(st.sampled_from(SHAPES))
    year = draw(st.integers(1, 9999))
    sep = "T" if shape.startswith("t") else " "
    if rarely():
        sep = draw(st.sampled_from(["T", " "]))
    frac = draw(st.sampled_from([".5", ".123", ".123456"])) if "frac" in shape else ""
    zone = "Z" if shape.endswith("_z") else ""
    if rarely() or rarely():  # another fraction or zone than the shape's
        frac = draw(st.sampled_from(["", ".5", ".1234567"]))
        zone = draw(st.sampled_from(["", "Z", "z", "+02:00", "-0530", " UTC"]))
    pad = draw(st.sampled_from(["", " "]))
    # now and then a short year, which DuckDB's %Y also reads ('26' as the year 26)
    written = f"{year % 100:02d}" if rarely() else f"{year:04d}"
    text = (
        f"{pad}{written}-{digits(12)}-{digits(28)}{sep}"
        f"{digits(23)}:{digits(59)}:{digits(59)}{frac}{zone}{pad}"
    )
    return shape, text


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(shaped_times())
def test_fast_time_shapes_read_what_the_general_cast_reads(
    con: duckdb.DuckDBPyConnection, case: tuple[str, str]
) -> None:
    # The fast path is only a shortcut: any text, of its shape or not, reads the same.
    shape, text = case
    sql = f"SELECT {ts_expression(shape)}, ct_ts(ct_tidy(s)) FROM (SELECT $s AS s)"
    fast, general = con.execute(sql, {"s": text}).fetchone() or ()
    assert fast == general


def test_fast_shape_picks_the_common_shape_and_needs_utc_for_naive_values() -> None:
    from calltouch.timeformats import fast_shape

    sf = ["2026-01-13T00:01:02.000Z", "2026-01-13T00:13:55.000Z", None, ""]
    assert fast_shape(sf, utc=False) == "t_frac_z"
    warehouse = ["2026-02-22 19:28:50.730", "2026-02-22 19:28:50", "2026-02-23 08:00:00.000"]
    assert fast_shape(warehouse, utc=True) == "space_frac"
    assert fast_shape(warehouse, utc=False) is None  # naive text in another zone: the cast
    assert fast_shape(["3/4/2026 10:22 AM", "2026-03-04 10:22+02:00"], utc=True) is None


def test_ct_id_key_is_equal_for_equal_ids_and_null_for_null(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # A filtered load relies on both: copies of an id share a key; a blank id has none.
    row = con.execute(
        "SELECT ct_id_key('a-1') = ct_id_key('a-1'), ct_id_key(NULL), ct_id_key('a-1') IS NULL"
    ).fetchone()
    assert row == (True, None, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/2/26", "2026-03-02"),
        ("3/31/26", "2026-03-31"),
        ("3/31/2026", "2026-03-31"),
        ("2026-03-31", "2026-03-31"),
        ("2026/03/31", "2026-03-31"),
        ("26-3-31", None),  # DuckDB's cast reads this as the year 26
        ("26/3/31", None),  # and %Y/%m/%d too
        ("0000-06-01", None),  # 1 BC to DuckDB, which journey would print as a close date
        ("0001-06-01", "0001-06-01"),
        ("Mar 31, 2026", "2026-03-31"),  # a month's name: no day/month order to choose
        ("31-Mar-26", "2026-03-31"),
    ],
)
def test_ct_day_reads_two_digit_years_in_this_century(
    con: duckdb.DuckDBPyConnection, text: str, expected: str | None
) -> None:
    from calltouch.timeformats import date_formats

    row = con.execute(
        "SELECT CAST(ct_day($s, $formats) AS VARCHAR)", {"s": text, "formats": date_formats("mdy")}
    ).fetchone()
    assert row == (expected,)


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("3/2/2026 8:00 PM", "UTC", "2026-03-02"),  # the date written, whatever --tz
        ("3/2/2026 8:00 PM", "Asia/Tokyo", "2026-03-02"),
        ("3/2/2026 8:00 PM -05:00", "UTC", "2026-03-03"),  # an instant: its UTC day
        ("3/2/2026 8:00 PM -05:00", "Asia/Tokyo", "2026-03-03"),
        ("Mar 2, 2026 11:30 PM", "UTC", "2026-03-02"),
        ("3/2/2026 8:00 a.m.", "Asia/Tokyo", "2026-03-02"),  # ct_meridiem's forms: as written
        ("3/2/2026 10:22\u00a0p.m.", "America/Los_Angeles", "2026-03-02"),
        ("3/2/2026 8:00 XM", "UTC", None),
    ],
)
def test_a_locale_close_date_with_its_time_is_its_date(
    text: str, zone: str, expected: str | None
) -> None:
    # rejected as "not a date", though a date-time without a zone keeps the date written and
    # one with its offset is its UTC day, as the ISO forms were read
    from calltouch.timeformats import date_formats, naive_formats, zoned_formats

    con = queries.connect()
    con.execute(f"SET TimeZone = '{zone}'")
    row = con.execute(
        "SELECT CAST(ct_day($s, $d, naive := $n, zoned := $z) AS VARCHAR)",
        {"s": text, "d": date_formats("mdy"), "n": naive_formats("mdy"), "z": zoned_formats("mdy")},
    ).fetchone()
    con.close()
    assert row == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mar 2, 2026 12:40 PM", "2026-03-02 12:40:00"),
        ("March 2, 2026, 12:40:05 PM", "2026-03-02 12:40:05"),
        ("mar 2 2026 00:05", "2026-03-02 00:05:00"),
        ("02 Mar 2026 12:40", "2026-03-02 12:40:00"),
        ("2 March 2026 9:05 AM", "2026-03-02 09:05:00"),
        ("2-Mar-26 12:40", "2026-03-02 12:40:00"),  # Excel's d-mmm-yy
        ("2-Mar-2026 12:40", "2026-03-02 12:40:00"),
        ("Mar 2, 2026 12:40 PM -05:00", "2026-03-02 17:40:00"),
        ("Mar 2, 26 12:40 PM", None),  # the year 26, as %Y reads it
        ("Sept 2, 2026 12:40 PM", None),  # no abbreviation strptime knows
        ("Mar 32, 2026 12:40 PM", None),
    ],
)
def test_month_name_times_read_in_either_date_order(text: str, expected: str | None) -> None:
    # they were rejected ("not a date-time"): a US report, HubSpot or a spreadsheet writes them
    from calltouch.timeformats import naive_formats, zoned_formats

    con = queries.connect()
    for order in ("mdy", "dmy"):
        row = con.execute(
            "SELECT CAST(ct_ts_formats($s, $n, $z) AS VARCHAR)",
            {"s": text, "n": naive_formats(order), "z": zoned_formats(order)},
        ).fetchone()
        assert row == (expected,), order
    con.close()


def test_a_zoned_locale_time_reads_the_same_whatever_the_inputs_zone() -> None:
    # the year check of a zoned value is made in UTC: --tz (the connection's zone while a
    # file loads) must not decide whether '1/1/1000 00:30 +01:00' (999 in UTC) is read
    from calltouch.timeformats import naive_formats, zoned_formats

    got = set()
    for zone in ("UTC", "Asia/Tokyo", "America/New_York"):
        con = queries.connect()
        con.execute(f"SET TimeZone = '{zone}'")
        row = con.execute(
            "SELECT ct_ts_formats($s, $n, $z), ct_ts_formats($ok, $n, $z)",
            {
                "s": "1/1/1000 00:30 +01:00",
                "ok": "3/4/2026 10:22 +01:00",
                "n": naive_formats("mdy"),
                "z": zoned_formats("mdy"),
            },
        ).fetchone()
        con.close()
        got.add(row)
    assert len(got) == 1 and next(iter(got))[0] is None


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12500", "12500.00"),
        ("12,500.00", "12500.00"),
        ("$12,500", "12500.00"),
        ("12.500,00", "12500.00"),  # Europe: read 12.50 when every comma was deleted
        ("€1.234,56", "1234.56"),
        ("1,5", "1.50"),  # a decimal comma: read 15
        ("12 500,00", "12500.00"),
        ("12\u202f500,00", "12500.00"),  # French narrow no-break space
        ("12'500.50", "12500.50"),  # Swiss
        ("1,23,456.50", "123456.50"),  # India
        ("₹1,23,456.50", "123456.50"),  # the rupee sign, as ct_amount_currency reads it
        ("1,23,456.50 ₹", "123456.50"),
        ("¥500", "500.00"),
        ("1,500", "1500.00"),
        ("1.500", "1500.00"),  # thousands: a currency amount has no third decimal
        ("1.234.567", "1234567.00"),
        ("12500.000000", "12500.00"),  # a warehouse DECIMAL's text
        ("-1,234.5", "-1234.50"),
        ("0.500", "0.50"),  # a lone 0 before the mark: decimals, never 500
        ("0,001", "0.00"),
        ("1.2E+5", "120000.00"),  # Excel's General format, float dumps
        ("1.5e-2", "0.02"),
        ("USD 1,500.00", "1500.00"),  # a multi-currency org's report
        ("2.000,50 EUR", "2000.50"),
        ("USD", None),
        ("(1,200.00)", "-1200.00"),  # Excel's accounting format
        ("$(1,200.00)", "-1200.00"),
        ("($1,200.00)", "-1200.00"),
        ("USD (1,200.00)", "-1200.00"),
        ("(USD 1,200.00)", "-1200.00"),  # the code inside the parentheses
        ("(1.200,00 EUR)", "-1200.00"),
        ("\u22121,200.00", "-1200.00"),  # a minus sign (U+2212), as typeset text writes it
        ("\u20ac \u22121.000,00", "-1000.00"),
        ("CHF 1\u2019234.50", "1234.50"),  # de-CH Excel's typographic apostrophe
        ("(USD)", None),
        ("(-5)", None),
        ("(5", None),
        ("()", None),
        ("5.", "5.00"),
        (".5", "0.50"),
        ("1,2,3", None),
        ("1.2.3", None),
        ("12,50.00", None),
        ("12.500.00", None),
        ("abc", None),
        ("", None),
    ],
)
def test_ct_amount_reads_either_decimal_mark(
    con: duckdb.DuckDBPyConnection, text: str, amount: str | None
) -> None:
    (value,) = con.execute("SELECT CAST(ct_amount(?) AS VARCHAR)", [text]).fetchone() or (None,)
    assert value == amount


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("12.5", "."),
        ("12.5555", "."),
        ("1250.500", "."),  # four digits before the mark: not a thousands group
        ("0.500", "."),
        ("12,500.00", "."),
        ("1,234,567", "."),  # a mark grouping twice groups thousands
        ("1,23,456", "."),
        ("$12,500.5", "."),
        ("12,5", ","),
        ("1250,500", ","),
        ("12.500,00", ","),
        ("1.234.567", ","),
        ("1.500", None),  # thousands or decimals: tells nothing
        ("1,500", None),
        ("125.555", None),
        ("12500", None),
        ("1.2E+5", None),
        ("abc", None),
    ],
)
def test_ct_amount_mark_tells_the_decimal_mark_a_cell_shows_beyond_doubt(
    con: duckdb.DuckDBPyConnection, text: str, mark: str | None
) -> None:
    got = con.execute("SELECT ct_amount_mark(ct_amount_tidy(?))", [text]).fetchone()
    assert got == (mark,)


@pytest.mark.parametrize(
    ("text", "mark", "amount"),
    [
        ("125.555", ".", "125.56"),  # beside 12500.555: a third decimal, not thousands
        ("125.500", ".", "125.50"),
        ("1,500", ".", "1500.00"),  # the other mark still groups
        ("125,555", ",", "125.56"),
        ("1.500", ",", "1500.00"),
        ("125.555", None, "125555.00"),  # no column evidence: thousands, as before
        ("1.500.000", ".", "1500000.00"),
    ],
)
def test_ct_amount_reads_a_lone_group_by_the_columns_mark(
    con: duckdb.DuckDBPyConnection, text: str, mark: str | None, amount: str
) -> None:
    got = con.execute("SELECT CAST(ct_amount(?, ?) AS VARCHAR)", [text, mark]).fetchone()
    assert got == (amount,)


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("USD 1,500.00", "USD"),
        ("2.000,50 EUR", "EUR"),
        ("(USD 1,200.00)", "USD"),  # Excel's accounting format around a coded amount
        ("(1.200,00 EUR)", "EUR"),
        ("$(1,200.00)", "$"),
        ("₹1,23,456.50", "₹"),
        ("1500", None),
        ("USD", None),  # no amount, no currency
    ],
)
def test_ct_amount_currency_names_the_code_or_sign(
    con: duckdb.DuckDBPyConnection, text: str, currency: str | None
) -> None:
    (value,) = con.execute("SELECT ct_amount_currency(?)", [text]).fetchone() or (None,)
    assert value == currency

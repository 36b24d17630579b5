"""Timestamp styles of real exports, and the strptime formats that read them (R8).

ISO-8601 (``2026-03-02T12:17:00.000Z``, ``2026-03-02 12:17:00``, offsets such as ``+0200``) is
read by DuckDB's cast. Locale styles from Salesforce reports and call-tracking vendors
(``3/4/2026, 10:22 AM``, ``04/03/2026 10:22``, ``04.03.2026 10:22``) are read with the format lists
below; whether ``03/04`` is 3 April or 4 March comes from ``--date-order`` or from the data
(a first number above 12 means day first, a second number above 12 means month first).

Promise: nothing here guesses silently. When the data cannot tell the order and the user did
not say, :func:`decide_date_order` raises a UsageError that explains how to choose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from calltouch.errors import DateOrderError

DateOrder = Literal["mdy", "dmy"]

_ISO = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|z| UTC|[+-]\d{2}(?::?\d{2})?)?\s*$"
)
_SLASH = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")
# a date-time a person's locale writes: from a digit (3/4/2026 10:22) or an English month's
# name (Mar 2, 2026 12:40 PM; 02 Mar 2026 12:40 starts with a digit)
_DATE_TIME_LIKE = re.compile(
    r"^\s*(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s).*\d:\d\d",
    re.IGNORECASE,
)
# a value's zone at its end: Z, an offset, UTC or GMT (with an offset), a zone's name
_ZONE_SUFFIX = re.compile(
    r"(?:Z|[+-]\d{2}:?\d{2}|\s(?:UTC|GMT)(?:[+-]\d{2}(?::?\d{2})?)?"
    r"|\s[A-Za-z]+(?:/[A-Za-z0-9_+-]+)+)\s*$"
)

_TIMES_12 = ("%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%I:%M:%S%p", "%I:%M:%S.%f %p")
_TIMES_24 = ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f")


def _dates(order: DateOrder) -> tuple[str, ...]:
    # A two-digit year first: DuckDB's %Y also reads "26" (as the year 26), while %y cannot
    # read "2026" (it stops after "20"). Two-digit years are 2000-2068 and 1969-1999.
    first, second = ("%m", "%d") if order == "mdy" else ("%d", "%m")
    out = []
    for sep in ("/", ".", "-"):
        for year in ("%y", "%Y"):
            out.append(f"{first}{sep}{second}{sep}{year}")
    return tuple(out)


# Dates with an English month's name, which no day/month order concerns: Mar 2, 2026 and
# March 2, 2026 (US reports, HubSpot, Sheets), 02 Mar 2026 and 2-Mar-26 (Excel's d-mmm-yy).
# %b reads the abbreviation (any case), %B the whole name; a two-digit year first, as above.
_MONTH_NAME_DATES = (
    "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y",
    "%d %b %Y", "%d %B %Y", "%d-%b-%y", "%d-%b-%Y",
)  # fmt: skip


def naive_formats(order: DateOrder) -> list[str]:
    """strptime formats (without a zone) for locale timestamps in ``order``."""
    out: list[str] = []
    for date in (*_dates(order), "%Y/%m/%d", "%Y-%m-%d", *_MONTH_NAME_DATES):
        for joiner in (", ", " "):
            for time in (*_TIMES_12, *_TIMES_24):
                out.append(f"{date}{joiner}{time}")
    return out


def date_formats(order: DateOrder) -> list[str]:
    """strptime formats for dates without a time (3/31/2026, 31.03.2026, 2026/03/31,
    Mar 31, 2026)."""
    return [*_dates(order), "%Y/%m/%d", *_MONTH_NAME_DATES]


def zoned_formats(order: DateOrder) -> list[str]:
    """The same formats followed by a UTC offset (``-05:00``, ``+0100``)."""
    return [f"{fmt} %z" for fmt in naive_formats(order)]


@dataclass(frozen=True)
class TimeSample:
    """What a sample of one column's text values looks like."""

    values: int
    iso: int
    slash: int
    zoned: int
    first_max: int
    second_max: int
    locale: int = 0  # date-times that are not ISO-8601 (slash dates, AM/PM, ...)

    @property
    def needs_formats(self) -> bool:
        """True when some values look like locale date-times that need the strptime formats
        (values that look like nothing are simply rejected)."""
        return self.locale > 0

    def describe(self, order: DateOrder | None) -> str:
        """A short description of the style, for ``inspect``."""
        if self.values == 0:
            return "no values"
        if not self.needs_formats and self.iso == 0:
            return "no date-times (no value reads as one)"  # epoch numbers, words: not ISO
        if not self.needs_formats:
            zone = (
                "with zone"
                if self.zoned == self.values
                else ("without zone" if self.zoned == 0 else "some with zone")
            )
            return f"ISO-8601 {zone}"
        return locale_style(order) + (" with zone" if self.zoned else "")


def locale_style(order: DateOrder | None) -> str:
    """How locale timestamps of ``order`` are described to the user."""
    return {
        "mdy": "M/D/YYYY h:mm",
        "dmy": "D/M/YYYY h:mm",
        None: "date-time other than ISO-8601 (AM/PM, dotted, a month's name, an offset after "
        "a space)",
    }[order]


def sample(values: Iterable[str | None]) -> TimeSample:
    """Classify text values of one timestamp column."""
    n = iso = slash = zoned = locale = 0
    first_max = second_max = 0
    for value in values:
        if value is None or not value.strip():
            continue
        n += 1
        if _ISO.match(value):
            iso += 1
        else:
            if _DATE_TIME_LIKE.match(value):
                locale += 1
            found = _SLASH.match(value)
            if found:
                slash += 1
                first_max = max(first_max, int(found.group(1)))
                second_max = max(second_max, int(found.group(2)))
        if _ZONE_SUFFIX.search(value.strip()):
            zoned += 1
    return TimeSample(n, iso, slash, zoned, first_max, second_max, locale)


# Exact ISO-8601 shapes DuckDB's strptime reads several times faster than the general cast
# (ct_ts); the load templates keep the literal formats (sql/_load.sql.j2, fast_ts), keyed by
# these names. A "_z" shape names an instant (UTC); the others are naive.
_FAST_SHAPES = {
    "space": re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"),
    "space_frac": re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{1,6}"),
    "t": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"),
    "t_frac": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}"),
    "t_z": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"),
    "t_frac_z": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}Z"),
}


def fast_shape(values: Iterable[str | None], *, utc: bool) -> str | None:
    """The name of the exact ISO shape most sampled values share, when reading it with one
    strptime format gives what the general cast gives: always for a trailing Z (an instant),
    for naive values only when the input's zone is UTC. None when no shape fits the sample.
    Values of another shape are still read by the general cast: this only picks a fast path."""
    counts = dict.fromkeys(_FAST_SHAPES, 0)
    for value in values:
        if value is None:
            continue
        text = value.strip()
        for name, shape in _FAST_SHAPES.items():
            if shape.fullmatch(text):
                counts[name] += 1
                break
    usable = {n: c for n, c in counts.items() if c and (utc or n.endswith("_z"))}
    if not usable:
        return None
    return max(usable, key=lambda n: usable[n])


def infer_date_order(first_max: int, second_max: int) -> DateOrder | None:
    """Day first when a first number exceeds 12, month first when a second one does."""
    if first_max > 12 and second_max <= 12:
        return "dmy"
    if second_max > 12 and first_max <= 12:
        return "mdy"
    return None


def told_date_order(
    first_max: int, second_max: int, slash_dates: int, dotted: int
) -> DateOrder | None:
    """The order a file's own dates show: a number above 12 in one place only, or dots on
    every date (no locale writes month-first dates with dots); None when they do not tell."""
    inferred = infer_date_order(first_max, second_max)
    if inferred is not None:
        return inferred
    if slash_dates and dotted == slash_dates and first_max <= 12 and second_max <= 12:
        return "dmy"
    return None


def decide_date_order(
    given: DateOrder | None,
    first_max: int,
    second_max: int,
    file: str,
    column: str,
    slash_dates: int = 1,
    example: str | None = None,
    cells: int | None = None,
    dotted: int = 0,
    orders: tuple[str | None, str | None] = (None, None),
    undotted: str | None = None,
) -> DateOrder | None:
    """The date order to read ``column`` (its quoted name, or several) with: the data's when
    it shows one, else the user's (``given``), else an error naming how many of the
    ``cells`` values are day/month dates and an ``example`` (when both orders occur,
    ``orders``: a value only day-first reads and one only month-first reads). None when
    there are no day/month dates at all (the order does not matter). Dates written with dots
    only (04.03.2026, German and most European exports) are day first when no number says
    otherwise: no locale writes month-first dates with dots. Beside dotted dates, the ones
    in question are the others (``undotted``: one of them)."""
    if slash_dates == 0:
        return given
    told = told_date_order(first_max, second_max, slash_dates, dotted)
    if told is not None or given is not None:
        # --date-order orders the dates the data cannot tell: a file whose own dates show
        # their order (a report of another locale in the same folder) keeps it
        return told or given
    seen = ""
    if dotted and undotted is not None:  # the dotted ones are day first: the others are asked
        others = slash_dates - dotted
        share = f"{others} of {cells} values" if cells else f"{others} values"
        seen = (
            f"; {share} are written that way, e.g. {undotted!r}, beside {dotted} dotted "
            f"date{'s' if dotted != 1 else ''} (day first wherever they are written)"
        )
    elif example is not None:
        share = f"{slash_dates} of {cells} values" if cells else f"{slash_dates} values"
        seen = f"; {share} are written that way, e.g. {example!r}"
    stray = (
        " If they are stray values in a column otherwise in another form, fix them in the "
        "export (unreadable ones are rejected either way)."
        if cells and slash_dates * 10 < cells
        else ""
    )
    if first_max > 12 and second_max > 12:
        day_first, month_first = orders
        if day_first is not None and month_first is not None:
            seen = f", e.g. {day_first!r} (day first) and {month_first!r} (month first)"
        raise DateOrderError(
            f"{file}: column {column} mixes day-first and month-first dates "
            f"(numbers above 12 in both places){seen}",
            hint="Fix the export, or pass --date-order mdy|dmy to read one order "
            f"(the other rows are rejected).{stray}",
        )
    roles = (
        "--date-order ROLE=dmy (ROLE being tasks, sessions, opportunities, contact_roles or "
        "people) sets one input's order only."
    )
    if dotted and undotted is not None:  # --date-order reads the dotted dates too
        hint = (
            "If the other dates are day first too (3/4/2026 is 3 April), pass --date-order "
            "dmy. If they are month first, the column mixes orders: fix the export, since "
            f"--date-order mdy would read the dotted dates month first too; {roles}"
        )
    else:
        hint = (
            "Pass --date-order mdy (US: 3/4/2026 is March 4) or --date-order dmy (3/4/2026 is "
            f"3 April); {roles}"
        )
    raise DateOrderError(
        f"{file}: cannot tell from column {column} whether dates are month/day or day/month "
        f"(no day above 12){seen}",
        hint=hint + stray,
    )

"""Render a :class:`~calltouch.reporting.Report` as one self-contained HTML page.

Promises:

* One file that needs nothing else: the CSS is inline, the charts are inline SVG drawn by our own
  templates in ``calltouch/templates/``, and the page has no script and fetches no stylesheet,
  font, image or anything else, so it opens offline and can be mailed as it is.
* Data is text, never markup: the page has its own Jinja environment with HTML autoescaping on
  (unlike the SQL environment of :mod:`calltouch.queries`, which must not escape) and
  ``StrictUndefined``, so a channel named ``<script>`` or ``[bold]`` shows literally; its
  control characters show as their signs and bidirectional overrides as U+FFFD, as on the
  terminal (:func:`calltouch.text.printable`).
* Layout only: every number comes from the :class:`Report` or :class:`RevenueReport` (that
  is, from the report queries); this module formats numbers and chooses scales, it never
  aggregates.
* Deterministic: the same Report gives byte-identical HTML. Nothing about "now", the machine, its
  locale or its time zone reaches the page; only the report's own date range does.

This module imports neither typer nor rich.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

import jinja2

from calltouch import __version__
from calltouch.reporting import (
    BY_LABEL,
    Report,
    RevenueReport,
    money,
    pct,
    week_monday,
    whole,
)
from calltouch.text import printable

#: What each reason code means, in words an analyst can act on (R1-R6 of the spec).
REASON_TEXT = {
    "no_bizible_id": "The task has no BizibleId (R1): the call-tracking vendor did not send the "
    "_biz_uid cookie, so the call has no touchpoint.",
    "no_session_for_id": "No web session has the task's BizibleId (R5).",
    "only_later_sessions": "Every session of the BizibleId started after the call (R5).",
    "outside_window": "The latest earlier session started before the matching window (R5).",
    "session_already_used": "An earlier call already merged with the session (R6).",
}
STATUS_TEXT = {
    "standalone": "touchpoint without a web session",
    "unmatched": "no touchpoint",
}
_NBSP = "\u00a0"  # no-break space
_DASH = "\u2013"  # en dash: ranges, and the mark of a missing value
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value: int | float | None) -> str:
    """1234 -> '1,234'; None -> an en dash."""
    if value is None:
        return _DASH
    return f"{value:,}"


def percent(value: float | None) -> str:
    """0.4567 -> '45.7%' (one decimal); None -> an en dash."""
    return pct(value) or _DASH


def coord(value: float) -> str:
    """A chart coordinate with two decimals, the same on every machine."""
    return f"{value:.2f}"


def _day(iso: str) -> date:
    return date.fromisoformat(iso[:10])


def day(iso: str | None) -> str:
    """'2026-03-01T15:53:35Z' -> '1 Mar 2026' (no locale involved; no-break spaces inside)."""
    if not iso:
        return _DASH
    d = _day(iso)
    return f"{d.day}{_NBSP}{_MONTHS[d.month - 1]}{_NBSP}{d.year}"


def date_range(first: str | None, last: str | None) -> str:
    """The report's date range, as short as it can be said: '1 Mar 2026' for one day,
    '1 - 31 Mar 2026' in one month (with an en dash), and so on; it may break only after the
    dash."""
    if not first or not last:
        return _DASH
    a, b = _day(first), _day(last)
    if a == b:
        return day(first)
    if (a.year, a.month) == (b.year, b.month):
        start = f"{a.day}"
    elif a.year == b.year:
        start = f"{a.day}{_NBSP}{_MONTHS[a.month - 1]}"
    else:
        start = day(first)
    return f"{start}{_NBSP}{_DASH} {day(last)}"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least ``value`` (min 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def week_label(label: str, *, with_year: bool) -> str:
    """'2026-W09' -> 'W09', or the whole label ``with_year``."""
    if with_year or "-W" not in label:
        return label
    return label.split("-", 1)[1]


TREND_PAD = 4  # percent of the width left free at each end of the weekly line
TREND_LABELS = 8  # labelled weeks at most (4 on a phone)


def _week_number(label: str) -> int | None:
    """An ISO week label ('2026-W09') as a count of weeks: consecutive weeks, consecutive
    numbers (across a year's end too); None for another label."""
    monday = week_monday(label)
    return None if monday is None else (monday.toordinal() - 1) // 7  # day 1 is a Monday


def trend(weekly: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Where the merge-rate line puts each week with calls (``weekly``: the report's weekly
    rows, oldest first): ``points``, each row with ``x`` (percent of the width: the axis is
    time, so a week without calls leaves its gap), ``tick`` (labelled, at least an eighth of
    the width after the last labelled week) and ``phone`` (labelled on a phone too, a
    quarter); ``runs``, the points' indices cut where weeks without calls lie between them
    (no line is drawn across a week without a merge rate); ``weeks``, the span in weeks."""
    numbers = [_week_number(str(row["label"])) for row in weekly]
    known = [n for n in numbers if n is not None]
    if len(known) != len(numbers):  # not ISO weeks: one after the other
        known = list(range(len(weekly)))
    first = known[0] if known else 0
    span = (known[-1] - first) if known else 0
    points: list[dict[str, Any]] = []
    runs: list[list[int]] = []
    last_tick = last_phone = -math.inf
    for i, (row, number) in enumerate(zip(weekly, known, strict=True)):
        x = 50.0 if span == 0 else TREND_PAD + (number - first) * (100 - 2 * TREND_PAD) / span
        tick = x - last_tick >= 100 / TREND_LABELS
        phone = tick and x - last_phone >= 100 / (TREND_LABELS / 2)
        last_tick = x if tick else last_tick
        last_phone = x if phone else last_phone
        if not runs or number - known[i - 1] > 1:
            runs.append([])
        runs[-1].append(i)
        points.append({**row, "x": x, "tick": tick, "phone": phone})
    return {"points": points, "runs": runs, "weeks": span + 1 if known else 0}


def templates_loader() -> jinja2.BaseLoader:
    """The page templates, found inside the package (so an installed wheel has them too)."""
    return jinja2.PackageLoader("calltouch", "templates")


def _shown(value: object) -> object:
    """Every value a page template prints, text from the data as the terminal shows it
    (:func:`calltouch.text.printable`): a control character as its sign, never raw (the page
    did not validate, and a browser drops some), and a bidirectional override as U+FFFD (a
    channel's unclosed U+202E showed the rest of a bar's tooltip reversed, figures too)."""
    return printable(value) if isinstance(value, str) and not hasattr(value, "__html__") else value


@cache
def environment() -> jinja2.Environment:
    """The HTML environment: autoescaping on, strict about undefined names."""
    env = jinja2.Environment(
        loader=templates_loader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )
    env.filters.update(
        number=number,
        percent=percent,
        coord=coord,
        day=day,
        week_label=week_label,
        money=money_text,
        whole=whole_text,
        signed=signed,
        change_class=change_class,
    )
    env.globals.update(date_range=date_range, nice_ceiling=nice_ceiling)
    return env


def render_html(report: Report, *, title: str | None = None, source: str = "") -> str:
    """The whole report as one self-contained HTML document; its title by default "Calls
    by" its grouping (it was "Calls by channel" whatever --by was)."""
    options = report.options
    title = title or f"Calls by {BY_LABEL[options.by].lower()}"
    filters = [f"grouped by {BY_LABEL[options.by].lower()}"]
    if options.status != "all":
        filters.append(f"{options.status} calls only")
    if options.since:
        filters.append(f"from {options.since.isoformat()}")
    if options.until:
        filters.append(f"until {options.until.isoformat()}")
    if options.top:
        filters.append(f"top {options.top}")
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            source=source,
            version=__version__,
            by_label=BY_LABEL[options.by],
            filters=filters,
            headline=report.headline,
            rows=report.rows,
            total=report.total,
            reasons=report.reasons,
            reason_text=REASON_TEXT,
            status_text=STATUS_TEXT,
            weekly=trend(report.weekly or []),
            campaigns=report.campaigns or [],
            merged_only=options.status == "merged",
        )
    )


def money_text(value: object) -> str:
    """12345.6 -> '12,345.60'; None -> an en dash."""
    return money(value) or _DASH  # type: ignore[arg-type]


def whole_text(value: object) -> str:
    """12345.6 -> '12,346' (headline figures, rounded half up); None -> an en dash."""
    return whole(value) or _DASH  # type: ignore[arg-type]


def signed(value: object) -> str:
    """A change: '+1,234.00', '-56.70' written with a real minus sign (U+2212), or '0.00'."""
    number = float(value or 0)  # type: ignore[arg-type]
    if number == 0:
        return "0.00"
    return ("+" if number > 0 else "\u2212") + f"{abs(number):,.2f}"


def change_class(value: object) -> str:
    """'gain', 'loss' or '' for a change, as a CSS class."""
    number = float(value or 0)  # type: ignore[arg-type]
    return "gain" if number > 0 else "loss" if number < 0 else ""


def render_revenue_html(
    report: RevenueReport, *, title: str | None = None, source: str = ""
) -> str:
    """``report --revenue`` as one self-contained HTML document, with the comparison with
    calls invisible when the report carries it."""
    options = report.options
    return (
        environment()
        .get_template("revenue.html.j2")
        .render(
            title=title or f"Revenue by {BY_LABEL[options.by].lower()}",
            source=source,
            version=__version__,
            model_label=options.model_label,
            by_label=BY_LABEL[options.by],
            options=options.describe(),
            headline=report.headline,
            rows=report.rows,
            total=report.total,
            comparison=report.comparison,
        )
    )


__all__ = ["REASON_TEXT", "render_html", "render_revenue_html"]

"""The rows of ``calltouch report`` and their plain-text forms (CSV, JSON, Markdown).

Promise: every form of a report (rich table, CSV, JSON, Markdown, HTML, dashboard) is rendered
from one :class:`Report` (calls) or :class:`RevenueReport` (``report --revenue``), whose rows
come from the report templates in ``sql/``; nothing is aggregated again in Python. A report
built for CSV (``cells="csv"``) has its labels neutralised by the query like every CSV output
(SPEC §4, the templates' one cell macro); nothing here rewrites a cell. Nothing here imports
typer or rich.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import duckdb

from calltouch import attribution, queries
from calltouch.errors import UsageError
from calltouch.outputs import json_number, json_text
from calltouch.text import printable

BY_CHOICES = (
    "channel",
    "subchannel",
    "campaign",
    "source",
    "medium",
    "landing_page",
    "touchpoint_type",
    "day",
    "week",
    "month",
)
Status = Literal["all", "merged", "standalone"]
# How the queries write text cells: "csv" neutralises text a spreadsheet would run as a formula
# (SPEC §4); "json" keeps it as it is (the table, JSON, Markdown and HTML forms).
Cells = Literal["csv", "json"]
GROUP_COLUMNS = ("label", "calls", "merged", "standalone", "merge_rate", "share")
BY_LABEL = {
    "channel": "Channel",
    "subchannel": "Channel / subchannel",
    "campaign": "Campaign",
    "source": "Source",
    "medium": "Medium",
    "landing_page": "Landing page",
    "touchpoint_type": "Touchpoint type",
    "day": "Day",
    "week": "Week",
    "month": "Month",
}


@dataclass(frozen=True)
class ReportOptions:
    """What a report covers and how it groups."""

    by: str = "channel"
    since: date | None = None
    until: date | None = None
    status: Status = "all"
    top: int | None = None

    def __post_init__(self) -> None:
        if self.by not in BY_CHOICES:
            raise UsageError(
                f"--by {self.by!r} is not a grouping calltouch knows",
                hint=f"Use one of: {', '.join(BY_CHOICES)}.",
            )
        if self.top is not None and self.top < 1:
            raise UsageError("--top must be at least 1")
        if self.since and self.until and self.since > self.until:
            raise UsageError(f"--since {self.since} is after --until {self.until}")

    def binds(self) -> dict[str, Any]:
        """The bind values the report templates share."""
        return {
            "since": None if self.since is None else self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
            "status": self.status,
        }

    def describe(self) -> dict[str, Any]:
        """The options as JSON-ready data."""
        return {
            "by": self.by,
            "since": None if self.since is None else self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
            "status": self.status,
            "top": self.top,
        }


class GroupedRows:
    """Rows of level 'group' followed by one row of level 'total' (``groups``)."""

    groups: list[dict[str, Any]]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The group rows without the total."""
        return [r for r in self.groups if r["level"] == "group"]

    @property
    def total(self) -> dict[str, Any]:
        """The total row."""
        return next(r for r in self.groups if r["level"] == "total")


@dataclass
class Report(GroupedRows):
    """Everything any form of the report shows."""

    options: ReportOptions
    groups: list[dict[str, Any]]  # level 'group' rows, then one level 'total' row
    reasons: list[dict[str, Any]]
    headline: dict[str, Any]
    cells: Cells = "json"  # how the queries wrote the labels
    # the weekly series and top campaigns, when built (extras: the HTML report, the dashboard)
    weekly: list[dict[str, Any]] | None = None
    campaigns: list[dict[str, Any]] | None = None
    # why the touchpoints no longer reflect what is loaded (the dashboard shows it); "" if not
    stale: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the json format prints exactly this): the weekly
        series and top campaigns only when built, never as empty lists that read as 'none'."""
        out = {
            "options": self.options.describe(),
            "headline": self.headline,
            "groups": [_public(r) for r in self.rows],
            "total": _public(self.total),
            "reasons": self.reasons,
        }
        if self.weekly is not None:
            out["weekly"] = [_public(r) for r in self.weekly]
        if self.campaigns is not None:
            out["campaigns"] = [_public(r) for r in self.campaigns]
        return out


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in GROUP_COLUMNS}


def parse_date(text: str | None, option: str) -> date | None:
    """``YYYY-MM-DD`` for --since/--until."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date", hint="Use YYYY-MM-DD, e.g. 2026-03-01."
        ) from None


def groups(
    con: duckdb.DuckDBPyConnection, options: ReportOptions, cells: Cells = "json"
) -> list[dict[str, Any]]:
    """The grouped rows (and total) of ``options``, labels written as ``cells``."""
    binds = {**options.binds(), "top": options.top}
    return queries.fetch_dicts(con, "report_groups", binds, by=options.by, fmt=cells)


def build(
    con: duckdb.DuckDBPyConnection,
    options: ReportOptions,
    *,
    extras: bool = False,
    cells: Cells = "json",
) -> Report:
    """Run the report queries. ``extras`` adds the weekly series and top campaigns (for the
    HTML report and the dashboard); ``cells="csv"`` gives the labels as CSV cells (for
    :func:`to_csv`)."""
    base = options.binds()
    report = Report(
        options=options,
        groups=groups(con, options, cells),
        reasons=queries.fetch_dicts(con, "report_reasons", base),
        headline=queries.fetch_dicts(con, "report_headline", base)[0],
        cells=cells,
    )
    if extras:
        report.weekly = [
            r
            for r in groups(
                con, ReportOptions("week", options.since, options.until, options.status)
            )
            if r["level"] == "group"
        ]
        report.campaigns = [
            r
            for r in groups(
                con, ReportOptions("campaign", options.since, options.until, options.status, 10)
            )
            if r["level"] == "group"
        ]
    return report


def _require_csv_cells(report: Report | RevenueReport) -> None:
    if report.cells != "csv":
        raise ValueError("a report written as CSV must be built with cells='csv'")


def to_csv(report: Report) -> str:
    """The grouped rows and the total as CSV: a column named after --by holding the labels, then
    calls, merged, standalone, merge_rate and share. ``report`` is built with ``cells="csv"``."""
    _require_csv_cells(report)
    header = [report.options.by, "calls", "merged", "standalone", "merge_rate", "share"]
    return csv_text(
        [header]
        + [
            [
                row["label"],
                row["calls"],
                row["merged"],
                row["standalone"],
                "" if row["merge_rate"] is None else row["merge_rate"],
                "" if row["share"] is None else row["share"],
            ]
            for row in report.groups
        ]
    )


def csv_text(rows: Sequence[Sequence[object]]) -> str:
    """``rows`` as CSV text, each line ending in LF, a field quoted when it holds a CR or an LF
    (the csv module quotes the characters of its line terminator only: with LF, a campaign
    name's lone CR was written bare and split its row for every reader)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = []
    for row in rows:
        writer.writerow(row)
        lines.append(buffer.getvalue()[:-2] + "\n")
        buffer.seek(0)
        buffer.truncate()
    return "".join(lines)


def to_json(report: Report) -> str:
    """The whole report as indented JSON."""
    return json_text(report.as_dict()) + "\n"


# The characters that make Markdown of text: HTML (<, >, & entities), emphasis (*, _, ~), links
# ([ ]), code (`), a table's cell edge (|) and the escape itself. CommonMark renders any ASCII
# punctuation after a backslash as itself, so a label reads as the warehouse's text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def _md(text: object) -> str:
    """A label as the text of one Markdown table cell: its markup escaped, on one line, its
    control characters shown as signs (an ESC in it reset the terminal it was printed on)."""
    flat = printable(" ".join(str(text).splitlines()))
    return _MD_SPECIAL.sub(r"\\\1", flat)


def pct(value: float | None) -> str:
    """0.4567 -> '45.7%'; None -> ''. A rate strictly between 0 and 1 never reads as 0.0% or
    100.0% (one call in 2,000 not merged is no 100.0% merge rate): '<0.1%', '>99.9%'."""
    if value is None:
        return ""
    if 0 < value < 0.0005:
        return "<0.1%"
    if 0.9995 <= value < 1:
        return ">99.9%"
    return f"{value * 100:.1f}%"


def to_markdown(report: Report) -> str:
    """The report as Markdown tables: groups with the total, then the reasons."""
    by = BY_LABEL[report.options.by]
    lines = [
        f"| {by} | Calls | Merged | Standalone | Merge rate | Share |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report.groups:
        label = "**Total**" if row["level"] == "total" else _md(row["label"])
        lines.append(
            f"| {label} | {row['calls']:,} | {row['merged']:,} | {row['standalone']:,} "
            f"| {pct(row['merge_rate'])} | {pct(row['share'])} |"
        )
    if report.reasons:
        lines += ["", "| Why calls did not merge | Status | Calls |", "| --- | --- | ---: |"]
        lines += [
            f"| {_md(r['reason'])} | {r['status']} | {r['calls']:,} |" for r in report.reasons
        ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- revenue

_ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def week_monday(label: str) -> date | None:
    """The Monday of a week as ``--by week`` labels it ('2026-W09', ISO year and week);
    None for another label."""
    found = _ISO_WEEK.fullmatch(label)
    return None if found is None else date.fromisocalendar(int(found[1]), int(found[2]), 1)


REVENUE_BY = ("channel", "subchannel", "campaign")
REVENUE_COLUMNS = (
    "label",
    "opportunities",
    "touchpoints",
    "call_touchpoints",
    "won_revenue",
    "pipeline",
    "call_won_revenue",
    "call_pipeline",
    "calls_share",
    "won_share",
)


@dataclass(frozen=True)
class RevenueOptions:
    """Which model a revenue report shows, how it groups, and the attribution's settings."""

    model: str = "w_shaped"
    by: str = "channel"
    as_of: date = date(1970, 1, 1)
    weights: str | None = None

    def __post_init__(self) -> None:
        if self.by not in REVENUE_BY:
            raise UsageError(
                f"--by {self.by} does not apply to --revenue",
                hint=f"A revenue report groups by {', '.join(REVENUE_BY)}.",
            )
        if self.model not in attribution.MODELS:
            raise UsageError(f"--model {self.model!r} is not an attribution model")

    @property
    def model_label(self) -> str:
        """'W-Shaped'."""
        return attribution.MODEL_LABELS[self.model]

    def describe(self) -> dict[str, Any]:
        """The options as JSON-ready data."""
        return {
            "model": self.model,
            "by": self.by,
            "as_of": self.as_of.isoformat(),
            "weights": self.weights,
        }


@dataclass
class RevenueReport(GroupedRows):
    """Everything any form of ``report --revenue`` shows; ``comparison`` (attribution with
    calls vs calls invisible, from :func:`calltouch.attribution.compare`) for the HTML page."""

    options: RevenueOptions
    groups: list[dict[str, Any]]  # level 'group' rows, then one level 'total' row
    headline: dict[str, Any]
    cells: Cells = "json"  # how the queries wrote the labels
    comparison: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the json format prints exactly this)."""
        return {
            "options": self.options.describe(),
            "headline": _numbers(self.headline),
            "groups": [_numbers({k: r[k] for k in REVENUE_COLUMNS}) for r in self.rows],
            "total": _numbers({k: self.total[k] for k in REVENUE_COLUMNS}),
        }


def _numbers(row: dict[str, Any]) -> dict[str, Any]:
    """Decimal amounts (rounded to cents by the query) kept exact, for outputs.json_text."""
    return {k: json_number(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def build_revenue(
    con: duckdb.DuckDBPyConnection,
    options: RevenueOptions,
    *,
    compare: bool = False,
    cells: Cells = "json",
) -> RevenueReport:
    """Run the revenue report queries on a connection whose attribution is built
    (:func:`calltouch.attribution.build`); ``compare`` adds the with/without-calls comparison
    of the report's model (for the HTML page); ``cells="csv"`` gives the labels as CSV cells
    (for :func:`revenue_to_csv`)."""
    model = {"model": options.model}
    report = RevenueReport(
        options=options,
        groups=queries.fetch_dicts(con, "revenue_groups", model, by=options.by, fmt=cells),
        headline=queries.fetch_dicts(con, "revenue_headline", model)[0],
        cells=cells,
    )
    if compare:
        settings = attribution.AttributionSettings(
            as_of=options.as_of,
            weights=None if options.weights is None else attribution.parse_weights(options.weights),
        )
        report.comparison = attribution.compare(con, settings, [options.model])
    return report


def money(value: Decimal | float | int | None) -> str:
    """12345.6 -> '12,345.60'; None -> ''."""
    return "" if value is None else f"{value:,.2f}"


def whole(value: Decimal | float | int | None) -> str:
    """An amount in whole units, rounded half up: 1234.5 -> '1,235'; None -> ''."""
    if value is None:
        return ""
    rounded = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{rounded if rounded else Decimal(0):,}"


def revenue_to_csv(report: RevenueReport) -> str:
    """The grouped rows and the total as CSV (REVENUE_COLUMNS, the label under --by).
    ``report`` is built with ``cells="csv"``."""
    _require_csv_cells(report)
    return csv_text(
        [[report.options.by, *REVENUE_COLUMNS[1:]]]
        + [
            [row["label"]] + ["" if row[k] is None else row[k] for k in REVENUE_COLUMNS[1:]]
            for row in report.groups
        ]
    )


def revenue_to_json(report: RevenueReport) -> str:
    """The whole revenue report as indented JSON, amounts exact."""
    return json_text(report.as_dict()) + "\n"


def revenue_to_markdown(report: RevenueReport) -> str:
    """The revenue report as a Markdown table with the total, and a line of headline."""
    by = BY_LABEL[report.options.by]
    h = report.headline
    lines = [
        f"Revenue by {by.lower()}, {report.options.model_label} model, open opportunities as of "
        f"{report.options.as_of.isoformat()}: {h['attributed']:,} of {h['opportunities']:,} "
        f"opportunities attributed ({h['won']:,} won, {h['open']:,} open, {h['lost']:,} lost).",
        "",
        f"| {by} | Opportunities | Touchpoints | Won revenue | Pipeline | Calls' share "
        "| Share of won |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report.groups:
        label = "**Total**" if row["level"] == "total" else _md(row["label"])
        lines.append(
            f"| {label} | {row['opportunities']:,} | {row['touchpoints']:,} "
            f"| {money(row['won_revenue'])} | {money(row['pipeline'])} "
            f"| {pct(row['calls_share'])} | {pct(row['won_share'])} |"
        )
    return "\n".join(lines) + "\n"


__all__ = [
    "BY_CHOICES",
    "BY_LABEL",
    "REVENUE_BY",
    "REVENUE_COLUMNS",
    "Cells",
    "Report",
    "ReportOptions",
    "RevenueOptions",
    "RevenueReport",
    "build",
    "build_revenue",
    "money",
    "parse_date",
    "pct",
    "revenue_to_csv",
    "revenue_to_json",
    "revenue_to_markdown",
    "to_csv",
    "to_json",
    "to_markdown",
    "week_monday",
    "whole",
]

"""The one-screen terminal dashboard of ``calltouch dashboard`` (issue 4, point 6).

Promises:

- Everything shown comes from one :class:`calltouch.reporting.Report` (headline, group rows,
  weekly series, top campaigns, reasons). Nothing is aggregated here: this module only lays the
  rows out, scales bars and the sparkline from their counts and fills weeks without calls with 0.
- Every value that comes from the data is a :class:`rich.text.Text`, never markup, so a channel
  named ``[bold]`` prints literally.
- The layout is computed for the size it is drawn at: at 80x24 panels show fewer rows (with a
  "... N more" line) and cut long labels with an ellipsis; larger screens get more rows, more
  columns and a taller weekly chart. A workspace without touchpoints shows what to do instead of
  empty panels.
- :func:`run` never crashes on a failing ``load()`` or ``changed()`` (it shows the error and keeps
  watching), exits cleanly on ``q`` or Ctrl-C, and always restores the terminal (cbreak mode,
  alternate screen).

This module uses rich, never typer; the query layer does not import it.
"""

from __future__ import annotations

import contextlib
import math
import os
import select
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TextIO

from rich import box
from rich.align import Align
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.layout import Layout
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from calltouch.errors import STOP_SIGNALS, CalltouchError, WorkspaceInUseError
from calltouch.report import REASON_TEXT
from calltouch.reporting import BY_LABEL, Report, pct, week_monday
from calltouch.text import printable
from calltouch.workspace import stale_remedy

try:  # POSIX only; elsewhere the dashboard quits with Ctrl-C alone.
    import termios
    import tty
except ImportError:  # pragma: no cover - Windows
    termios = None  # type: ignore[assignment]
    tty = None  # type: ignore[assignment]

BLOCKS = "▁▂▃▄▅▆▇█"
MERGED_CELL = "█"
STANDALONE_CELL = "░"
QUIT_HINT = "q or Ctrl-C to quit"
#: Below this size only the headline and the groups are shown, without panels.
MIN_WIDTH, MIN_HEIGHT = 60, 12
HEADER_HEIGHT = 4
FOOTER_HEIGHT = 1
MIN_CHART_ROWS, MAX_CHART_ROWS = 8, 16
#: A label column gets at least this many cells (or its longest value) before optional columns
#: stay; a bar at least MIN_BAR.
LABEL_WANTED, MIN_BAR = 16, 6
PLACEHOLDERS = ("(none)", "(other)", "(all other)")


# --------------------------------------------------------------------------- small pieces


def sparkline(values: Sequence[int], rows: int = 1, column_width: int = 1) -> list[str]:
    """A bar chart of ``values`` made of ``▁▂▃▄▅▆▇█``, ``rows`` lines high, top line first.

    Each value is one column of ``column_width`` characters, scaled to the largest value; a
    value above zero always shows at least ``▁``, zero shows a blank. From ``column_width`` 3 on,
    the last character of each column is a gap.
    """
    rows = max(1, rows)
    peak = max(values, default=0)
    blocks = column_width - 1 if column_width >= 3 else column_width
    gap = " " * (column_width - blocks)
    eighths = [max(1, round(v / peak * rows * 8)) if peak > 0 and v > 0 else 0 for v in values]
    lines = []
    for row in range(rows):
        floor = (rows - 1 - row) * 8
        line = ""
        for e in eighths:
            level = min(8, max(0, e - floor))
            line += (BLOCKS[level - 1] if level else " ") * blocks + gap
        lines.append(line)
    return lines


def _bar(merged: int, standalone: int, peak: int, width: int) -> Text:
    """Cells proportional to ``merged + standalone`` against ``peak``: merged █, standalone ░."""
    calls = merged + standalone
    if width <= 0 or peak <= 0 or calls <= 0:
        return Text("")
    cells = max(1, round(calls / peak * width))
    full = min(cells, round(merged / calls * cells))
    bar = Text(MERGED_CELL * full, style="green")
    bar.append(STANDALONE_CELL * (cells - full), style="yellow")
    return bar


def _num(value: int | None) -> Text:
    return Text("" if value is None else f"{value:,}")


def _count(value: int | None) -> str:
    """A count; a dash for one the scope does not count (unmatched under --status)."""
    return "—" if value is None else f"{value:,}"


def _label(value: object) -> Text:
    text = "(none)" if value is None else printable(str(value))
    return Text(text, style="dim" if text in PLACEHOLDERS else "")


def _describe_error(error: BaseException) -> str:
    """The message a user sees for a failed load: the error's own text, never a traceback."""
    if isinstance(error, CalltouchError):
        return f"{error.title}: {error}"
    message = str(error).strip()
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class _Fit:
    """A renderable built for the exact width and height it is given (inside a panel or layout
    region), so each panel can choose how many rows and columns fit."""

    def __init__(self, build: Callable[[int, int | None], RenderableType]) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.build(options.max_width, options.height)


@dataclass
class _Column:
    """One column of a panel's grid. ``kind`` decides how it is sized: a label takes what the
    numbers leave (cut with an ellipsis), a bar gets the rest."""

    header: str
    cells: list[Text] = field(default_factory=list)
    kind: Literal["label", "number", "bar"] = "number"
    #: Columns with a higher number are dropped first when the width is short; 0 never.
    drop: int = 0
    bars: list[tuple[int, int]] = field(default_factory=list)  # (merged, standalone) per row


def _fit_rows(
    items: Sequence[Any], capacity: int, *, latest: bool = False
) -> tuple[list[Any], int]:
    """The items that fit in ``capacity`` lines and how many are left out (one line is kept for
    the "... N more" note when some are): the first, or with ``latest`` the last (periods in
    time order, the latest the ones to see)."""
    if len(items) <= capacity:
        return list(items), 0
    shown = max(0, capacity - 1)
    kept = items[len(items) - shown :] if latest and shown else items[:shown]
    return list(kept), len(items) - shown


def _grid(
    columns: list[_Column], width: int, peak: int, more: int, noun: str, *, earlier: bool = False
) -> RenderableType:
    """Columns laid out in ``width`` cells: numbers at their natural width, the label at its
    natural width up to 70% of the rest, the bar filling what remains. Optional columns are
    dropped (highest ``drop`` first) until the label has room for ``LABEL_WANTED`` cells."""
    columns = list(columns)
    label = next((c for c in columns if c.kind == "label"), None)
    has_bar = any(c.kind == "bar" for c in columns)
    label_natural = 0 if label is None else max(t.cell_len for t in [*label.cells, Text("x")])
    wanted = min(label_natural, LABEL_WANTED) + (MIN_BAR if has_bar else 0)
    while True:
        numbers = [c for c in columns if c.kind == "number"]
        natural = {id(c): max([len(c.header), *(t.cell_len for t in c.cells)]) for c in numbers}
        rest = width - sum(natural.values()) - (len(columns) - 1)
        droppable = [c for c in columns if c.drop]
        if rest >= wanted or not droppable:
            break
        columns.remove(max(droppable, key=lambda c: c.drop))
    rest = max(rest, 2)
    if has_bar and rest - MIN_BAR < min(label_natural, 8):  # no room for a bar: drop it
        columns = [c for c in columns if c.kind != "bar"]
        has_bar = False
        rest += 1  # its gap
    if has_bar:
        label_width = max(1, min(label_natural, rest - max(MIN_BAR, int(rest * 0.3))))
        bar_width = max(0, rest - label_width)
    else:
        label_width, bar_width = rest, 0

    table = Table.grid(padding=(0, 1))
    row_count = max((len(c.cells) or len(c.bars) for c in columns), default=0)
    cells: list[list[Text]] = [[] for _ in range(row_count)]
    headers: list[Text] = []
    for col in columns:
        if col.kind == "label":
            col_width = label_width
        elif col.kind == "bar":
            col_width = bar_width
        else:
            col_width = natural[id(col)]
        justify: Literal["left", "right"] = "right" if col.kind == "number" else "left"
        table.add_column(width=col_width, no_wrap=True, overflow="ellipsis", justify=justify)
        headers.append(Text(col.header, style="bold dim"))
        for i in range(row_count):
            if col.kind == "bar":
                merged, standalone = col.bars[i]
                cells[i].append(_bar(merged, standalone, peak, col_width))
            else:
                cells[i].append(col.cells[i])
    table.add_row(*headers)
    for row in cells:
        table.add_row(*row)
    if not more:
        return table
    if earlier:  # the latest periods shown: the ones left out come before them
        return Group(Text(f"... {more:,} earlier {noun}", style="dim italic"), table)
    return Group(table, Text(f"... {more:,} more {noun}", style="dim italic"))


# --------------------------------------------------------------------------- the panels


def _headline(report: Report | None) -> _Fit:
    """The headline numbers as tiles (label over value); the date range moves to the title, then
    everything to one wrapped line, as the width shrinks. Numbers are never cut."""
    head = report.headline if report is not None else {}
    first, last = head.get("first_call"), head.get("last_call")
    dates = f"{str(first)[:10]} → {str(last)[:10]}" if first and last else "—"
    numbers = [
        ("Calls", _count(head.get("calls")), "bold"),
        ("Merged", _count(head.get("merged")), "bold green"),
        ("Standalone", _count(head.get("standalone")), "bold yellow"),
        ("Unmatched", _count(head.get("unmatched")), "bold red"),
        ("Merge rate", pct(head.get("merge_rate")) or "—", "bold"),
    ]

    def build(width: int, height: int | None) -> RenderableType:
        for tiles in ([*numbers, ("Calls from → to", dates, "bold")], numbers):
            needed = sum(max(len(n), len(v)) for n, v, _ in tiles) + 2 * (len(tiles) - 1)
            if needed <= width:
                grid = Table.grid(expand=True, padding=(0, 2))
                for _ in tiles:
                    grid.add_column(no_wrap=True)
                grid.add_row(*[Text(name, style="dim") for name, _, _ in tiles])
                grid.add_row(*[Text(value, style=style) for _, value, style in tiles])
                return grid
        line = Text()
        for name, value, style in numbers:
            line.append(f"{name} ", style="dim")
            line.append(value, style=style)
            line.append("  ")
        return line

    return _Fit(build)


def _header(report: Report | None, width: int) -> Panel:
    title = Text("calltouch dashboard", style="bold")
    head = report.headline if report is not None else {}
    first, last = head.get("first_call"), head.get("last_call")
    scope = "" if report is None else _scope(report)
    if scope:
        title.append(f"  ({scope})", style="dim")
    if first and last and width < 80:  # no room for the dates tile
        title.append(f"  {str(first)[:10]} → {str(last)[:10]}")
    return Panel(
        _headline(report), title=title, title_align="left", box=box.ROUNDED, height=HEADER_HEIGHT
    )


EMPTY = "No touchpoints to show yet."
EMPTY_SCOPE = "No touchpoints in this scope."  # matched: nothing to wait for

# The groupings by time, in time order: the dashboard shows the latest that fit.
PERIODS = ("day", "week", "month")


def _rows_noun(report: Report) -> tuple[str, bool]:
    """What the groups panel's rows are called in its "... N more" note, and whether they are
    periods (the latest shown)."""
    by = report.options.by
    if by in PERIODS:
        return f"{by}s", True
    return "rows", False


def _scope(report: Report) -> str:
    options = report.options
    parts = []
    if options.since:
        parts.append(f"since {options.since.isoformat()}")
    if options.until:
        parts.append(f"until {options.until.isoformat()}")
    if options.status != "all":
        parts.append(f"{options.status} only")
    return ", ".join(parts)


def _groups_panel(
    rows: Sequence[dict[str, Any]], label: str, noun: str, periods: bool = False
) -> _Fit:
    """Calls per group with merged/standalone split bars (calls, merge rate, share); with
    ``periods`` (days, weeks, months in time order) the latest that fit, as report --top keeps
    them (the dashboard showed the oldest weeks, the current one under "... 2 more")."""

    def build(width: int, height: int | None) -> RenderableType:
        shown, more = _fit_rows(rows, (height or len(rows) + 1) - 1, latest=periods)
        peak = max((int(r["calls"]) for r in rows), default=0)
        columns = [
            _Column(label, [_label(r["label"]) for r in shown], kind="label"),
            _Column("Calls", [_num(r["calls"]) for r in shown]),
            _Column("Merged", [_num(r["merged"]) for r in shown], drop=3),
            _Column("Standalone", [_num(r["standalone"]) for r in shown], drop=4),
            _Column("Merge %", [Text(pct(r["merge_rate"])) for r in shown]),
            _Column("Share", [Text(pct(r["share"])) for r in shown], drop=2),
            _Column("", kind="bar", bars=[(r["merged"], r["standalone"]) for r in shown]),
        ]
        return _grid(columns, width, peak, more, noun, earlier=periods)

    return _Fit(build)


def _filled_weeks(weekly: Sequence[dict[str, Any]]) -> list[tuple[str, int, float | None]]:
    """(label, calls, merge rate) per ISO week, weeks without calls filled in with 0 so the
    sparkline's x axis is time; labels that are not ISO weeks are kept as they are."""
    points = [(str(r["label"]), int(r["calls"]), r["merge_rate"]) for r in weekly]
    mondays = [week_monday(label) for label, _, _ in points]
    if not points or not all(mondays):
        return points
    monday = {day: p for day, p in zip(mondays, points, strict=True) if day is not None}
    start, end = min(monday), max(monday)
    filled = []
    day = start
    while True:
        year, week, _ = day.isocalendar()
        filled.append(monday.get(day, (f"{year}-W{week:02d}", 0, None)))
        if end - day < timedelta(weeks=1):  # also stops at the week of 9999-12-31
            return filled
        day += timedelta(weeks=1)


def _axis(first: str, last: str, span: int) -> str:
    """The first and last week under a chart ``span`` cells wide (years dropped when short)."""
    for left, right in ((first, last), (first.split("-")[-1], last.split("-")[-1])):
        if len(left) + len(right) + 1 <= span:
            return left + " " * (span - len(left) - len(right)) + right
    return f"{first.split('-')[-1]}…{last.split('-')[-1]}"


def _weekly_panel(weekly: Sequence[dict[str, Any]]) -> _Fit:
    """The weekly calls as a sparkline (taller when there is room), the peak and latest week,
    and the latest weeks with their merge rate when the panel is tall enough."""
    weeks = _filled_weeks(weekly)

    def build(width: int, height: int | None) -> RenderableType:
        if not weeks:
            return Text("No calls in scope.", style="dim")
        height = height or 4
        shown = weeks[-width:] if len(weeks) > width else weeks
        column_width = max(1, min(8, width // len(shown)))
        chart_rows = max(1, min(height - 2, max(MIN_CHART_ROWS, (height - 2) // 2), MAX_CHART_ROWS))
        values = [calls for _, calls, _ in shown]
        lines: list[RenderableType] = [
            Text(line, style="cyan", no_wrap=True, overflow="crop")
            for line in sparkline(values, chart_rows, column_width)
        ]
        if height >= 2:
            axis = _axis(shown[0][0], shown[-1][0], len(shown) * column_width)
            lines.append(Text(axis, style="dim", no_wrap=True, overflow="ellipsis"))
        if height >= 3:
            peak_label, peak, _ = max(shown, key=lambda w: w[1])
            summary = Text(f"peak {peak:,} ({peak_label}), latest {shown[-1][1]:,}")
            if len(shown) < len(weeks):
                summary.append(f"; last {len(shown)} of {len(weeks)} weeks", style="dim")
            lines.append(Text(summary.plain, no_wrap=True, overflow="ellipsis"))
        left = height - len(lines)
        if left >= 3:
            latest = list(reversed(weeks))
            listed, more = _fit_rows(latest, left - 2)
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True, overflow="ellipsis")
            table.add_column(justify="right", no_wrap=True)
            table.add_column(justify="right", no_wrap=True)
            table.add_row(*[Text(h, style="bold dim") for h in ("Week", "Calls", "Merge %")])
            for label, calls, rate in listed:
                table.add_row(Text(label), _num(calls), Text(pct(rate) or "—"))
            lines += [Text(""), table]
            if more:
                lines.append(Text(f"... {more:,} earlier weeks", style="dim italic"))
        return Group(*lines)

    return _Fit(build)


def _reasons_panel(reasons: Sequence[dict[str, Any]], calls: int, merged_only: bool) -> _Fit:
    """Why calls did not merge, most common first; explained when the panel is wide.
    ``merged_only``: --status merged, whose scope has no reasons by choice."""

    def build(width: int, height: int | None) -> RenderableType:
        if not reasons:
            if merged_only:
                return Text("Not shown for merged calls only (--status merged).", style="dim")
            if not calls:
                return Text("No calls in scope.", style="yellow")
            return Text("Every call merged with a web session.", style="green")
        shown, more = _fit_rows(reasons, (height or len(reasons) + 1) - 1)
        peak = max(int(r["calls"]) for r in reasons)
        labels = []
        for r in shown:
            unmatched = r["status"] == "unmatched"
            text = Text(str(r["reason"]), style="red" if unmatched else "yellow")
            meaning = REASON_TEXT.get(str(r["reason"]))
            if meaning and width >= 56:
                text.append(f" · {meaning}", style="dim")
            labels.append(text)
        # unmatched calls have no touchpoint: drawn as ░ like the standalone ones
        columns = [
            _Column("Reason", labels, kind="label"),
            _Column("Status", [Text(str(r["status"])) for r in shown], drop=1),
            _Column("Calls", [_num(r["calls"]) for r in shown]),
            _Column("", kind="bar", bars=[(0, int(r["calls"])) for r in shown]),
        ]
        return _grid(columns, width, peak, more, "reasons")

    return _Fit(build)


def _empty_message(report: Report | None, error: str, gap: str = "\n\n") -> Text:
    """Why there is nothing to show, and what to do; ``gap`` between the two."""
    if report is None and error:
        return Text("Nothing read yet: see the error above.", style="bold")
    unmatched = 0 if report is None else int(report.headline.get("unmatched") or 0)
    scope = "" if report is None else _scope(report)
    text = Text(f"{EMPTY_SCOPE if scope else EMPTY}{gap}", style="bold")
    if scope:
        text.append(f"No calls match this scope ({scope}): widen --since/--until or --status.")
    elif unmatched:
        text.append(
            f"{unmatched:,} calls are loaded, but none has a BizibleId (rule R1), so none "
            "became a touchpoint: ask the call-tracking vendor to send the _biz_uid cookie."
        )
    elif report is not None:  # matched, with no task to link
        text.append(
            "The last match had no calls to link: load task exports with "
            "`calltouch load tasks FILE...`, then run `calltouch match` again."
        )
    else:
        text.append(
            "Load exports with `calltouch load tasks FILE...` and "
            "`calltouch load sessions FILE...`, then run `calltouch match`."
        )
    return text


def _footer(source: str, updated: str, stale: str = "", hint: str = QUIT_HINT) -> Table:
    left = Text()
    if stale:
        # the remedy first: a narrow footer cuts the end of its line (at 80 columns it cut
        # "run calltouch match")
        left.append(f"stale: {stale_remedy(stale, short=True)} ({stale})  ", style="bold yellow")
    if source:
        left.append("source: ", style="dim")
        left.append(source)
    if updated:
        left.append("  updated " if source else "updated ", style="dim")
        left.append(updated)
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(left, Text(hint, style="bold"))
    return grid


def _error_panel(error: str, width: int, have_data: bool) -> tuple[Panel, int]:
    inner = max(1, width - 4)
    lines = sum(max(1, math.ceil(len(line) / inner)) for line in error.splitlines() or [""])
    height = 2 + min(3, lines)
    title = Text(
        "Could not refresh (showing the last data read)" if have_data else "Could not read",
        style="bold red",
    )
    return (
        Panel(Text(error, style="red"), title=title, title_align="left", height=height),
        height,
    )


# --------------------------------------------------------------------------- the screen


def _compact(
    report: Report | None, error: str, width: int, height: int, footer: Layout
) -> RenderableType:
    """A small screen: the title with its scope, the headline as one wrapped line (or why
    there is nothing to show), then as many groups as fit, above ``footer``."""
    text = Text("calltouch dashboard", style="bold")
    scope = "" if report is None else _scope(report)
    if scope:  # a filtered headline is not the workspace's (the wide header says so too)
        text.append(f" ({scope})", style="dim")
    if error:  # first: what follows may not fit the screen's few lines
        text.append(f"\n{error}", style="red")
    if report is not None and report.rows:
        head = report.headline
        text.append(
            f"\n{head['calls']:,} calls, {head['merged']:,} merged, "
            f"{head['standalone']:,} standalone, {_count(head['unmatched'])} unmatched, "
            f"merge rate {pct(head['merge_rate']) or '—'}"
        )
    else:
        text.append("\n")
        text.append_text(_empty_message(report, error, gap="\n"))
    lines = len(text.wrap(Console(width=max(1, width)), max(1, width)))
    root = Layout(name="root")
    if report is None or not report.rows or height - lines - FOOTER_HEIGHT < 2:
        # the text takes every line above the footer (a body line beside it pushed the
        # footer off a screen of a few lines)
        root.split_column(Layout(text, name="header"), footer)
        return root
    header = Layout(text, name="header", size=lines)
    by = BY_LABEL.get(report.options.by, report.options.by)
    groups = _groups_panel(report.rows, by, *_rows_noun(report))
    root.split_column(header, Layout(groups, name="body"), footer)
    return root


def _layout(
    report: Report | None,
    source: str,
    updated: str,
    error: str,
    width: int,
    height: int,
    hint: str = QUIT_HINT,
) -> RenderableType:
    footer = Layout(
        _footer(source, updated, report.stale if report else "", hint),
        name="footer",
        size=FOOTER_HEIGHT,
    )
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return _compact(report, error, width, height, footer)

    root = Layout(name="root")
    parts = [Layout(_header(report, width), name="header", size=HEADER_HEIGHT)]
    body_height = height - HEADER_HEIGHT - FOOTER_HEIGHT
    if error:
        panel, error_height = _error_panel(error, width, report is not None)
        parts.append(Layout(panel, name="error", size=error_height))
        body_height -= error_height
    body = Layout(name="body")
    parts += [body, footer]
    root.split_column(*parts)

    if report is None or not report.rows:
        message = Align.center(_empty_message(report, error), vertical="middle")
        body.update(Panel(message, title=Text("Nothing to show"), title_align="left"))
        return root

    by = BY_LABEL.get(report.options.by, report.options.by)
    legend = Text.assemble(
        (MERGED_CELL, "green"), " merged  ", (STANDALONE_CELL, "yellow"), " standalone"
    )
    groups = Panel(
        _groups_panel(report.rows, by, *_rows_noun(report)),
        title=Text(f"Calls by {by.lower()}", style="bold"),
        title_align="left",
        subtitle=legend,
        subtitle_align="right",
    )
    weekly = Panel(
        _weekly_panel(report.weekly or []),
        title=Text("Calls per week", style="bold"),
        title_align="left",
    )
    top = Layout(name="top")
    top.split_row(Layout(groups, name="groups", ratio=3), Layout(weekly, name="weekly", ratio=2))
    if body_height < 12:  # no room for a second row of panels
        body.update(top)
        return root

    campaigns = Panel(
        _groups_panel(report.campaigns or [], "Campaign", "campaigns"),
        title=Text("Top campaigns", style="bold"),
        title_align="left",
    )
    reasons = Panel(
        _reasons_panel(
            report.reasons,
            int(report.headline.get("calls") or 0),
            report.options.status == "merged",
        ),
        title=Text("Why calls did not merge", style="bold"),
        title_align="left",
    )
    bottom = Layout(name="bottom")
    bottom.split_row(
        Layout(campaigns, name="campaigns", ratio=3), Layout(reasons, name="reasons", ratio=2)
    )
    # lines each row would like: its rows, a header line and the panel's two borders
    want_top = max(len(report.rows) + 1, 6) + 2
    want_bottom = max(len(report.campaigns or []), len(report.reasons), 3) + 1 + 2
    if want_top + want_bottom <= body_height:
        top.size = body_height - want_bottom  # spare lines go to the top row (taller chart)
    else:
        share = round(body_height * want_top / (want_top + want_bottom))
        top.size = max(6, min(body_height - 6, share))
    body.split_column(top, bottom)
    return root


class _Dashboard:
    """The whole screen, laid out anew for the size of each draw."""

    def __init__(
        self, report: Report | None, source: str, updated: str, error: str, hint: str
    ) -> None:
        self.report, self.source, self.updated, self.error = report, source, updated, error
        self.hint = hint

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        height = options.height or console.height
        yield _layout(self.report, self.source, self.updated, self.error, width, height, self.hint)


def render(
    report: Report | None,
    *,
    source: str = "",
    updated: str = "",
    error: str = "",
    hint: str = QUIT_HINT,
) -> RenderableType:
    """The dashboard of ``report`` as one renderable that fills the console it is printed on.

    ``source`` (e.g. the workspace path) and ``updated`` (e.g. the time of the last load) go in
    the footer; ``error`` shows above the panels (the last good ``report`` stays below it).
    ``report=None`` (nothing loaded yet) shows the same help as a workspace without touchpoints.
    ``hint``: how to quit, at the footer's right (empty for a drawing printed once).
    """
    return _Dashboard(report, source, updated, error, hint)


# --------------------------------------------------------------------------- running it


def _read_keys(fd: int, stop: threading.Event, done: threading.Event) -> None:
    """Set ``stop`` when q or Q is typed on ``fd``; return when ``done`` is set or at EOF."""
    while not done.is_set():
        try:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            data = os.read(fd, 64)
        except (OSError, ValueError):
            return
        if not data:
            return
        if b"q" in data.lower():
            stop.set()
            return


@contextlib.contextmanager
def quit_keys(stream: TextIO | None, stop: threading.Event) -> Iterator[bool]:
    """While inside, ``q``/``Q`` typed on ``stream`` sets ``stop``: ``stream`` is put in cbreak
    mode and read by a daemon thread, and its terminal settings are restored on exit. Does
    nothing (yields False) when ``stream`` is not a TTY or the platform has no termios."""
    fd = -1
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fd = stream.fileno() if stream is not None else -1
    if termios is None or tty is None or fd < 0 or not os.isatty(fd):
        yield False
        return
    saved = termios.tcgetattr(fd)
    done = threading.Event()
    reader = threading.Thread(
        target=_read_keys, args=(fd, stop, done), name="calltouch-dashboard-keys", daemon=True
    )
    try:
        tty.setcbreak(fd)
        reader.start()
        yield True
    finally:
        done.set()
        if reader.is_alive():
            reader.join(timeout=1.0)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@dataclass
class _Failed:
    """What ``changed()`` returned when it raised: compares equal to the same failure."""

    message: str


def _probe(changed: Callable[[], object]) -> object:
    try:
        return changed()
    except Exception as error:  # shown by the next load, which fails the same way
        return _Failed(_describe_error(error))


class _State:
    """The last report read, when, the error of the last load if it failed, and whether it
    failed because another program held the workspace (``busy``: to be tried again)."""

    def __init__(
        self, load: Callable[[], Report | None], source: str, hint: str = QUIT_HINT
    ) -> None:
        self.load, self.source, self.hint = load, source, hint
        self.report: Report | None = None
        self.updated = ""
        self.error = ""
        self.busy = False

    def reload(self) -> None:
        try:
            report = self.load()
        except Exception as error:  # the message is shown on screen; watching goes on
            self.error = _describe_error(error)
            self.busy = isinstance(error, WorkspaceInUseError)
            return
        self.report, self.error, self.busy = report, "", False
        # in UTC, as every time calltouch shows: the machine's zone changes no output
        self.updated = datetime.now(UTC).strftime("%H:%M:%S UTC")

    def frame(self) -> RenderableType:
        return render(
            self.report,
            source=self.source,
            updated=self.updated,
            error=self.error,
            hint=self.hint,
        )


def run(
    load: Callable[[], Report | None],
    *,
    watch: bool,
    console: Console,
    changed: Callable[[], object] | None = None,
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
    source: str = "",
    keys: TextIO | None = None,
) -> None:
    """Show the dashboard of ``load()`` on ``console`` until asked to stop.

    On a terminal the dashboard fills the screen (``Live`` on the alternate screen) and stays
    until ``q``/``Q`` (read from ``keys``, default stdin, when it is a TTY) or Ctrl-C; elsewhere
    (a file, a pipe, a dumb terminal) each drawing is printed once, and without ``watch``
    ``run`` returns after the first. With ``watch``, ``changed()`` (e.g. the workspace file's
    mtime and size) is polled every ``poll_seconds`` and the dashboard is drawn again from a
    fresh ``load()`` whenever its value changes; without ``changed`` it reloads at every poll. A
    ``load()`` or ``changed()`` that raises shows its message on screen and watching goes on.
    Setting ``stop`` (also set by ``q``) ends the loop.
    """
    stop = stop if stop is not None else threading.Event()
    # a dumb terminal (TERM=dumb: an editor's shell) has no alternate screen: Live drew
    # nothing there, a blank screen waiting for a q the user could not know to press
    terminal = console.is_terminal and not console.is_dumb_terminal
    # how to quit: q is read from a terminal only; a drawing printed once needs no way out
    hint = QUIT_HINT if terminal else "Ctrl-C to quit" if watch else ""
    state = _State(load, source, hint)
    try:
        with (
            quit_keys(keys if keys is not None else sys.stdin, stop)
            if terminal
            else contextlib.nullcontext(False),
            Live(
                Text("Reading the workspace...", style="dim"),
                console=console,
                screen=terminal,
                transient=not terminal,
                auto_refresh=terminal,  # redraws at the new size when the terminal is resized
                refresh_per_second=2,
                redirect_stdout=False,
                redirect_stderr=False,
            ) as live,
        ):

            def draw() -> None:
                if terminal:
                    live.update(state.frame(), refresh=True)
                else:  # a file cannot be redrawn in place: each drawing is printed once
                    console.print(state.frame())

            # probed before the load, so a change during the load is not missed
            last = _probe(changed) if watch and changed is not None else None
            state.reload()
            draw()
            if not watch and not terminal:
                return
            while not stop.wait(poll_seconds if watch else 0.1):
                if not watch:
                    continue
                retried = False
                if changed is not None:
                    now = _probe(changed)
                    # a workspace another program held is tried again at each poll: its
                    # writer may be done without changing the file (a client that only read)
                    if now == last and not state.busy:
                        continue
                    retried, last = now == last, now
                state.reload()
                if retried and state.busy:
                    continue  # still held: the frame on screen says so already
                draw()
    except KeyboardInterrupt:  # Ctrl-C is the ordinary way out; a SIGTERM is not
        if STOP_SIGNALS:
            raise
        return


__all__ = ["BLOCKS", "QUIT_HINT", "quit_keys", "render", "run", "sparkline"]

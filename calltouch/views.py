"""Rich views of the workspace commands: load results, status, explain, and report tables.

Promise: these functions only lay out data they are given (from workspace.py, explain.py and
reporting.py); every data cell is a :class:`rich.text.Text`, so ``[bold]`` in data prints as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from calltouch.report import REASON_TEXT
from calltouch.reporting import BY_LABEL, Report, pct

BAR_WIDTH = 8


def _t(value: object, style: str = "") -> Text:
    return Text("" if value is None else str(value), style=style)


def _day(stamp: str | None) -> str | None:
    return None if stamp is None else stamp[:10]


def _minute(stamp: str | None) -> str | None:
    return None if stamp is None else stamp[:16].replace("T", " ")


def load_outcomes(outcomes: Sequence[dict[str, Any]]) -> RenderableType:
    """What ``calltouch load`` did with each file."""
    table = Table(box=box.SIMPLE_HEAVY, pad_edge=False, title_justify="left")
    table.add_column("File", overflow="fold")
    table.add_column("Load", justify="right")
    table.add_column("Read", justify="right")
    table.add_column("Loaded", justify="right")
    table.add_column("Rejected", justify="right")
    table.add_column("Footer", justify="right")
    notes: list[Text] = []
    for o in outcomes:
        if o["status"] == "skipped":
            table.add_row(_t(o["path"]), _t(f"#{o['load_id']}"), "", "", "", "", style="dim")
            notes.append(
                Text(f"Skipped {o['path']}: already loaded ({o['same_as']}).", style="yellow")
            )
            continue
        table.add_row(
            _t(o["path"]),
            _t(f"#{o['load_id']}"),
            f"{o['rows_read']:,}",
            f"{o['rows_loaded']:,}",
            Text(f"{o['rows_rejected']:,}", style="yellow" if o["rows_rejected"] else ""),
            f"{o['rows_footer']:,}",
        )
    return Group(table, *notes)


def status(info: dict[str, Any]) -> RenderableType:
    """``calltouch status``."""
    parts: list[RenderableType] = [Text(f"Workspace {info['database']}", style="bold")]
    loads = Table(box=box.SIMPLE_HEAVY, pad_edge=False, title="Loaded", title_justify="left")
    loads.add_column("#", justify="right", no_wrap=True)
    loads.add_column("Input", no_wrap=True)
    loads.add_column("File", overflow="fold", min_width=12)
    loads.add_column("Rows", justify="right", no_wrap=True)
    loads.add_column("Rejected", justify="right", no_wrap=True)
    loads.add_column("From", no_wrap=True, min_width=10)
    loads.add_column("To", no_wrap=True, min_width=10)

    for row in info["loads"]:
        loads.add_row(
            str(row["load_id"]),
            row["role"],
            _t(row["path"]),
            f"{row['rows_read']:,}",
            f"{row['rows_rejected']:,}",
            _t(_day(row["first"])),
            _t(_day(row["last"])),
        )
    if info["loads"]:
        parts.append(loads)
        for role, total in info["totals"].items():
            span = f", {_day(total['first'])} to {_day(total['last'])}" if total["first"] else ""
            parts.append(
                Text(
                    f"{role}: {total['files']} file(s), {total['rows_read']:,} rows "
                    f"({total['rows_rejected']:,} rejected){span}"
                )
            )
    else:
        parts.append(Text("Nothing loaded yet: calltouch load tasks FILE...", style="yellow"))
    last = info["last_match"]
    if last is None:
        parts.append(Text("Never matched: run calltouch match.", style="yellow"))
    else:
        parts.append(
            Text(
                f"Last match {_minute(last['ran_at'])} UTC (window {last['window']}, per session "
                f"{last['per_session']}): {last['touchpoints']:,} touchpoints, "
                f"{last['merged']:,} merged, {last['standalone']:,} standalone, "
                f"{last['unmatched']:,} unmatched"
                + ("" if last["reconciled"] else "; NOT reconciled")
            )
        )
    if info["stale"]:
        parts.append(
            Text(
                f"Touchpoints are stale ({info['stale_reason']}): run calltouch match.",
                style="bold yellow",
            )
        )
    else:
        parts.append(Text("Touchpoints are up to date.", style="green"))
    return Group(*parts)


def explanation(facts: dict[str, Any]) -> RenderableType:
    """``calltouch explain``."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    status = facts["match_status"]
    style = {"merged": "green", "standalone": "yellow", "unmatched": "red"}.get(status, "")
    grid.add_row("task", _t(facts["task_id"]))
    grid.add_row("BizibleId", _t(facts["bizible_id"] or "(none)"))
    source = facts["call_time_column"] or facts["call_time_source"]
    grid.add_row("call time", _t(f"{facts['call_time']} (from {source})"))
    grid.add_row("type", _t(facts["task_type"] or "(blank)"))
    grid.add_row("file", _t(facts["file"]))
    grid.add_row("result", Text(f"{status}, {facts['match_reason']}", style=style))
    grid.add_row("rule", _t(facts["rule_text"]))
    earlier = facts["nearest_earlier_session"]
    later = facts["nearest_later_session"]
    grid.add_row(
        "session before",
        _t(
            f"{earlier['session_id']} at {earlier['session_start']}, "
            f"{earlier['minutes_before_call']:g} min before the call"
            if earlier
            else "none"
        ),
    )
    grid.add_row(
        "session after",
        _t(
            f"{later['session_id']} at {later['session_start']}, "
            f"{later['minutes_after_call']:g} min after the call"
            if later
            else "none"
        ),
    )
    tp = facts["touchpoint"]
    if tp is not None:
        channel = " / ".join(str(x) for x in (tp["channel"], tp["subchannel"]) if x)
        grid.add_row(
            "touchpoint",
            _t(
                f"{tp['touchpoint_id']}: {tp['touchpoint_type']}, channel {channel or '(none)'}, "
                f"source {tp['touchpoint_source'] or '(none)'}"
            ),
        )
    parts: list[RenderableType] = [grid, Text("")]
    for line in facts["advice"]:
        parts.append(Text("• ") + Text(line))
    return Group(*parts)


def _bar(fraction: float | None) -> Text:
    if not fraction:
        return Text("")
    return Text("█" * max(1, round(fraction * BAR_WIDTH)), style="cyan")


def report_table(report: Report) -> RenderableType:
    """``calltouch report --format table``: groups, totals, bars, then the top reasons."""
    label = BY_LABEL[report.options.by]
    o = report.options
    scope = []
    if o.since or o.until:
        scope.append(f"{o.since or '…'} to {o.until or '…'}")
    if o.status != "all":
        scope.append(f"{o.status} only")
    title = f"Calls by {label.lower()}" + (f"  ({', '.join(scope)})" if scope else "")
    table = Table(
        title=title,
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column(label, no_wrap=True, max_width=30, overflow="ellipsis")
    for name, width in (("Calls", 5), ("Merged", 6), ("Standalone", 10), ("Merge %", 7)):
        table.add_column(name, justify="right", no_wrap=True, min_width=width)
    table.add_column("Share", justify="right", no_wrap=True, min_width=6)
    table.add_column("", no_wrap=True, min_width=BAR_WIDTH)
    top = max((r["calls"] for r in report.rows), default=0)
    for row in report.rows:
        table.add_row(
            _t(row["label"]),
            f"{row['calls']:,}",
            f"{row['merged']:,}",
            f"{row['standalone']:,}",
            pct(row["merge_rate"]),
            pct(row["share"]),
            _bar(row["calls"] / top if top else None),
        )
    total = report.total
    table.add_section()
    table.add_row(
        Text("Total", style="bold"),
        Text(f"{total['calls']:,}", style="bold"),
        f"{total['merged']:,}",
        f"{total['standalone']:,}",
        Text(pct(total["merge_rate"]), style="bold"),
        pct(total["share"]),
        Text(""),
    )
    parts: list[RenderableType] = [table]
    if report.reasons:
        reasons = Table(
            title="Top reasons calls did not merge",
            box=box.SIMPLE,
            title_justify="left",
            pad_edge=False,
        )
        reasons.add_column("Reason")
        reasons.add_column("Calls", justify="right")
        reasons.add_column("What it means", style="dim")
        for r in report.reasons[:5]:
            reasons.add_row(_t(r["reason"]), f"{r['calls']:,}", _t(REASON_TEXT.get(r["reason"])))
        parts.append(reasons)
    return Group(*parts)

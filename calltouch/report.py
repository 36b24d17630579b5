"""Render the terminal report of a run with rich (SPEC §4).

Promises: everything shown comes from query rows (``report_channels``, ``summary_reasons``) and
the run summary; nothing is computed again here but layout. Cell text from the data is always
wrapped in :class:`rich.text.Text`, so data such as ``[bold]`` prints literally, and passed
through :func:`printable`, so a control character in it (an escape sequence, a line break)
is shown, never sent to the terminal.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

from calltouch.reporting import pct
from calltouch.text import printable

BAR_WIDTH = 8
REASON_TEXT = {
    "no_bizible_id": "no BizibleId on the task (R1): the call-tracking vendor did not send it",
    "no_session_for_id": "no web session for the BizibleId (R5)",
    "only_later_sessions": "the only sessions started after the call (R5)",
    "outside_window": "latest earlier session started before the window (R5)",
    "session_already_used": "an earlier call already merged with the session (R6)",
}


# The narrowest a table's label column gets before the columns to its right are left out.
LABEL_MIN = 10


class Fitted:
    """A table of a label column and figures, fitted to the width it is drawn in: the figures
    are never cut (``1,195,3…`` read as a smaller amount, ``10…`` for 100.0%), the label is as
    wide as its widest cell where the width allows (whatever its column's max_width) and gives
    way first (down to LABEL_MIN, with an ellipsis, or folded as its column folds), then whole
    columns from the right, said in a line below the table (rich dropped them silently: a
    Total row without its Calls column read as another count), then, with one column left
    after the label, the label again, to a cell. The label is the first column unless
    ``label`` says which (journey's touchpoints, status's files); a figure column given a
    max_width keeps it (a date over two lines)."""

    def __init__(self, table: Table, hint: str = "", /, *, label: int = 0) -> None:
        self.table = table
        self.hint = hint  # besides widening the terminal, how to see every column (or "")
        self.label = label

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        wide = options.update_width(1 << 20)  # measured as wide as they would be

        def widest(column: Column) -> int:
            cells = [column.header, *column.cells]
            return max(Measurement.get(console, wide, cell).maximum for cell in cells)

        table = copy.copy(self.table)
        table.columns = [copy.copy(c) for c in self.table.columns]
        label = table.columns[self.label]
        for column in table.columns:
            if column is label:
                continue
            if column.max_width is not None:  # a width chosen for it: kept
                column.min_width = column.max_width
            else:
                column.no_wrap = True
                column.min_width = widest(column)
        # the label's own max_width is for renderings that do not fit (the dashboard's
        # panels); fitted, it is as wide as its widest cell where the terminal has room, so
        # that long landing pages do not read alike on a wide terminal
        label.max_width = None
        natural = widest(label)
        label.max_width = natural
        width = options.max_width
        left_out: list[str] = []
        while True:
            excess = Measurement.get(console, wide, table).maximum - width
            if excess <= 0:
                break
            if natural - excess >= LABEL_MIN:
                label.max_width = natural - excess
                break
            if len(table.columns) <= self.label + 2:  # one left after it: the label gives way
                label.max_width = max(1, natural - excess)
                break
            left_out.insert(0, str(table.columns.pop().header) or "bars")
        yield table
        if left_out:
            yield Text(
                f"Too narrow to show {', '.join(left_out)} ({width} columns): widen the "
                f"terminal{', or ' + self.hint if self.hint else ''}.",
                style="dim",
            )


def _label(value: object, empty: str = "(none)") -> Text:
    return Text(empty, style="dim") if value is None else Text(printable(str(value)))


def bar(fraction: float | None) -> Text:
    """A share of the largest group as a bar of up to BAR_WIDTH cells (empty for none)."""
    if not fraction:
        return Text("")
    cells = max(1, round(fraction * BAR_WIDTH))
    return Text("█" * cells, style="cyan")


def total_cells(total: dict[str, Any]) -> list[Text | str]:
    """The Total row of a calls-by-channel table (calls, merged, standalone, rate, share)."""
    return [
        Text("Total", style="bold"),
        Text(f"{total['calls']:,}", style="bold"),
        f"{total['merged']:,}",
        f"{total['standalone']:,}",
        Text(pct(total["merge_rate"]), style="bold"),
        pct(total["share"]),
        Text(""),
    ]


def _visible(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows to show: a channel's only subchannel row is dropped when it has no subchannel."""
    subs: dict[object, list[dict[str, Any]]] = {}
    for row in rows:
        if row["level"] == "subchannel":
            subs.setdefault(row["channel"], []).append(row)
    hidden = {
        id(only[0]) for only in subs.values() if len(only) == 1 and only[0]["subchannel"] is None
    }
    return [r for r in rows if id(r) not in hidden]


def channel_table(rows: Sequence[dict[str, Any]], title: str) -> Table:
    """Calls per channel (subchannels indented below), with a bar proportional to calls."""
    table = Table(
        title=title,
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("Channel", no_wrap=True, max_width=26, overflow="ellipsis")
    table.add_column("Calls", justify="right")
    table.add_column("Merged", justify="right")
    table.add_column("Standalone", justify="right")
    table.add_column("Merge %", justify="right")
    table.add_column("Share", justify="right")
    table.add_column("", no_wrap=True, width=BAR_WIDTH)
    top = max((r["calls"] for r in rows if r["level"] == "channel"), default=0)
    for row in _visible(rows):
        level = row["level"]
        if level == "total":
            table.add_section()
            table.add_row(*total_cells(row))
            continue
        if level == "channel":
            table.add_row(
                Text(
                    printable(str(row["channel"] if row["channel"] is not None else "(none)")),
                    style="bold",
                ),
                Text(f"{row['calls']:,}", style="bold"),
                f"{row['merged']:,}",
                f"{row['standalone']:,}",
                pct(row["merge_rate"]),
                pct(row["share"]),
                bar(row["calls"] / top if top else None),
            )
        else:
            table.add_row(
                Text("  ") + _label(row["subchannel"], "(no subchannel)"),
                f"{row['calls']:,}",
                f"{row['merged']:,}",
                f"{row['standalone']:,}",
                pct(row["merge_rate"]),
                pct(row["share"]),
                Text(""),
                style="dim",
            )
    return table


def reconciliation_line(summary: dict[str, Any]) -> Text:
    """``read = touchpoints + unmatched + duplicates + rejected`` with a check mark or cross."""
    ok = summary["reconciled"]
    text = Text()
    text.append("Reconciliation: ", style="bold")
    text.append(reconciliation_terms(summary["tasks"]) + "  ")
    text.append("✔ reconciled" if ok else "✘ NOT reconciled", style="green" if ok else "bold red")
    s = summary["sessions"]
    text.append(
        f"\nSessions: {s['read']:,} rows read = {s['kept']:,} kept + {s['duplicates']:,} "
        f"duplicates + {rejected_terms(s['rejected'], s.get('deleted'))}"
    )
    return text


def reconciliation_terms(t: Mapping[str, Any]) -> str:
    """``read = touchpoints (merged, standalone) + unmatched + duplicates + rejected`` of a
    summary's task counts (the run report's line, and status's last match)."""
    return (
        f"{t['read']:,} task rows read = {t['touchpoints']:,} touchpoints "
        f"({t['merged']:,} merged, {t['standalone']:,} standalone) + {t['unmatched']:,} unmatched "
        f"+ {t['duplicates']:,} duplicates + {rejected_terms(t['rejected'], t.get('deleted'))}"
    )


def rejected_terms(rejected: int, deleted: int | None) -> str:
    """``12 rejected``, or ``12 rejected (10 deleted records)`` when some of the rejected rows
    are records deleted at the source (IsDeleted): an export that holds them (Data Loader's
    Export All) is not at fault, and those rows are not the rows to fix. ``deleted`` is None in
    the summary of a match made before calltouch counted them."""
    said = f"{rejected:,} rejected"
    if deleted:
        said += f" ({deleted:,} deleted record{'s' if deleted != 1 else ''})"
    return said


def reasons_table(reasons: Sequence[dict[str, Any]], top: int = 5) -> Table | Text:
    """The most common reasons calls did not merge."""
    if not reasons:
        return Text("Every call merged with a web session.", style="green")
    table = Table(
        title="Top reasons calls did not merge",
        box=box.SIMPLE,
        title_justify="left",
        pad_edge=False,
    )
    table.add_column("Reason")
    table.add_column("Calls", justify="right")
    table.add_column("What it means", style="dim")
    for row in list(reasons)[:top]:
        table.add_row(
            Text(str(row["reason"])),
            f"{row['calls']:,}",
            Text(REASON_TEXT.get(str(row["reason"]), "")),
        )
    return table


def run_report(
    channels: Sequence[dict[str, Any]], reasons: Sequence[dict[str, Any]], summary: dict[str, Any]
) -> Group:
    """The whole run report as one renderable."""
    settings = summary["settings"]
    per = "one touchpoint per session" if settings["per_session"] == "one" else "all calls merge"
    title = f"Calls by channel  (window {settings['window']}, {per})"
    calls = int(summary["tasks"]["touchpoints"]) + int(summary["tasks"]["unmatched"])
    parts: list[Any] = []
    if calls == 0 and not summary["tasks"].get("files"):
        parts.append(
            Text("No calls: no task file was read (calltouch load tasks FILE...).", style="yellow")
        )
    elif calls == 0:
        parts.append(Text("No calls: the task files hold no usable rows.", style="yellow"))
    elif channels:
        parts.append(Fitted(channel_table(channels, title)))
    else:
        parts.append(Text("No touchpoints: no task had a BizibleId.", style="yellow"))
    parts.append(reconciliation_line(summary))
    sessions = summary["sessions"]
    if calls and int(sessions["kept"]) == 0:
        read = int(sessions["read"])
        what = (
            "No web sessions were read"
            if read == 0
            else f"None of the {read:,} session rows read was usable (see the rejects)"
        )
        parts.append(
            Text(
                f"{what}, so no call could merge: check the session export (or, in a "
                "workspace, calltouch load sessions FILE...).",
                style="bold yellow",
            )
        )
    if calls:
        parts.append(Text(""))
        parts.append(reasons_table(reasons))
    return Group(*parts)


def print_run_report(
    console: Console,
    channels: Sequence[dict[str, Any]],
    reasons: Sequence[dict[str, Any]],
    summary: dict[str, Any],
) -> None:
    """Print the run report on ``console``."""
    console.print(run_report(channels, reasons, summary))


def _printable_tree(value: Any) -> Any:
    """``value`` with every text in it (in lists and dicts too) passed through
    :func:`printable`, its own line breaks kept."""
    if isinstance(value, str):
        return printable(value, lines=True)
    if isinstance(value, dict):
        return {key: _printable_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable_tree(item) for item in value]
    return value


def print_inspection(console: Console, item: dict[str, Any]) -> None:
    """One file as ``calltouch inspect`` shows it (what stopped its description, if any);
    its headers, cells and notes come from the file, their control characters shown."""
    item = _printable_tree(item)
    if "error" in item:
        console.print(Text(item["file"], style="bold underline"))
        console.print(Text(item["error"], style="red"))
        if item.get("hint"):
            console.print(Text(item["hint"], style="yellow"))
        console.print()
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    role = f"{item['role']}" + (" (detected)" if item["role_detected"] else "")
    grid.add_row("role", Text(role))
    forced = "chosen with --profile" if item["profile_forced"] else "detected"
    grid.add_row("profile", Text(f"{item['profile']} ({forced}): {item['profile_description']}"))
    if item["format"] == "csv":
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
            item["delimiter"], repr(item["delimiter"])
        )
        bom = ", with BOM" if item["bom"] else ""
        grid.add_row("format", Text(f"CSV, {item['encoding']}{bom}, {delimiter}-separated"))
        rows = item["rows"]
        grid.add_row(
            "rows",
            Text(
                f"{rows['data']:,} data rows: {rows['readable']:,} well-formed, "
                f"{rows['unreadable']:,} malformed; {rows['footer']:,} report-footer lines"
                if "readable" in rows
                else f"{rows['data']:,} data rows"  # a session CSV, as DuckDB reads it
            ),
        )
        for bad in item.get("first_unreadable", []):
            grid.add_row("", Text(f"line {bad['line']}: {bad['error']}", style="yellow"))
    else:
        grid.add_row("format", Text("Parquet"))
        grid.add_row("rows", Text(f"{item['rows']['data']:,} rows"))
    if "rejected_by_run" in item:
        grid.add_row("rejected", Text(f"{item['rejected_by_run']:,} rows would go to rejects"))
        where = "line" if item["format"] == "csv" else "row"
        for bad in item.get("first_rejected", []):
            grid.add_row("", Text(f"{where} {bad['line']}: {bad['error']}", style="yellow"))
    mapping = Text()
    for i, (fld, column) in enumerate(item["mapping"].items()):
        mapping.append(("\n" if i else "") + f"{fld:<16}")
        mapping.append(" <- ")
        mapping.append(str(column), style="cyan")
    grid.add_row("columns", mapping)
    if item["unmapped_columns"]:
        grid.add_row("carried", Text(", ".join(item["unmapped_columns"]), style="dim"))
    times = Text()
    for i, (fld, style) in enumerate(item["timestamps"].items()):
        times.append(("\n" if i else "") + f"{fld:<16} {style}")
    times.append(f"\nvalues without a zone are read in {item['time_zone_for_naive_values']}")
    grid.add_row("timestamps", times)
    for problem in item.get("problems", []):
        grid.add_row("problem", Text(problem, style="red"))
    for note in item["notes"]:
        grid.add_row("note", Text(note, style="yellow"))
    console.print(Text(item["file"], style="bold underline"))
    console.print(grid)
    if item["first_rows"]:
        sample = Table(box=box.SIMPLE, title="first rows", title_justify="left", pad_edge=False)
        header = item["header"]
        wanted = [header.index(c) for c in item["mapping"].values() if c in header][:5]
        for idx in wanted:
            sample.add_column(Text(header[idx]), overflow="ellipsis", no_wrap=True, max_width=24)
        for row in item["first_rows"]:
            sample.add_row(
                *[Text("" if idx >= len(row) or row[idx] is None else row[idx]) for idx in wanted]
            )
        console.print(sample)
    console.print()

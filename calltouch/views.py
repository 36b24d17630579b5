"""Rich views of the workspace commands: load results, status, explain, report tables, and the
revenue views (revenue by channel, attribute's overview, journey, compare).

Promise: these functions only lay out data they are given (from workspace.py, explain.py,
reporting.py and attribution.py); every data cell is a :class:`rich.text.Text`, so ``[bold]``
in data prints as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from calltouch.attribution import MODEL_LABELS, MODELS
from calltouch.pipeline import overruled_note
from calltouch.report import (
    BAR_WIDTH,
    REASON_TEXT,
    Fitted,
    bar,
    reconciliation_terms,
    total_cells,
)
from calltouch.reporting import BY_LABEL, Report, RevenueReport, pct, whole
from calltouch.text import printable
from calltouch.workspace import stale_remedy

# Besides widening the terminal, how to see a table's every column (Fitted).
CSV_OR_JSON = "use --format csv or json"


def _minutes(value: object) -> str:
    """Minutes as the JSON form gives them (to 1e-5, see explain_task), without trailing
    zeros: 76.58333, 30, 144000.5 (six significant digits showed 76.5833 and 144000)."""
    return f"{float(str(value)):.5f}".rstrip("0").rstrip(".")


def _t(value: object, style: str = "") -> Text:
    """A cell from the data, its control characters shown (:func:`printable`)."""
    return Text("" if value is None else printable(str(value)), style=style)


def _day(stamp: str | None) -> str | None:
    return None if stamp is None else stamp[:10]


def _minute(stamp: str | None) -> str | None:
    return None if stamp is None else stamp[:16].replace("T", " ")


def _rejected(rejected: int, deleted: int) -> str:
    """A Rejected cell: ``12``, or ``12 (10 deleted)`` when records deleted at the source
    (IsDeleted) are among them, no fault of the export (rejects.csv lists each)."""
    return f"{rejected:,}" + (f" ({deleted:,} deleted)" if deleted else "")


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
                Text(
                    printable(f"Skipped {o['path']}: already loaded ({o['same_as']})."),
                    style="yellow",
                )
            )
            continue
        table.add_row(
            _t(o["path"]),
            _t(f"#{o['load_id']}"),
            f"{o['rows_read']:,}",
            f"{o['rows_loaded']:,}",
            Text(
                _rejected(o["rows_rejected"], o.get("rows_deleted", 0)),
                style="yellow" if o["rows_rejected"] else "",
            ),
            f"{o['rows_footer']:,}",
        )
    return Group(Fitted(table), *notes)


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
            _rejected(row["rows_rejected"], row["rows_deleted"]),
            _t(_day(row["first"])),
            _t(_day(row["last"])),
        )
    if info["loads"]:
        parts.append(Fitted(loads, "use --format json", label=2))
        for role, total in info["totals"].items():
            span = f", {_day(total['first'])} to {_day(total['last'])}" if total["first"] else ""
            parts.append(
                Text(
                    f"{role}: {total['files']} file(s), {total['rows_read']:,} rows "
                    f"({total['rows_rejected']:,} rejected"
                    + (
                        f", {total['rows_deleted']:,} of them deleted record"
                        + ("s" if total["rows_deleted"] != 1 else "")
                        if total["rows_deleted"]
                        else ""
                    )
                    + f"){span}"
                )
            )
    else:
        parts.append(Text("Nothing loaded yet: calltouch load tasks FILE...", style="yellow"))
    last = info["last_match"]
    if last is None:
        parts.append(Text("Never matched: run calltouch match.", style="yellow"))
    else:
        terms = (
            reconciliation_terms(last)
            if last.get("read") is not None
            else f"{last['touchpoints']:,} touchpoints, {last['merged']:,} merged, "
            f"{last['standalone']:,} standalone, {last['unmatched']:,} unmatched"
        )
        parts.append(
            Text(
                f"Last match {_minute(last['ran_at'])} UTC (window {last['window']}, per session "
                f"{last['per_session']}): {terms}"
                + ("" if last["reconciled"] else "; NOT reconciled")
            )
        )
    if info["stale"]:
        parts.append(
            Text(
                f"Touchpoints are stale ({info['stale_reason']}): "
                f"{stale_remedy(info['stale_reason'])}.",
                style="bold yellow",
            )
        )
    elif last is not None:
        parts.append(Text("Touchpoints are up to date.", style="green"))
    parts.extend(
        Text(printable(f"Note: {note}", lines=True), style="yellow")
        for note in info["unread_columns"]
    )
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
            f"{_minutes(earlier['minutes_before_call'])} min before the call"
            if earlier
            else "none"
        ),
    )
    grid.add_row(
        "session after",
        _t(
            f"{later['session_id']} at {later['session_start']}, "
            f"{_minutes(later['minutes_after_call'])} min after the call"
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
        parts.append(Text("• ") + Text(printable(line, lines=True)))
    return Group(*parts)


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
            bar(row["calls"] / top if top else None),
        )
    table.add_section()
    table.add_row(*total_cells(report.total))
    parts: list[RenderableType] = [Fitted(table, CSV_OR_JSON)]
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


# ----------------------------------------------------------------------------- revenue


def _whole(value: object) -> str:
    """An amount in whole units for the terminal (12,346); the files keep the cents."""
    return whole(value)  # type: ignore[arg-type]


def _cents(value: object) -> str:
    """One opportunity's amount as it is, to the cent (0.01 is not '0'); '(none)' for none."""
    if value is None:
        return "(none)"
    return f"{Decimal(str(value)):,.2f}"


def _money(value: object, style: str = "") -> Text:
    return Text(_whole(value), style=style)


def _change(value: object) -> Text:
    """A signed amount in whole units: green when gained, red when lost."""
    text = whole(value or 0)  # type: ignore[arg-type]
    if text == "0":
        return Text("0", style="dim")
    return Text(
        text if text.startswith("-") else "+" + text, style="red" if "-" in text else "green"
    )


UNATTRIBUTED_TEXT = {
    "no_contacts": "no contact role, primary contact or converted lead",
    "no_touchpoints": "its contacts have no touchpoint by the close date (or --as-of)",
    "no_model_positions": "the journey holds none of the model's positions",
}


def revenue_table(report: RevenueReport) -> RenderableType:
    """``calltouch report --revenue``: revenue per group with the calls' share, then the total
    and what is not attributed."""
    o = report.options
    label = BY_LABEL[o.by]
    table = Table(
        title=f"Revenue by {label.lower()} · {o.model_label} · open opportunities as of "
        f"{o.as_of.isoformat()}",
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column(label, no_wrap=True, max_width=24, overflow="ellipsis")
    for name in ("Opps", "Touches", "Won revenue", "Pipeline", "Calls %", "Won %"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in report.rows:
        table.add_row(
            _t(row["label"]),
            f"{row['opportunities']:,}",
            f"{row['touchpoints']:,}",
            _money(row["won_revenue"]),
            _money(row["pipeline"]),
            pct(row["calls_share"]),
            pct(row["won_share"]),
        )
    total = report.total
    table.add_section()
    table.add_row(
        Text("Total", style="bold"),
        f"{total['opportunities']:,}",
        f"{total['touchpoints']:,}",
        _money(total["won_revenue"], "bold"),
        _money(total["pipeline"], "bold"),
        Text(pct(total["calls_share"]), style="bold"),
        pct(total["won_share"]),
    )
    h = report.headline
    notes = [
        Text(
            "Calls % is the part of a row's won revenue and pipeline credited to call "
            "touchpoints; Won % its part of all won revenue.",
            style="dim",
        ),
        Text(
            f"{h['opportunities']:,} opportunities: {h['won']:,} won "
            f"({_whole(h['won_amount'])}), {h['open']:,} open ({_whole(h['open_amount'])} "
            f"pipeline), {h['lost']:,} lost (counted, no revenue); {h['attributed']:,} "
            f"attributed, {h['unattributed']:,} not attributed under {o.model_label}."
        ),
        Text(
            f"Calls earned {_whole(h['call_won_revenue'])} of {_whole(h['won_revenue'])} won "
            f"revenue and {_whole(h['call_pipeline'])} of {_whole(h['pipeline'])} pipeline "
            f"({h['call_touchpoints']:,} call touchpoints in the journeys).",
            style="bold",
        ),
    ]
    return Group(Fitted(table, CSV_OR_JSON), *notes)


def attribution_overview(info: dict[str, Any]) -> RenderableType:
    """``calltouch attribute``: the inputs, the opportunities and how many each model
    attributes."""
    parts: list[RenderableType] = []
    inputs = info["inputs"]
    line = Text("Inputs: ", style="bold")
    for role, c in inputs.items():
        if c["files"] or c["kept"]:
            line.append(
                f"{role.replace('_', ' ')} {c['read']:,} read, {c['kept']:,} kept, "
                f"{c['duplicates']:,} duplicates, {c['rejected']:,} rejected; "
            )
    parts.append(line)
    roles = inputs.get("contact_roles", {})
    unlinked, rejected = roles.get("unlinked", 0), roles.get("unlinked_rejected", 0)
    if rejected:
        parts.append(
            Text(
                f"{rejected:,} contact role(s) name an opportunity whose row was rejected (or is "
                "a deleted record): no journey reads them. The rejects list that row with its "
                "line and error.",
                style="yellow",
            )
        )
    if unlinked > rejected:
        parts.append(
            Text(
                f"{unlinked - rejected:,} contact role(s) name an opportunity that is not among "
                "the opportunities loaded: no journey reads them. Is the opportunities export "
                "filtered (a date range, a report's criteria) or another org's?",
                style="yellow",
            )
        )
    overruled = inputs.get("opportunities", {}).get("overruled", 0)
    if overruled:
        note = overruled_note(overruled, "opportunity", "opportunities", "LastModifiedDate")
        parts.append(Text(note, style="yellow"))
    outdated = inputs.get("opportunities", {}).get("outdated", 0)
    if outdated:
        parts.append(
            Text(
                f"{outdated:,} opportunit{'y is' if outdated == 1 else 'ies are'} read from an "
                "earlier copy: the latest copy was rejected (the rejects list it with its line "
                "and error), so an older status and amount stand. Correct that row and load "
                "it again.",
                style="yellow",
            )
        )
    o = info["opportunities"]
    parts.append(
        Text(
            f"{o['opportunities']:,} opportunities: {o['won']:,} won, {o['open']:,} open "
            f"(judged as of {info['settings']['as_of']}), {o['lost']:,} lost."
        )
    )
    table = Table(box=box.SIMPLE, pad_edge=False, title_justify="left")
    table.add_column("Model")
    table.add_column("Attributed", justify="right")
    table.add_column("Not attributed", justify="right")
    for model, count in info["attributed"].items():
        table.add_row(MODEL_LABELS[model], f"{count:,}", f"{o['opportunities'] - count:,}")
    parts.append(table)
    return Group(*parts)


MODEL_SHORT = {
    "first_touch": "First",
    "lead_creation": "Lead",
    "u_shaped": "U",
    "w_shaped": "W",
    "full_path": "Full",
    "custom": "Custom",
}


def _share(value: object) -> str:
    """0.3 -> '30%', 1/3 -> '33.3%'; None (unattributed) -> an en dash. Only a share of
    nothing is '0%' (the README: no credit) and only a whole one '100%': a share under 0.05%
    is '<0.1%', one over 99.95% '>99.9%' (rounded, 0.0002 was '0%' and 0.9996 '100%')."""
    if value is None:
        return "\u2013"
    share = Decimal(str(value))
    if 0 < share < Decimal("0.0005"):
        return "<0.1%"
    if Decimal("0.9995") <= share < 1:
        return ">99.9%"
    percent = float(share) * 100
    return f"{percent:.0f}%" if abs(percent - round(percent)) < 0.05 else f"{percent:.1f}%"


def _model_legend(models: list[str]) -> Text:
    return Text(
        "Shares: " + ", ".join(f"{MODEL_SHORT[m]} = {MODEL_LABELS[m]}" for m in models) + ".",
        style="dim",
    )


def _touchpoint(row: dict[str, Any]) -> Text:
    """Type (and ``· call`` when the type does not say so, e.g. a merged call with a blank
    Type is a 'Web Visit' by R4), then the channel on a second line."""
    text = _t(row["touchpoint_type"])
    if row["kind"] == "call" and "call" not in str(row["touchpoint_type"]).lower():
        text.append(" · call", style="dim")
    channel = " / ".join(str(x) for x in (row["channel"], row["subchannel"]) if x)
    text.append("\n" + printable(channel or "(none)"), style="dim")
    return text


def journey(facts: dict[str, Any]) -> RenderableType:
    """``calltouch journey``: an opportunity's journey with positions and each model's share,
    or a person's path and their opportunities."""
    models = [m for m in MODELS if m != "custom" or facts["settings"]["weights"]]
    parts: list[RenderableType] = []
    if facts["kind"] == "opportunity":
        o = facts["opportunity"]
        head = Text(printable(f"Opportunity {o['opportunity_id']}"), style="bold")
        head.append(
            printable(
                f"  {o['status']}{' (' + o['stage'] + ')' if o['stage'] else ''}, amount "
                f"{_cents(o['amount'])}, created {o['created_date']}, close date "
                f"{o['close_date']}; journey up to {o['journey_until']}"
            ),
            style="",
        )
        parts.append(head)
        contacts = ", ".join(o["contacts"]) or "none"
        parts.append(Text(printable(f"Contacts: {contacts}"), style="dim"))
        if facts.get("also_person"):
            parts.append(
                Text(
                    printable(
                        f"{facts['id']} is also a lead or contact: --person shows their path."
                    ),
                    style="yellow",
                )
            )
        if o["unattributed_models"]:
            names = ", ".join(MODEL_LABELS[m] for m in o["unattributed_models"])
            reason = UNATTRIBUTED_TEXT.get(o["unattributed_reason"], o["unattributed_reason"])
            parts.append(Text(f"Not attributed under {names}: {reason}.", style="yellow"))
        rows = facts["touchpoints"]
    else:
        head = Text(printable(f"Person {facts['person_id']}"), style="bold")
        if facts["converted_to"] and facts["id"] != facts["person_id"]:
            head.append(printable(f"  (lead {facts['id']} converted to this contact)"), style="dim")
        parts.append(head)
        rows = facts["touchpoints"]
        models = []
    table = Table(box=box.SIMPLE_HEAVY, pad_edge=False, collapse_padding=True)
    table.add_column("#", justify="right")
    table.add_column("When (UTC)", max_width=10, min_width=10)
    table.add_column("Touchpoint", overflow="fold", min_width=12)
    table.add_column("Positions", overflow="fold", min_width=9)
    for model in models:
        table.add_column(MODEL_SHORT[model], justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            str(row["seq"]),
            _t(_minute(row["touchpoint_date"])),
            _touchpoint(row),
            _t(" ".join(row["positions"])),
            *[_share(row[m]) for m in models],
        )
    parts.append(
        Fitted(table, "use --format json", label=2)
        if rows
        else Text("No touchpoints.", style="yellow")
    )
    if rows and models:
        parts.append(_model_legend(models))
    if facts["kind"] == "person":
        opps = Table(
            title="Opportunities",
            box=box.SIMPLE,
            pad_edge=False,
            title_justify="left",
            collapse_padding=True,
        )
        opps.add_column("Opportunity", no_wrap=True)
        opps.add_column("Status", no_wrap=True, min_width=6)
        opps.add_column("Amount", justify="right", no_wrap=True, min_width=7)
        shown = [m for m in MODELS if m != "custom" or facts["settings"]["weights"]]
        for model in shown:
            opps.add_column(MODEL_SHORT[model], justify="right", no_wrap=True)
        for row in facts["opportunities"]:
            opps.add_row(
                _t(row["opportunity_id"]),
                row["status"],
                _whole(row["amount"]),
                *[_share(row[m]) for m in shown],
            )
        if facts["opportunities"]:
            parts.append(Fitted(opps, "use --format json"))
            parts.append(
                Text(
                    "Each share is the part of the opportunity this person's touchpoints earn "
                    "under that model; calltouch journey OPPORTUNITY_ID shows the whole "
                    "journey.",
                    style="dim",
                )
            )
        else:
            parts.append(Text("Not a contact of any opportunity.", style="dim"))
    return Group(*parts)


def comparison(data: dict[str, Any]) -> RenderableType:
    """``calltouch compare``: revenue and pipeline per model and channel with call touchpoints
    and with calls invisible, and what moved."""
    m = data["moves"]
    parts: list[RenderableType] = [
        Text(
            "Attribution with call touchpoints vs with calls invisible (as before the "
            f"call-tracking integration); open opportunities as of {data['settings']['as_of']}.",
            style="bold",
        ),
        Text(
            f"{m['sessions_visit_to_call']:,} sessions went from a plain visit to a call "
            f"touchpoint ({m['sessions_first_visit_to_call']:,} of them were a Web Visit first "
            f"touch); {m['sessions_form_to_call']:,} form fills gave way to the call merged with "
            f"their session."
        ),
        Text(
            f"{m['forms_lc_to_post_lc']:,} form fills moved from LC to PostLC (a call came "
            f"first); {m['opportunities_lc_is_call']:,} opportunities now have a call as LC, "
            f"{m['opportunities_with_calls']:,} have calls in their journey "
            f"({m['call_touchpoints_in_journeys']:,} call touchpoints)."
        ),
    ]
    counts = Table(
        box=box.SIMPLE, pad_edge=False, title="Opportunities attributed", title_justify="left"
    )
    counts.add_column("Model")
    counts.add_column("With calls", justify="right")
    counts.add_column("Without", justify="right")
    for row in data["attributed"]:
        counts.add_row(
            MODEL_LABELS[row["model"]],
            f"{row['attributed_with_calls']:,}",
            f"{row['attributed_without_calls']:,}",
        )
    parts.append(counts)
    for model in data["models"]:
        table = Table(
            title=f"{MODEL_LABELS[model]}: revenue by channel with and without calls",
            box=box.SIMPLE_HEAVY,
            title_justify="left",
            pad_edge=False,
            collapse_padding=True,
        )
        table.add_column("Channel", no_wrap=True, max_width=18, overflow="ellipsis")
        for name in ("Won", "Won w/o", "Change", "Pipeline", "Pipe w/o", "Change"):
            table.add_column(name, justify="right", no_wrap=True)
        for row in (r for r in data["channels"] if r["model"] == model):
            table.add_row(
                _t(row["channel"]),
                _money(row["won_with_calls"]),
                _money(row["won_without_calls"]),
                _change(row["won_change"]),
                _money(row["pipeline_with_calls"]),
                _money(row["pipeline_without_calls"]),
                _change(row["pipeline_change"]),
            )
        parts.append(Fitted(table, "use --format json"))
    return Group(*parts)

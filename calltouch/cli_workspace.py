"""The workspace commands of the CLI: load, match, status, export, report, explain, sql.

Thin like the rest of the CLI: options are parsed here, the work is done by workspace.py,
explain.py, attribution.py, reporting.py and html_report.py, and the views render it.
Registered on the one Typer app of calltouch.cli. The options of attribution (--as-of,
--weights, --model) are defined here once and shared with cli_revenue.py.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from calltouch import attribution, queries, reporting, views, workspace
from calltouch import explain as explaining
from calltouch.cli import (
    DateOrderOpt,
    DebugOpt,
    EncodingOpt,
    FilesTzOpt,
    MapOpt,
    MaxRejectsOpt,
    MemoryOpt,
    PerSession,
    PerSessionOpt,
    ProfileOpt,
    QuietOpt,
    SessionsTzOpt,
    StdoutConsole,
    TasksTzOpt,
    TempDirOpt,
    ThreadsOpt,
    TzOpt,
    WindowOpt,
    _connect,
    _settings,
    app,
    expand_home,
    meant_folder,
    one_file,
    print_run_summary,
    progress,
    refuse_db_with_files,
    refuse_file_options,
    stderr,
    stdout,
    user_errors,
)
from calltouch.csvscan import QUOTE_ERRORS
from calltouch.durations import parse_window
from calltouch.errors import (
    OutputError,
    QueryError,
    TooManyRejectsError,
    UsageError,
    WorkspaceInUseError,
    shown_name,
)
from calltouch.inputs import folder_notes
from calltouch.load import DELETED_ERRORS
from calltouch.outputs import atomic_path, export_table, format_of, json_text
from calltouch.pipeline import (
    check_rejects,
    load_inputs,
    match,
    overruled_notes,
    settings_summary,
    summarize,
)
from calltouch.text import printable


def _no_empty_env(ctx: typer.Context, param: typer.CallbackParam, value: Path) -> Path:
    """Refuse CALLTOUCH_DB set but empty or blank (an unset variable in a script, as an empty
    --db is): Click ignored an empty one, and the default calltouch.duckdb of the current
    folder was used; a blank one (a quoting slip) made a workspace file named " ".
    A leading ~/ in it is the home folder (as in --db, calltouch.cli.expand_home)."""
    source = ctx.get_parameter_source(param.name or "db")
    env = os.environ.get(workspace.ENV_DB)
    blank = env is not None and not env.strip()
    if blank and source is not None and source.name in ("DEFAULT", "ENVIRONMENT"):
        raise typer.BadParameter(
            f"{workspace.ENV_DB} is set but {'empty' if env == '' else 'blank'}; set it to "
            f"the workspace file, unset it (the default is {workspace.DEFAULT_DB} in the "
            "current folder), or pass --db"
        )
    if not str(value).strip():  # --db " ": a file named by white space, made by load
        raise typer.BadParameter("--db is given a blank name; give the workspace file")
    from_env = source is not None and source.name == "ENVIRONMENT"
    if (from_env and (env or "").rstrip().endswith(("/", os.sep))) or (
        not from_env and meant_folder(ctx, value)
    ):  # the slash was dropped, and load made a workspace file named as the folder meant
        said = f"{workspace.ENV_DB}={env.strip()}" if from_env and env else f"--db {value}/"
        raise typer.BadParameter(
            f"{said} names a folder, but the workspace is a file: name it, e.g. "
            f"{value}/{workspace.DEFAULT_DB}"
        )
    # CALLTOUCH_DB=~/ws.duckdb as a config file writes it: the home folder, as for --db
    if from_env:
        return Path(expand_home(str(value)))
    return value


DbOpt = Annotated[
    Path,
    typer.Option(
        "--db",
        envvar=workspace.ENV_DB,
        metavar="PATH",
        help="The workspace: a DuckDB file (created by the first load).",
        callback=_no_empty_env,
    ),
]


class Role(str, Enum):
    """Which input a file is."""

    tasks = "tasks"
    sessions = "sessions"
    opportunities = "opportunities"
    contact_roles = "contact-roles"
    people = "people"

    @property
    def key(self) -> str:
        """The role's name in calltouch (contact-roles -> contact_roles)."""
        return self.value.replace("-", "_")


class Model(str, Enum):
    """Marketo Measure's attribution models."""

    first_touch = "first-touch"
    lead_creation = "lead-creation"
    u_shaped = "u-shaped"
    w_shaped = "w-shaped"
    full_path = "full-path"
    custom = "custom"

    @property
    def key(self) -> str:
        """The model's name in calltouch's tables (w-shaped -> w_shaped)."""
        return attribution.model_key(self.value)


ModelOpt = Annotated[
    Model,
    typer.Option(
        "--model",
        help="Attribution model: first-touch, lead-creation, u-shaped, w-shaped, full-path or "
        "custom (custom needs --weights).",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Judge open opportunities on this UTC day (YYYY-MM-DD): their journeys end on it. "
        "Default: today in UTC.",
        show_default=False,
    ),
]
WeightsOpt = Annotated[
    str | None,
    typer.Option(
        "--weights",
        metavar="ft=W,lc=W,oc=W,cw=W,middle=W",
        help="Weights of the custom model per position, summing to 1, e.g. "
        "ft=.2,lc=.2,oc=.2,cw=.3,middle=.1 (positions left out weigh 0).",
        show_default=False,
    ),
]


def attribution_settings(as_of: str | None, weights: str | None) -> attribution.AttributionSettings:
    """--as-of and --weights, validated."""
    return attribution.AttributionSettings(
        as_of=attribution.parse_as_of(as_of),
        weights=None if weights is None else attribution.parse_weights(weights),
    )


class TextFormat(str, Enum):
    """table (rich) or json."""

    table = "table"
    json = "json"


class ReportFormat(str, Enum):
    """The forms of a report."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"


class By(str, Enum):
    """What a report groups calls by."""

    channel = "channel"
    subchannel = "subchannel"
    campaign = "campaign"
    source = "source"
    medium = "medium"
    landing_page = "landing_page"
    touchpoint_type = "touchpoint_type"
    day = "day"
    week = "week"
    month = "month"


class StatusChoice(str, Enum):
    """Which touchpoints a report counts."""

    all = "all"
    merged = "merged"
    standalone = "standalone"


class Export(str, Enum):
    """What can be exported."""

    touchpoints = "touchpoints"
    unmatched = "unmatched"
    rejects = "rejects"
    report = "report"


ByOpt = Annotated[By, typer.Option("--by", help="Group calls by this.")]


def _output_option(help_text: str) -> Any:
    """-o FILE of export and report: an existing file need not be readable, as it is replaced
    by a rename (Typer's Path checks that it is, by default)."""
    return typer.Option("--output", "-o", metavar="FILE", help=help_text, readable=False)


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since", metavar="DATE", help="Only calls on or after this UTC day (YYYY-MM-DD)."
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until", metavar="DATE", help="Only calls on or before this UTC day (YYYY-MM-DD)."
    ),
]
StatusOpt = Annotated[
    StatusChoice, typer.Option("--status", help="Count merged, standalone or all touchpoints.")
]
TopOpt = Annotated[
    int | None,
    typer.Option(
        "--top",
        min=1,
        metavar="N",
        help="Keep the N largest groups (the latest N for day/week/month); fold the rest.",
    ),
]


def _report_options(
    by: By, since: str | None, until: str | None, status: StatusChoice, top: int | None
) -> reporting.ReportOptions:
    return reporting.ReportOptions(
        by=by.value,
        since=reporting.parse_date(since, "--since"),
        until=reporting.parse_date(until, "--until"),
        status=status.value,  # type: ignore[arg-type]
        top=top,
    )


def _underscores_as_dashes(token: str) -> str:
    """The load command's spelling of a role: ``contact_roles`` (the name of the role in
    --encoding, --map and the files) reads as ``contact-roles``."""
    return token.replace("_", "-")


@app.command(context_settings={"token_normalize_func": _underscores_as_dashes})
def load(
    role: Annotated[
        Role,
        typer.Argument(
            help="What the files are: tasks, sessions, opportunities, contact-roles (or "
            "contact_roles) or people."
        ),
    ],
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="CSV or Parquet files, folders or quoted globs.",
            show_default=False,
        ),
    ],
    db: DbOpt = Path(workspace.DEFAULT_DB),
    tz: FilesTzOpt = None,
    maps: MapOpt = None,
    profile: ProfileOpt = None,
    encoding: EncodingOpt = None,
    date_order: DateOrderOpt = None,
    max_rejects: MaxRejectsOpt = "1%",
    fmt: Annotated[TextFormat, typer.Option("--format", "-f", help="table or json.")] = (
        TextFormat.table
    ),
    threads: ThreadsOpt = None,
    memory_limit: MemoryOpt = None,
    temp_dir: TempDirOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Add exports to the workspace; the same file content loads only once.

    Files are appended in one go (a command whose rejected rows exceed --max-rejects loads
    nothing). Overlapping exports are fine: tasks and sessions are de-duplicated by id (R9) when
    you run calltouch match; opportunities and people by id, contact roles by opportunity and
    contact, when attribution runs.

    Examples:

        calltouch load tasks exports/tasks_jan.csv exports/tasks_feb.csv

        calltouch load sessions 'warehouse/biz_sessions_*.parquet'

        calltouch load opportunities exports/opportunities.csv
    """
    with user_errors(debug):
        settings = _settings(
            "30m",
            PerSession.one,
            "UTC" if tz is None else tz,
            None,
            None,
            maps,
            profile=profile,
            encoding=encoding,
            date_order=date_order,
            max_rejects=max_rejects,
            reads=(role.key,),
            reading="loads",
        )
        skipped = [note for spec in files for note in folder_notes(spec)]
        created = not db.exists()
        try:
            con = workspace.open_workspace(
                db, threads=threads, memory_limit=memory_limit, temp_directory=temp_dir
            )
        except BaseException:
            if created:  # stopped or failing while the new file was set up: none left behind
                workspace.remove_workspace_files(db)
            raise
        try:
            with progress(quiet):
                outcomes = workspace.load(
                    con,
                    role.key,  # type: ignore[arg-type]
                    files,
                    # a given --tz (UTC too) says in which zone the files' times are
                    replace(settings.load_options(role.key), tz_given=tz is not None),  # type: ignore[arg-type]
                    max_rejects=max_rejects,
                )
        except BaseException as exc:
            con.close()
            if created:  # a first load that failed leaves no empty workspace behind
                workspace.remove_workspace_files(db)
            elif isinstance(exc, KeyboardInterrupt):
                # stopped as it committed, the load may be in: never say less than that
                stderr.print(
                    Text(
                        f"The workspace {db} holds this load whole or not at all (one "
                        "transaction): calltouch status shows which.",
                        style="dim",
                    )
                )
            raise
        try:
            con.close()
            _say_loaded(db, role, outcomes, skipped, fmt=fmt, quiet=quiet)
        except KeyboardInterrupt:  # the load is in the workspace: say so, then stop
            if any(o.status == "loaded" for o in outcomes):
                stderr.print(Text(f"The load was saved in {db}.", style="dim"))
            raise


def _say_loaded(
    db: Path,
    role: Role,
    outcomes: list[workspace.LoadOutcome],
    skipped: list[str],
    *,
    fmt: TextFormat,
    quiet: bool,
) -> None:
    """Print what a load did: its files (table or JSON), the notes, and what to do next."""
    data = [o.as_dict() for o in outcomes]
    if fmt is TextFormat.json:
        stdout.out(json_text(data), highlight=False)
    elif not quiet:
        stdout.print(views.load_outcomes(data))
    for note in skipped:
        stderr.print(Text(printable(f"Note: {note}", lines=True), "yellow"))
    for outcome in outcomes:
        for note in outcome.notes:  # e.g. a duplicated header, a UTF-8 file read otherwise
            stderr.print(Text(printable(f"Note: {outcome.path}: {note}", lines=True), "yellow"))
    if any(o.status == "loaded" for o in outcomes):
        after = (
            "run calltouch match to rebuild"
            if role in (Role.tasks, Role.sessions)
            else "calltouch attribute or calltouch report --revenue use it"
        )
        stderr.print(Text(f"Loaded into {db}; {after}.", style="dim"))


@app.command("match")
def match_command(
    db: DbOpt = Path(workspace.DEFAULT_DB),
    window: WindowOpt = "30m",
    per_session: PerSessionOpt = PerSession.one,
    threads: ThreadsOpt = None,
    memory_limit: MemoryOpt = None,
    temp_dir: TempDirOpt = None,
    quiet: QuietOpt = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Match again even when nothing was loaded since the last match with the "
            "same --window and --per-session (whose touchpoints are otherwise kept).",
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Rebuild the touchpoints from everything loaded in the workspace (R1-R9).

    Gives the same touchpoints as calltouch run on the same files, and prints the same report.
    When nothing was loaded since the last match with the same settings, its touchpoints are
    kept as they are (the same result, without the minutes a large workspace takes).

    Examples:

        calltouch match

        calltouch match --window 45m --per-session all
    """
    with user_errors(debug):
        settings = _settings(window, per_session, "UTC", None, None, None)
        con = workspace.open_workspace(
            db,
            create=False,
            threads=threads,
            memory_limit=memory_limit,
            temp_directory=temp_dir,
        )
        try:
            kept = None if rebuild else workspace.current_match(con, settings)
            if kept is not None:
                summary = kept
                stderr.print(
                    Text(
                        "Nothing loaded since the last match with these settings: its "
                        "touchpoints are kept (--rebuild matches again).",
                        style="dim",
                    )
                )
            else:
                try:
                    with progress(quiet):
                        summary = workspace.match_workspace(con, settings)
                except KeyboardInterrupt:
                    # a Ctrl-C after the commit (the match's last moments) leaves it saved
                    if workspace.current_match(con, settings) is not None:
                        _say_saved(db)
                    raise
            try:
                for note in workspace.unread_columns(con) + overruled_notes(con):
                    stderr.print(Text(printable(f"Note: {note}", lines=True), style="yellow"))
                if not quiet:
                    print_run_summary(con, summary)
            except KeyboardInterrupt:  # the match is in the workspace: say so, then stop
                _say_saved(db)
                raise
        except BaseException:
            con.close()
            raise
        try:
            con.close()
        except KeyboardInterrupt:  # stopped while the file was closed: the match is in it
            _say_saved(db)
            raise
        from calltouch.pipeline import raise_if_unreconciled

        raise_if_unreconciled(summary, f"The workspace {db} keeps the result for inspection")


def _say_saved(db: Path) -> None:
    """Tell a user who stopped match once its result was in the workspace that it is."""
    stderr.print(Text(f"The match was saved in {db}; calltouch report shows it."))


@app.command("status")
def status_command(
    db: DbOpt = Path(workspace.DEFAULT_DB),
    fmt: Annotated[TextFormat, typer.Option("--format", "-f", help="table or json.")] = (
        TextFormat.table
    ),
    debug: DebugOpt = False,
) -> None:
    """Show what the workspace holds and whether its touchpoints are up to date.

    Lists every load (file, rows, rejects, the time span of its rows; --format json adds when
    it was loaded), the last match and its settings, and whether files were loaded since.

    Example:

        calltouch status --format json
    """
    with user_errors(debug):
        con = workspace.open_workspace(db, create=False, writes=False)
        try:
            info = workspace.status(con, db)
        finally:
            con.close()
        if fmt is TextFormat.json:
            stdout.out(json_text(info), highlight=False)
        else:
            stdout.print(views.status(info))


@app.command("export")
def export_command(
    ctx: typer.Context,
    what: Annotated[Export, typer.Argument(help="touchpoints, unmatched, rejects or report.")],
    output: Annotated[
        Path, _output_option("Where to write; .csv, .parquet or .json chooses the format.")
    ],
    db: DbOpt = Path(workspace.DEFAULT_DB),
    by: ByOpt = By.channel,
    since: SinceOpt = None,
    until: UntilOpt = None,
    status: StatusOpt = StatusChoice.all,
    top: TopOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write a workspace table (or the report's rows) to a file, atomically.

    --by, --since, --until, --status and --top apply to the report (given with a table,
    they are refused: a table is written whole).

    Examples:

        calltouch export touchpoints -o touchpoints.parquet

        calltouch export report --by campaign -o campaigns.csv
    """
    with user_errors(debug):
        refuse_folder_as_output(ctx, output, f"{what.value}.csv")
        fmt = format_of(output)
        refuse_workspace_as_output(output, db)
        report_only = _given(ctx, ("by", *CALLS_REPORT_OPTIONS))
        if what is not Export.report and report_only:
            raise UsageError(
                f"{', '.join(report_only)} {_verb(report_only, 'applies', 'apply')} to "
                f"export report, not to the {what.value} table, which is written whole",
                hint="Export the report's rows (calltouch export report -o FILE with these "
                "options), or the table whole and filter it where you read it.",
            )
        con = workspace.open_workspace(db, create=False, writes=False)
        try:
            refuse_loaded_file_as_output(con, output)
            workspace.require_match(con, db)
            note_if_stale(workspace.status(con, db))
            if what is Export.report:
                options = _report_options(by, since, until, status, top)
                with atomic_path(output) as tmp:
                    try:
                        queries.run(
                            con,
                            "export_report",
                            {**options.binds(), "top": options.top, "path": str(tmp)},
                            by=options.by,
                            fmt=fmt,
                        )
                    except QueryError as exc:  # a full disk (exit 5), as export_table says
                        raise OutputError(f"cannot write {output}: {exc.message}") from exc
            else:
                # as the last match saw them (a stale workspace: loads since are not in it)
                export_table(con, what.value, output, fmt, since=queries.stale_since(con))
        finally:
            con.close()
        stderr.print(Text(f"Wrote {what.value} to {shown_name(output)}", style="dim"))


@app.command()
def report(
    ctx: typer.Context,
    db: DbOpt = Path(workspace.DEFAULT_DB),
    by: ByOpt = By.channel,
    since: SinceOpt = None,
    until: UntilOpt = None,
    status: StatusOpt = StatusChoice.all,
    top: TopOpt = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table, csv, json, markdown or html (default: from -o's extension, else table).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[Path | None, _output_option("Write to FILE instead of stdout.")] = None,
    revenue: Annotated[
        bool,
        typer.Option(
            "--revenue",
            help="Report the revenue credited by --model (per channel, subchannel or campaign) "
            "with the calls' share, instead of calls.",
        ),
    ] = False,
    model: ModelOpt = Model.w_shaped,
    as_of: AsOfOpt = None,
    weights: WeightsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Report calls by channel, campaign, week... from the workspace, in any form; or, with
    --revenue, the revenue each channel earns under an attribution model.

    Every form (a rich table, CSV, JSON, Markdown, a self-contained HTML page) is rendered from
    the same rows: per group calls, merged, standalone, merge rate and share of calls, and the
    total; all but CSV (one table) add the top reasons calls did not merge. With --revenue: per
    group the opportunities and touchpoints credited, won revenue, pipeline, the calls' share and
    the share of won revenue; the HTML page adds the comparison with calls invisible (calltouch
    compare). --model, --as-of and --weights need --revenue; --since, --until, --status and
    --top do not apply to it.

    Examples:

        calltouch report --by campaign --top 10

        calltouch report --by week --since 2026-03-01 --format markdown

        calltouch report -o report.html

        calltouch report --revenue --model w-shaped --by subchannel --as-of 2026-03-31
    """
    with user_errors(debug):
        if output is not None:
            refuse_folder_as_output(ctx, output, "report.csv")
        chosen = fmt or _format_from(output)
        if output is not None:
            refuse_workspace_as_output(output, db)
        if revenue:
            calls_only = _given(ctx, CALLS_REPORT_OPTIONS)
            if calls_only:
                raise UsageError(
                    f"{', '.join(calls_only)} {_verb(calls_only, 'applies', 'apply')} to the "
                    "calls report, not to --revenue",
                    hint="A revenue report covers every opportunity; --as-of judges the open ones.",
                )
            _revenue_report(db, chosen, output, by, model, as_of, weights)
            return
        revenue_only = _given(ctx, REVENUE_OPTIONS)
        if revenue_only:
            raise UsageError(
                f"{', '.join(revenue_only)} {_verb(revenue_only, 'needs', 'need')} --revenue: "
                f"{_verb(revenue_only, 'it applies', 'they apply')} to the revenue report, not "
                "to the calls report",
                hint="Add --revenue to report the revenue each channel earns, or leave "
                f"{_verb(revenue_only, 'it', 'them')} out.",
            )
        options = _report_options(by, since, until, status, top)
        con = workspace.open_workspace(db, create=False, writes=False)
        try:
            if output is not None:
                refuse_loaded_file_as_output(con, output)
            workspace.require_match(con, db)
            note_if_stale(workspace.status(con, db))
            built = reporting.build(
                con, options, extras=chosen is ReportFormat.html, cells=_cells(chosen)
            )
            empty = _empty_scope_note(con, options, built)
        finally:
            con.close()
        if empty:
            stderr.print(Text(f"Note: {empty}", style="yellow"))
        if chosen is ReportFormat.table:
            _emit(views.report_table(built), output, "report", width=100)
        else:
            _emit(_render(built, chosen, str(db)), output, "report")


def _empty_scope_note(
    con: duckdb.DuckDBPyConnection, options: reporting.ReportOptions, built: reporting.Report
) -> str:
    """A note when --since, --until or --status leave no call in the report (no touchpoint,
    no unmatched task) while the workspace has touchpoints: a table of zeros read as "no
    calls" (a year mistyped), where the HTML page and the dashboard said the scope was empty.
    "" otherwise."""
    scoped = any((options.since, options.until, options.status != "all"))
    held = (built.headline["calls"] or 0) + (built.headline.get("unmatched") or 0)
    if held or not scoped:
        return ""
    whole = queries.fetch_dicts(con, "report_headline", reporting.ReportOptions().binds())[0]
    count = int(whole["calls"] or 0)
    if not count:
        return ""
    return (
        f"no call in this report's scope (--since, --until, --status); the workspace's "
        f"{count:,} touchpoint{'' if count == 1 else 's'} run from "
        f"{str(whole['first_call'])[:10]} to {str(whole['last_call'])[:10]}"
    )


# The options of report that only one of its two reports takes: given to the other, they are
# refused rather than ignored.
CALLS_REPORT_OPTIONS = ("since", "until", "status", "top")
REVENUE_OPTIONS = ("model", "as_of", "weights")


def _given(ctx: typer.Context, names: tuple[str, ...]) -> list[str]:
    """The flags of the options ``names`` given on the command line, in ``names``' order."""
    flags = {param.name: max(param.opts, key=len) for param in ctx.command.params}
    return [
        flags[name]
        for name in names
        if (source := ctx.get_parameter_source(name)) is not None and source.name == "COMMANDLINE"
    ]


def _verb(items: list[str], one: str, many: str) -> str:
    return one if len(items) == 1 else many


# How many stages the note on opportunities read as open names.
_STAGES_SHOWN = 5


def note_revenue_reading(con: duckdb.DuckDBPyConnection) -> None:
    """Say on stderr what of the revenue inputs' reading is a guess, or leaves nothing to
    attribute (after attribution.build): amounts in several currencies summed as one, an
    opportunity's status read from its stage alone, no contact for any opportunity."""
    note_currencies(con)
    guessed = attribution.open_by_stage(con)
    if guessed:
        total = sum(n for _, n in guessed)
        shown = ", ".join(
            f"{'IsWon false, no stage' if stage is None else repr(stage)} ({n:,})"
            for stage, n in guessed[:_STAGES_SHOWN]
        )
        more = len(guessed) - _STAGES_SHOWN
        shown += f" and {more:,} other stage(s)" if more > 0 else ""
        stderr.print(
            Text(
                printable(
                    f"Note: {total:,} opportunit{'y' if total == 1 else 'ies'} read as open "
                    f"(pipeline), with no IsClosed to say whether closed: {shown}. A stage "
                    "reads lost when it holds 'Closed', 'Lost' or 'Not Won'; for a custom one "
                    "that means closed (Disqualified), export IsClosed (or name it: --map "
                    "opportunities.is_closed=COLUMN).",
                    lines=True,
                ),
                style="yellow",
            )
        )
    without, opportunities, roles, roles_read = attribution.contactless(con)
    if opportunities and without == opportunities and roles == 0:
        itself = "no opportunity names its contact itself (a warehouse export's PRIMARY_CONTACT_ID)"
        if roles_read:
            # the user gave the roles: telling them to load the export sends them the wrong way
            read = (
                f"all {roles_read:,} contact role rows read were rejected or deleted records"
                if roles_read > 1
                else "the one contact role row read was rejected or a deleted record"
            )
            cause = (
                f"{read}, and {itself}. Mend the rows the rejects list (each with its line "
                "and error), or export the OpportunityContactRole records again."
            )
        else:
            cause = (
                f"no contact roles are loaded and {itself}. Load the OpportunityContactRole "
                "export: calltouch load contact-roles FILE (or --contact-roles FILE with files)."
            )
        stderr.print(
            Text(
                f"Note: no opportunity has a contact, so none can be attributed: {cause}",
                style="yellow",
            )
        )


def note_currencies(con: duckdb.DuckDBPyConnection) -> None:
    """Say on stderr when the opportunities' amounts are in several currencies: attribution
    sums them as they are, as one currency."""
    found = attribution.currencies(con)
    if len(found) > 1:
        stderr.print(
            Text(
                f"Note: the opportunities' amounts are in {len(found)} currencies "
                f"({', '.join(found)}) and are summed here as they are, as one: attribute a "
                "converted amount instead (a report's 'Amount (converted)': --map "
                "opportunities.amount=COLUMN; a column in one currency with no '<column> "
                "Currency' beside it also wants --map opportunities.currency=), or one "
                "currency's opportunities at a time.",
                style="yellow",
            )
        )


def _revenue_report(
    db: Path,
    chosen: ReportFormat,
    output: Path | None,
    by: By,
    model: Model,
    as_of: str | None,
    weights: str | None,
) -> None:
    """``report --revenue``: build the attribution on the workspace and render one model."""
    settings = attribution_settings(as_of, weights)
    settings.require_model(model.key)
    settings.refuse_unused_weights([model.key])
    options = reporting.RevenueOptions(
        model=model.key,
        by=by.value,
        as_of=settings.as_of,
        weights=None if settings.weights is None else settings.weights.describe(),
    )
    con = workspace.open_workspace(db, create=False, writes=False)
    try:
        if output is not None:
            refuse_loaded_file_as_output(con, output)
        workspace.require_match(con, db)
        info = workspace.status(con, db)
        note_if_stale(info)
        note_unread_columns(info)
        where, hint = f"the workspace {db}", f"{attribution.LOAD_OPPORTUNITIES}."
        attribution.require_opportunities(con, where, hint, built=False)
        attribution.build(con, settings)
        attribution.require_opportunities(con, where, hint)
        note_revenue_reading(con)
        built = reporting.build_revenue(
            con, options, compare=chosen is ReportFormat.html, cells=_cells(chosen)
        )
    finally:
        con.close()
    if chosen is ReportFormat.table:
        _emit(views.revenue_table(built), output, "revenue report", width=120)
        return
    if chosen is ReportFormat.csv:
        text = reporting.revenue_to_csv(built)
    elif chosen is ReportFormat.json:
        text = reporting.revenue_to_json(built)
    elif chosen is ReportFormat.markdown:
        text = reporting.revenue_to_markdown(built)
    else:
        from calltouch.html_report import render_revenue_html

        text = render_revenue_html(built, source=str(db))
    _emit(text, output, "revenue report")


def refuse_folder_as_output(ctx: typer.Context, output: Path, example: str) -> None:
    """Refuse -o written with a trailing slash (``-o exports/``): report and export write one
    file, and a file named as the folder (``exports``, the slash dropped) was written."""
    if meant_folder(ctx, output):
        raise UsageError(
            f"-o {output}/ names a folder, but -o is the file to write",
            hint=f"Name the file, e.g. -o {output}/{example} (its extension chooses the format).",
        )


def refuse_workspace_as_output(output: Path, db: Path) -> None:
    """Refuse an output file that is the workspace itself (or its write-ahead log): writing
    it would replace the workspace with the export."""
    target = output.expanduser().resolve()
    workspace_file = db.expanduser().resolve()
    if target in (workspace_file, workspace_file.with_name(workspace_file.name + ".wal")):
        raise UsageError(
            f"the output {output} is the workspace --db {db}: writing it would replace the "
            "workspace",
            hint="Write the output to another file (or folder), or name the workspace otherwise.",
        )


def refuse_loaded_file_as_output(
    con: duckdb.DuckDBPyConnection, *outputs: Path, hint: str = "Write the output to another file."
) -> None:
    """Refuse an output file that is one of the exports the workspace loaded: writing it
    would replace that export with the output. Each load records the file's absolute path
    (``full_path``), compared as a file (samefile), and its content's sha256, compared with
    the output's: an export is told wherever it was loaded from, also after it grew. A load
    by an older calltouch has only the path as named, compared from the current folder. The
    loads are read once for all ``outputs``, and only when one of them exists."""
    existing = [output for output in outputs if output.exists()]
    if not existing:
        return
    full = queries.has_column(con, "loads", "full_path")
    loaded = queries.run(con, "loaded_paths", full_path=full).fetchall()
    for output in existing:
        output_digest: str | None = None  # the output's sha256, computed once, when needed
        for role, path, digest, full_path in loaded:
            try:
                same = os.path.samefile(full_path or path, output)
            except OSError:  # moved or removed since
                same = False
            if not same:
                if output_digest is None:
                    try:
                        output_digest = workspace.content_hash(output) if output.is_file() else ""
                    except OSError:  # not readable: no export's content can be compared
                        output_digest = ""
                same = digest == output_digest
            if same:
                raise UsageError(
                    f"the output {output} is the {role} export {path} this workspace loaded: "
                    "writing it would replace that export",
                    hint=hint,
                )


def note_if_stale(info: dict[str, Any]) -> str | None:
    """From a workspace.status, say on stderr when the touchpoints no longer reflect what is
    loaded; return why."""
    reason = workspace.stale_reason(info)
    if reason:
        stderr.print(
            Text(
                f"Note: the workspace is stale ({reason}); {workspace.stale_figures(reason)}. "
                f"To bring them up to date, {workspace.stale_remedy(reason)}.",
                style="yellow",
            )
        )
    return reason


def note_unread_columns(info: dict[str, Any]) -> None:
    """From a workspace.status, name the files an earlier calltouch loaded without a field
    this one reads (HAS_FORM, a deleted flag), as match and status do: the attribution
    commands' Web Form credit differs for them, which a weekly attribute job never heard of."""
    for note in info.get("unread_columns") or []:
        stderr.print(Text(printable(f"Note: {note}", lines=True), "yellow"))


def _emit(
    content: RenderableType | str, output: Path | None, what: str, *, width: int = 100
) -> None:
    """Print a report on stdout, or write it to ``output`` atomically: rich renderables as
    plain text ``width`` wide, text as it is (on stdout too: the bytes of ``-o``'s file, a
    CR or BEL in a label kept, which rich would strip), but on a terminal, which a label's
    escape sequence would drive (a CSV's ESC]0;title BEL set its title, ESC[2J cleared it),
    with each control character as its sign (:func:`calltouch.text.printable`)."""
    if output is None:
        if isinstance(content, str):
            if sys.stdout.isatty():  # CSV's CRLF ends lines: not a CR to show
                content = printable(content.replace("\r\n", "\n"), lines=True)
            sys.stdout.write(content)
            sys.stdout.flush()
        else:
            stdout.print(content)
        return
    with atomic_path(output, by_duckdb=False) as tmp, tmp.open("w", encoding="utf-8") as handle:
        if isinstance(content, str):
            handle.write(content)
        else:
            Console(file=handle, width=width, color_system=None).print(content)
    stderr.print(Text(f"Wrote the {what} to {shown_name(output)}", style="dim"))


def _cells(chosen: ReportFormat) -> reporting.Cells:
    """How the report queries write labels for the form ``chosen``: CSV neutralises them."""
    return "csv" if chosen is ReportFormat.csv else "json"


def _format_from(output: Path | None) -> ReportFormat:
    if output is None:
        return ReportFormat.table
    suffix = output.suffix.lower()
    by_suffix = {
        ".csv": ReportFormat.csv,
        ".json": ReportFormat.json,
        ".md": ReportFormat.markdown,
        ".markdown": ReportFormat.markdown,
        ".html": ReportFormat.html,
        ".htm": ReportFormat.html,
        ".txt": ReportFormat.table,
    }
    if suffix not in by_suffix:
        raise UsageError(
            f"cannot tell the report format from {output}",
            hint="Pass --format, or name the file .csv, .json, .md, .html or .txt.",
        )
    return by_suffix[suffix]


def _render(built: reporting.Report, fmt: ReportFormat, source: str) -> str:
    if fmt is ReportFormat.csv:
        return reporting.to_csv(built)
    if fmt is ReportFormat.json:
        return reporting.to_json(built)
    if fmt is ReportFormat.markdown:
        return reporting.to_markdown(built)
    from calltouch.html_report import render_html

    return render_html(built, source=source)


@app.command("explain")
def explain_command(
    ctx: typer.Context,
    task_id: Annotated[str, typer.Argument(help="The task (call) id; 15 or 18 characters.")],
    db: DbOpt = Path(workspace.DEFAULT_DB),
    tasks: Annotated[
        list[str] | None,
        typer.Option(
            "--tasks", metavar="FILE", help="Explain from these task files instead of --db."
        ),
    ] = None,
    sessions: Annotated[
        list[str] | None,
        typer.Option("--sessions", metavar="FILE", help="The session files to use with --tasks."),
    ] = None,
    window: WindowOpt = "30m",
    per_session: PerSessionOpt = PerSession.one,
    tz: TzOpt = "UTC",
    tasks_tz: TasksTzOpt = None,
    sessions_tz: SessionsTzOpt = None,
    maps: MapOpt = None,
    profile: ProfileOpt = None,
    encoding: EncodingOpt = None,
    date_order: DateOrderOpt = None,
    fmt: Annotated[TextFormat, typer.Option("--format", "-f", help="table or json.")] = (
        TextFormat.table
    ),
    debug: DebugOpt = False,
) -> None:
    """Explain why a call was, or was not, linked to a web session, and what would change it.

    Shows the call's BizibleId and time (and the field the time came from), the sessions of that
    BizibleId nearest before and after the call, the rule that decided (R1-R6), the touchpoint,
    and advice such as "a 48m window would merge it".
    Works on the workspace or on files. The options that read files (--window,
    --per-session, the zones, --map, --profile, --encoding, --date-order) apply with the files
    only: on the workspace its last match's settings hold, and giving them is refused.

    Examples:

        calltouch explain 00T5e0000kBRaogEAD

        calltouch explain 00T5e0000kBRaog --tasks tasks.csv --sessions sessions.csv --format json
    """
    with user_errors(debug):
        task_spec, session_spec = one_file("--tasks", tasks), one_file("--sessions", sessions)
        if (task_spec is None) != (session_spec is None):
            raise UsageError(
                "--tasks and --sessions go together",
                hint="Give both to explain from files, or neither to explain from the "
                "workspace (--db).",
            )
        if task_spec is not None and session_spec is not None:
            refuse_db_with_files(ctx)
            settings = _settings(
                window,
                per_session,
                tz,
                tasks_tz,
                sessions_tz,
                maps,
                profile=profile,
                encoding=encoding,
                date_order=date_order,
                reads=("tasks", "sessions"),
            )
            # read as run reads them: the form flag, which explaining a call never uses, is not
            # read (an unreadable one stops a load, never a run)
            maps = {**settings.maps, "sessions": {**settings.maps["sessions"], "has_form": ""}}
            settings = replace(settings, maps=maps)
            con = _connect()
            try:
                with tempfile.TemporaryDirectory(prefix="calltouch-explain-") as workdir:
                    _, settings = load_inputs(con, task_spec, session_spec, settings, Path(workdir))
                match(con, settings)
                facts = explaining.explain(
                    con,
                    task_id,
                    window_us=settings.window_us,
                    where=task_spec,
                    per_session=settings.per_session,
                )
                # run stops on files with too many rejected rows: the touchpoint explained
                # is then what run writes only with a higher --max-rejects
                try:
                    check_rejects(con, summarize(con, settings_summary(settings)), "1%")
                except TooManyRejectsError as exc:
                    facts["run_stops"] = exc.message
                    facts["advice"].insert(
                        0,
                        f"run stops on these files (exit 3) and writes no touchpoints: "
                        f"{exc.message.rstrip('.')}. What follows is what it writes when told to "
                        "go on without those rows (a higher --max-rejects).",
                    )
            finally:
                con.close()
        else:
            refuse_file_options(ctx, "the loads and the settings of its last match")
            con = workspace.open_workspace(db, create=False, writes=False)
            try:
                workspace.require_current_match(con, db)
                info = workspace.status(con, db)
                used = info["last_match"]  # require_current_match: there is one
                facts = explaining.explain(
                    con,
                    task_id,
                    window_us=parse_window(used["window"]),
                    where=f"the workspace {db}",
                    per_session=used["per_session"],
                )
                stale = note_if_stale(info)
                if stale:
                    facts["stale"] = stale
            finally:
                con.close()
        if fmt is TextFormat.json:
            stdout.out(json_text(facts), highlight=False)
        else:
            stdout.print(views.explanation(facts))


@app.command("sql")
def sql_command(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(help="A template to print; leave out to list them all.", show_default=False),
    ] = None,
    render: Annotated[
        bool, typer.Option("--render", help="Render it with the options below (Jinja applied).")
    ] = False,
    window: WindowOpt = "30m",
    per_session: PerSessionOpt = PerSession.one,
    by: ByOpt = By.channel,
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="csv|parquet|json", help="Export format.")
    ] = "csv",
    debug: DebugOpt = False,
) -> None:
    """List calltouch's SQL templates, or print one (rendered with --render) to audit or reuse.

    Rendered SQL runs as printed: its bind parameters ($window_us, $since, ...) are set as
    DuckDB variables at its top (SET VARIABLE), from the options below ($window_us from
    --window) or the commands' defaults; change them there. An export's output path,
    out.csv (by --format), is written into its COPY at the bottom. Templates that run one
    after another take the same options: match, then touchpoints, both with --window 45m.

    Examples:

        calltouch sql

        calltouch sql match --render --window 45m
    """
    with user_errors(debug):
        given = _given(ctx, ("window", "per_session", "by", "fmt"))
        if given and not (render and name):
            # printed as written, or listed: the options would change nothing
            if render:
                hint = "Name the template to render (calltouch sql lists them)."
            else:
                hint = f"Add --render to render the template with {_verb(given, 'it', 'them')}" + (
                    ", and name one (calltouch sql lists them)." if name is None else "."
                )
            raise UsageError(
                f"{', '.join(given)} {_verb(given, 'is', 'are')} for sql NAME --render only",
                hint=hint,
            )
        if name is None:
            table = Table(box=None, pad_edge=False, show_header=True)
            table.add_column("Template", style="bold", no_wrap=True)
            table.add_column("Purpose")
            for template in queries.template_names():
                table.add_row(template, Text(queries.info(template).purpose))
            stdout.print(table)
            return
        if name not in queries.template_names():
            raise UsageError(
                f"no SQL template named {name!r}",
                hint="calltouch sql lists them (e.g. match, report_groups, export_touchpoints).",
            )
        info = queries.info(name)
        if not render:
            text = info.path.read_text(encoding="utf-8")
        else:
            context, binds = _render_inputs(name, window, per_session, by.value, fmt)
            head, body = _runnable(queries.render(name, **context), info.binds, binds)
            if name != "session_setup" and re.search(r"\bct_\w+\(", body):
                # the ct_ macros are TEMP: each DuckDB session of calltouch's makes them
                head += (
                    "-- uses calltouch's ct_ macros: run the output of "
                    "`calltouch sql session_setup` first, in the same DuckDB session\n"
                )
            text = head + body
        if stdout.is_terminal:
            # highlighted, but the same text as redirected: no line breaks or padding of its
            # own (a wrapped comment's tail became SQL, a wrapped string literal matched
            # nothing), the terminal folds the long lines; copied, the query runs as printed
            highlighted = Syntax(text, "sql").highlight(text)
            highlighted.rstrip()
            stdout.print(highlighted, soft_wrap=True)
        else:
            stdout.out(text, highlight=False, end="")


# The values sql --render sets for binds the options do not give: the commands' defaults
# (report's whole range and every status, --top none, report --revenue's model, attribute's
# model weights without --weights; its --as-of, today in UTC, is set when rendering).
_RENDER_DEFAULTS: dict[str, object] = {
    "since": None,
    "until": None,
    "status": "all",
    "top": None,
    "model": Model.w_shaped.key,
    "custom": False,
    "custom_weights": [0] * len(attribution.WEIGHT_KEYS),
    # the reject texts some counts recognise (calltouch.load and csvscan): fixed values
    "deleted_errors": list(DELETED_ERRORS),
    "quote_errors": list(QUOTE_ERRORS),
    "counted_only": False,  # reject_examples: inspect's list, deleted records included
}


def _runnable(body: str, names: Iterable[str], values: dict[str, object]) -> tuple[str, str]:
    """A rendered template made to run as printed in any DuckDB session: each bind parameter
    set as a variable at its top (SET VARIABLE, read by getvariable) with the value the
    options give, else the commands' default, else NULL to fill in; the path a COPY writes
    (which takes no expression) written in as its text. A multi-statement script with $name
    parameters ran nowhere: DuckDB binds parameters only in a script's last statement."""
    lines = []
    defaults = {**_RENDER_DEFAULTS, "as_of": attribution.parse_as_of(None).isoformat()}
    for name in sorted(names):
        if not re.search(rf"\${name}\b", body):
            continue  # a bind of another branch than the one rendered (a stale workspace's)
        given = name in values or name in defaults
        value = values[name] if name in values else defaults.get(name)
        reads = re.search(r"\bread_(parquet|csv)\(\$path\b", body) if name == "path" else None
        if name == "path" and (reads or re.search(r"\bTO \$path\b", body)):
            # a COPY's target or a reader's file takes no expression: written in as text
            if reads:  # the file a query reads (describe_parquet): the reader's to name
                value = f"FILE.{reads.group(1)}"
                lines.append(f"-- {_sql_literal(value)} below: the file it reads, to name\n")
            literal = _sql_literal(value)
            body = re.sub(r"\$path\b", lambda _, text=literal: text, body)
            continue
        if name == "path":  # a value a query records (add_load): not the export's path
            value, given = None, False
        note = "" if given else "  -- give it a value"
        # quoted: a parameter named as a keyword (limit) is a syntax error bare
        lines.append(f'SET VARIABLE "{name}" = {_sql_literal(value)};{note}\n')
        body = re.sub(rf"\${name}\b", f"getvariable('{name}')", body)
    return "".join(lines), body


def _sql_literal(value: object) -> str:
    """``value`` as a DuckDB literal (sql --render's variables)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_sql_literal(item) for item in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def _render_inputs(
    name: str, window: str, per_session: PerSession, by: str, fmt: str
) -> tuple[dict[str, object], dict[str, object]]:
    """Template context and illustrative bind values for ``sql NAME --render``."""
    if fmt not in ("csv", "parquet", "json"):
        raise UsageError(f"--format {fmt!r} is not csv, parquet or json")
    from calltouch.pipeline import MATCH_STRATEGY

    options = {
        "strategy": MATCH_STRATEGY,  # the match strategy calltouch uses
        "per_session": per_session.value,
        "repeated_keys": False,  # a workspace keeps every session row: R9 finds its copies
        "copies_ready": False,
        "by": by,
        "fmt": fmt,
        "to_file": True,
        "raw_names": [],
        "table": "task_rows",
        "rejects_table": "reject_errors",
        "release": False,  # the workspace's match keeps its session tables
        "packed_details": False,  # and keeps a column per session detail
        "stale": False,  # rejects of a workspace matched since its last load
        "matched_only": False,  # likewise: nothing loaded since the last match
        "by_key": False,  # explain_task: the sessions compared by their cookie's text
        "full_path": True,  # loaded_paths: each load records the file's absolute path
        "task_copies": False,  # overruled_copies: a later session than match's finds them
    }
    if name == "revenue_groups" and by not in reporting.REVENUE_BY:
        # att_credit carries the channel, subchannel and campaign only (report --revenue)
        raise UsageError(
            f"revenue_groups groups by {', '.join(reporting.REVENUE_BY)}, not --by {by}",
            hint=f"Render it with --by {' or --by '.join(reporting.REVENUE_BY)}.",
        )
    binds: dict[str, object] = {
        "window_us": parse_window(window),
        "path": f"out.{fmt}",
        "per_session": per_session.value,  # add_match_run records it
    }
    wanted = queries.info(name).context
    missing = sorted(wanted - set(options))
    if missing and name.startswith("generate"):
        raise UsageError(
            f"{name} is rendered from calltouch generate's choices ({', '.join(missing)}), "
            "not from sql's options",
            hint="Print it without --render to read it.",
        )
    if missing:
        raise UsageError(
            f"{name} is rendered from a file's columns ({', '.join(missing)}), not from options",
            hint="Print it without --render, or see what a file gives with calltouch inspect.",
        )
    used = {k: v for k, v in binds.items() if k in queries.info(name).binds}
    return {k: options[k] for k in wanted}, used


@app.command("dashboard")
def dashboard_command(
    db: DbOpt = Path(workspace.DEFAULT_DB),
    watch: Annotated[
        bool, typer.Option("--watch", help="Redraw whenever the workspace changes.")
    ] = False,
    by: ByOpt = By.channel,
    since: SinceOpt = None,
    until: UntilOpt = None,
    status: StatusOpt = StatusChoice.all,
    debug: DebugOpt = False,
) -> None:
    """A one-screen terminal dashboard of the workspace; q or Ctrl-C quits.

    Headline counts, calls and merge rate by channel with bars, a weekly sparkline of calls,
    top campaigns and the top reasons calls did not merge. --watch redraws when the workspace
    file changes (after a load or a match in another terminal).

    Examples:

        calltouch dashboard

        calltouch dashboard --watch
    """
    from calltouch import dashboard

    with user_errors(debug):
        options = _report_options(by, since, until, status, None)
        # a missing or unreadable workspace is an error before any drawing (exit 2), and so,
        # drawn once, is one with nothing to show (never matched, a table of its match lost),
        # as for report; --watch shows such states and later failures on screen and goes on,
        # as it does a workspace another program holds (a long match in another terminal)
        try:
            con = workspace.open_workspace(db, create=False, read_only=True)
        except WorkspaceInUseError:
            if not watch:
                raise
        else:
            try:
                if not watch:
                    workspace.require_match(con, db)
            finally:
                con.close()

        def load_report() -> reporting.Report | None:
            con = workspace.open_workspace(db, create=False, read_only=True)
            try:
                if not queries.has_table(con, "touchpoints"):
                    return None
                built = reporting.build(con, options, extras=True)
                built.stale = workspace.stale_reason(workspace.status(con, db)) or ""
                return built
            finally:
                con.close()  # never hold the file between redraws: `load` must be able to write

        def changed() -> object:
            stats: list[tuple[int, int] | None] = []
            for path in (db, db.with_name(db.name + ".wal")):
                try:
                    info = path.stat()
                    stats.append((info.st_mtime_ns, info.st_size))
                except FileNotFoundError:
                    stats.append(None)
            return tuple(stats)

        # drawn once, a report that cannot be read (a damaged workspace) is the command's
        # error (exit 2), as for report: shown in the frame, it exited 0
        drawn = None if watch else load_report()
        dashboard.run(
            load_report if watch else lambda: drawn,
            watch=watch,
            console=StdoutConsole(),
            changed=changed,
            source=str(db),
        )

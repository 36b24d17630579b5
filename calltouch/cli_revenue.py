"""The revenue commands of the CLI: attribute, journey, compare.

Thin like the rest of the CLI: options are parsed and validated here, attribution.py computes
(in SQL), views.py renders. Each command works on the workspace (``--db``, after ``calltouch
load opportunities|contact-roles|people``) or, with ``--tasks --sessions --opportunities``, on
files. Registered on the one Typer app of calltouch.cli.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.text import Text

from calltouch import attribution, reporting, views, workspace
from calltouch.attribution import NO_REJECTS_FILE
from calltouch.cli import (
    DateOrderOpt,
    DebugOpt,
    EncodingOpt,
    MapOpt,
    MaxRejectsOpt,
    MemoryOpt,
    OutputFormat,
    PerSession,
    PerSessionOpt,
    ProfileOpt,
    QuietOpt,
    SessionsTzOpt,
    TasksTzOpt,
    TempDirOpt,
    ThreadsOpt,
    TzOpt,
    WindowOpt,
    _connect,
    _settings,
    app,
    meant_folder,
    one_file,
    print_removed,
    progress,
    refuse_db_with_files,
    refuse_file_options,
    stderr,
    stdout,
    user_errors,
)
from calltouch.cli_workspace import (
    AsOfOpt,
    DbOpt,
    Model,
    TextFormat,
    WeightsOpt,
    attribution_settings,
    note_if_stale,
    note_revenue_reading,
    note_unread_columns,
    refuse_loaded_file_as_output,
    refuse_workspace_as_output,
)
from calltouch.errors import TooManyRejectsError, UsageError
from calltouch.inputs import Role, refuse_out_among_inputs
from calltouch.outputs import (
    OUT_FOLDER_HINT,
    export_table,
    json_text,
    previous_outputs,
    refuse_folder_targets,
    remove_previous,
)
from calltouch.pipeline import SEE_REJECTS
from calltouch.text import printable


class FilesArgs:
    """The inputs of a files-mode command, or none (the workspace)."""

    def __init__(
        self,
        tasks: list[str] | None,
        sessions: list[str] | None,
        opportunities: list[str] | None,
        contact_roles: list[str] | None,
        people: list[str] | None,
    ) -> None:
        self.tasks = one_file("--tasks", tasks)
        self.sessions = one_file("--sessions", sessions)
        self.revenue: dict[Role, str | None] = {
            "opportunities": one_file("--opportunities", opportunities),
            "contact_roles": one_file("--contact-roles", contact_roles),
            "people": one_file("--people", people),
        }

    @property
    def given(self) -> bool:
        """Whether any input file was named (files mode)."""
        return any(v is not None for v in (self.tasks, self.sessions, *self.revenue.values()))

    def check(self) -> None:
        """Files mode needs tasks, sessions and opportunities together."""
        missing = [
            option
            for option, value in (
                ("--tasks", self.tasks),
                ("--sessions", self.sessions),
                ("--opportunities", self.revenue["opportunities"]),
            )
            if value is None
        ]
        if missing:
            raise UsageError(
                f"on files, attribution needs --tasks, --sessions and --opportunities; "
                f"missing {', '.join(missing)}",
                hint="Or leave every file option out to use the workspace (--db).",
            )


TasksOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tasks", metavar="FILE", help="Task export(s): use files instead of the workspace."
    ),
]
SessionsOpt = Annotated[
    list[str] | None,
    typer.Option("--sessions", metavar="FILE", help="Session export(s), with --tasks."),
]
OpportunitiesOpt = Annotated[
    list[str] | None,
    typer.Option("--opportunities", metavar="FILE", help="Opportunity export(s), with --tasks."),
]
ContactRolesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--contact-roles",
        metavar="FILE",
        help="OpportunityContactRole export(s) (optional; without them the opportunities' "
        "primary contact and converted lead columns link people).",
    ),
]
PeopleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--people",
        metavar="FILE",
        help="Lead/Contact export(s) with BizibleId and ConvertedContactId (optional).",
    ),
]


@contextmanager
def attributed(
    ctx: typer.Context,
    db: Path,
    files: FilesArgs,
    settings: attribution.AttributionSettings,
    *,
    window: str = "30m",
    per_session: PerSession = PerSession.one,
    tz: str = "UTC",
    tasks_tz: str | None = None,
    sessions_tz: str | None = None,
    maps: list[str] | None = None,
    profile: list[str] | None = None,
    encoding: list[str] | None = None,
    date_order: object = None,
    max_rejects: str = "1%",
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_dir: Path | None = None,
    quiet: bool = True,
    rejects_to: Path | None = None,
    scope: str | None = None,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """A connection with the attribution built, from files or the workspace, and a description
    of where it came from; closed afterwards. On files, when too many rows are rejected, the
    rejects are written to ``rejects_to`` (a folder) before the error goes up. On the
    workspace, options of ``ctx``'s command that only say how to read files are refused.
    ``scope``: an opportunity's or a person's id, whose journey alone is built (journey)."""
    if files.given:
        files.check()
        refuse_db_with_files(ctx, "--tasks, --sessions and --opportunities")
        run_settings = _settings(
            window,
            per_session,
            tz,
            tasks_tz,
            sessions_tz,
            maps,
            profile=profile,
            encoding=encoding,
            date_order=date_order,  # type: ignore[arg-type]
            max_rejects=max_rejects,
        )
        con = _connect(threads, memory_limit, temp_dir)
        where = str(files.revenue["opportunities"])
        try:
            try:
                with progress(quiet):
                    read = attribution.prepare_files(
                        con,
                        str(files.tasks),
                        str(files.sessions),
                        files.revenue,
                        run_settings,
                    )
                    attribution.build(con, settings, scope=scope)
                attribution.check_inputs(con, max_rejects, rejects_file=rejects_to is not None)
                for loaded in read:  # as run and load say them: what the reading chose
                    for note in loaded.said():
                        stderr.print(Text(printable(f"Note: {note}", lines=True), "yellow"))
                note_revenue_reading(con)
            except TooManyRejectsError as exc:
                if rejects_to is None and exc.hint and exc.hint.startswith(SEE_REJECTS):
                    exc.hint = NO_REJECTS_FILE + exc.hint[len(SEE_REJECTS) :]
                if rejects_to is not None:
                    export_table(con, "rejects", rejects_to / "rejects.csv", "csv")
                    # an earlier run's outputs beside these rejects would pass for this run's
                    stale = previous_outputs(rejects_to, attribution.OUTPUTS)
                    exc.hint = (exc.hint or "") + remove_previous(stale)
                raise
            attribution.require_opportunities(
                con,
                where,
                hint="It holds a header and no rows: export the opportunities again (a report "
                "whose filters left none?).",
            )
            yield con, where
        finally:
            con.close()
        return
    refuse_file_options(
        ctx,
        "its loads and the touchpoints of its last match",
        files="--tasks, --sessions and --opportunities",
    )
    con = workspace.open_workspace(
        db,
        create=False,
        writes=False,
        threads=threads,
        memory_limit=memory_limit,
        temp_directory=temp_dir,
    )
    where = f"the workspace {db}"
    try:
        workspace.require_match(con, db)
        info = workspace.status(con, db)
        note_if_stale(info)
        note_unread_columns(info)
        attribution.require_opportunities(con, where, built=False)
        with progress(quiet):
            attribution.build(con, settings, scope=scope)
        attribution.require_opportunities(con, where)
        note_revenue_reading(con)
        yield con, where
    finally:
        con.close()


@app.command()
def attribute(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Folder for attribution, revenue_by_channel and unattributed.",
        ),
    ],
    db: DbOpt = Path(workspace.DEFAULT_DB),
    tasks: TasksOpt = None,
    sessions: SessionsOpt = None,
    opportunities: OpportunitiesOpt = None,
    contact_roles: ContactRolesOpt = None,
    people: PeopleOpt = None,
    as_of: AsOfOpt = None,
    weights: WeightsOpt = None,
    model: Annotated[
        Model, typer.Option("--model", help="The model whose revenue by channel is printed.")
    ] = Model.w_shaped,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="File format of the outputs.")
    ] = OutputFormat.csv,
    window: WindowOpt = "30m",
    per_session: PerSessionOpt = PerSession.one,
    tz: TzOpt = "UTC",
    tasks_tz: TasksTzOpt = None,
    sessions_tz: SessionsTzOpt = None,
    maps: MapOpt = None,
    profile: ProfileOpt = None,
    encoding: EncodingOpt = None,
    date_order: DateOrderOpt = None,
    max_rejects: MaxRejectsOpt = "1%",
    threads: ThreadsOpt = None,
    memory_limit: MemoryOpt = None,
    temp_dir: TempDirOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Attribute opportunities to touchpoints with Marketo Measure's six models and write the
    revenue by channel.

    Builds each opportunity's journey (its contacts' calls, web forms and first visit up to its
    close date, or --as-of when open), marks FT, LC, OC, CW and middle touches, and writes
    **attribution** (one row per opportunity and touchpoint with each model's share),
    **revenue_by_channel** and **unattributed** into --out.
    Works on the workspace or on files. The options that read files (--window,
    --per-session, the zones, --map, --profile, --encoding, --date-order) apply with the files
    only: on the workspace its last match's settings hold, and giving them is refused.

    Examples:

        calltouch attribute --out revenue/ --as-of 2026-03-31

        calltouch attribute --tasks t.csv --sessions s.csv --opportunities o.csv \\
            --contact-roles r.csv -o out/

        calltouch attribute --out revenue/ --weights ft=.2,lc=.2,oc=.2,cw=.3,middle=.1
    """
    with user_errors(debug):
        settings = attribution_settings(as_of, weights)
        settings.require_model(model.key)
        files = FilesArgs(tasks, sessions, opportunities, contact_roles, people)
        refuse_out_among_inputs(
            out,
            {"tasks": files.tasks, "sessions": files.sessions, **files.revenue},
            (*attribution.OUTPUTS, "rejects"),
            meant_folder=meant_folder(ctx, out),
        )
        targets = [out / f"{name}.{fmt.value}" for name in (*attribution.OUTPUTS, "rejects")]
        targets.append(out / "rejects.csv")  # too many rejects: written as CSV whatever -f
        refuse_folder_targets(targets, OUT_FOLDER_HINT)
        if not files.given:  # on the workspace: never write over it
            for target in targets:
                refuse_workspace_as_output(target, db)
        with attributed(
            ctx,
            db,
            files,
            settings,
            window=window,
            per_session=per_session,
            tz=tz,
            tasks_tz=tasks_tz,
            sessions_tz=sessions_tz,
            maps=maps,
            profile=profile,
            encoding=encoding,
            date_order=date_order,
            max_rejects=max_rejects,
            threads=threads,
            memory_limit=memory_limit,
            temp_dir=temp_dir,
            quiet=quiet,
            rejects_to=out,
        ) as (con, _):
            if not files.given:  # nor over an export it loaded (written, or the other format's)
                refuse_loaded_file_as_output(
                    con,
                    *previous_outputs(out, attribution.OUTPUTS),
                    hint="Write the outputs to another folder (--out).",
                )
            written, removed = attribution.write_outputs(
                con,
                out,
                fmt.value,  # type: ignore[arg-type]
                with_rejects=files.given,
                replace_other_format=True,
            )
            if not quiet:
                stdout.print(views.attribution_overview(attribution.overview(con, settings)))
                options = reporting.RevenueOptions(
                    model=model.key,
                    as_of=settings.as_of,
                    weights=None if settings.weights is None else settings.weights.describe(),
                )
                stdout.print(views.revenue_table(reporting.build_revenue(con, options)))
        stderr.print(Text(f"Wrote {', '.join(p.name for p in written.values())} to {out}", "dim"))
        print_removed([p.name for p in removed], out)


@app.command()
def journey(
    ctx: typer.Context,
    ident: Annotated[
        str,
        typer.Argument(
            metavar="PERSON_OR_OPPORTUNITY_ID",
            help="An opportunity id, or a lead/contact id (15 or 18 characters).",
        ),
    ],
    db: DbOpt = Path(workspace.DEFAULT_DB),
    tasks: TasksOpt = None,
    sessions: SessionsOpt = None,
    opportunities: OpportunitiesOpt = None,
    contact_roles: ContactRolesOpt = None,
    people: PeopleOpt = None,
    as_of: AsOfOpt = None,
    weights: WeightsOpt = None,
    window: WindowOpt = "30m",
    per_session: PerSessionOpt = PerSession.one,
    tz: TzOpt = "UTC",
    tasks_tz: TasksTzOpt = None,
    sessions_tz: SessionsTzOpt = None,
    maps: MapOpt = None,
    profile: ProfileOpt = None,
    encoding: EncodingOpt = None,
    date_order: DateOrderOpt = None,
    max_rejects: MaxRejectsOpt = "1%",
    fmt: Annotated[TextFormat, typer.Option("--format", "-f", help="table or json.")] = (
        TextFormat.table
    ),
    as_person: Annotated[
        bool,
        typer.Option(
            "--person",
            help="Read the id as a lead/contact id, where an opportunity has the same id.",
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Show one opportunity's journey, or one person's path, with positions and model shares.

    For an opportunity: its touchpoints in time order with type, channel, positions (FT, LC,
    PostLC, OC, CW, middle) and each model's share, and the models that leave it unattributed.
    For a person (a converted lead shows as its contact): their touchpoints and, per
    opportunity they are a contact of, the share their touchpoints earn.
    Works on the workspace or on files. The options that read files (--window,
    --per-session, the zones, --map, --profile, --encoding, --date-order) apply with the files
    only: on the workspace its last match's settings hold, and giving them is refused.

    Examples:

        calltouch journey 0065e00000e9cs3AAA --as-of 2026-03-31

        calltouch journey 00Q5e00000c0X7fEAE --format json
    """
    with user_errors(debug):
        settings = attribution_settings(as_of, weights)
        files = FilesArgs(tasks, sessions, opportunities, contact_roles, people)
        with attributed(
            ctx,
            db,
            files,
            settings,
            window=window,
            per_session=per_session,
            tz=tz,
            tasks_tz=tasks_tz,
            sessions_tz=sessions_tz,
            maps=maps,
            profile=profile,
            encoding=encoding,
            date_order=date_order,
            max_rejects=max_rejects,
            scope=ident,
        ) as (con, _):
            facts = attribution.journey(con, ident, settings, as_person=as_person)
        if fmt is TextFormat.json:
            stdout.out(json_text(facts), highlight=False)
        else:
            stdout.print(views.journey(facts))


@app.command()
def compare(
    ctx: typer.Context,
    db: DbOpt = Path(workspace.DEFAULT_DB),
    tasks: TasksOpt = None,
    sessions: SessionsOpt = None,
    opportunities: OpportunitiesOpt = None,
    contact_roles: ContactRolesOpt = None,
    people: PeopleOpt = None,
    as_of: AsOfOpt = None,
    weights: WeightsOpt = None,
    model: Annotated[
        list[Model] | None,
        typer.Option("--model", help="Compare only this model (repeatable). Default: every model."),
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
    max_rejects: MaxRejectsOpt = "1%",
    fmt: Annotated[TextFormat, typer.Option("--format", "-f", help="table or json.")] = (
        TextFormat.table
    ),
    debug: DebugOpt = False,
) -> None:
    """Compare attribution with call touchpoints against attribution with calls invisible.

    Calls invisible is attribution as before the call-tracking integration: no call
    touchpoints, so a session with a form fill is a Web Form again and a person's first session
    a Web Visit. Shows, per model and channel, the won revenue and pipeline gained or lost by
    counting calls; how many sessions went from a plain visit to a call touchpoint; how many
    form fills moved from LC to PostLC; and how many opportunities each model attributes.
    Works on the workspace or on files. The options that read files (--window,
    --per-session, the zones, --map, --profile, --encoding, --date-order) apply with the files
    only: on the workspace its last match's settings hold, and giving them is refused.

    Examples:

        calltouch compare --as-of 2026-03-31

        calltouch compare --model w-shaped --model full-path --format json
    """
    with user_errors(debug):
        settings = attribution_settings(as_of, weights)
        chosen = [m.key for m in model] if model else None
        for key in chosen or []:
            settings.require_model(key)
        if chosen is not None:
            settings.refuse_unused_weights(chosen)
        files = FilesArgs(tasks, sessions, opportunities, contact_roles, people)
        with attributed(
            ctx,
            db,
            files,
            settings,
            window=window,
            per_session=per_session,
            tz=tz,
            tasks_tz=tasks_tz,
            sessions_tz=sessions_tz,
            maps=maps,
            profile=profile,
            encoding=encoding,
            date_order=date_order,
            max_rejects=max_rejects,
        ) as (con, _):
            data = attribution.compare(con, settings, chosen)
        if fmt is TextFormat.json:
            stdout.out(json_text(data), highlight=False)
        else:
            stdout.print(views.comparison(data))


__all__ = ["FilesArgs", "attribute", "attributed", "compare", "journey"]

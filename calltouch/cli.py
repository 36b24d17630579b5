"""The ``calltouch`` command line (Typer). Thin: parse options, call the pipeline, render.

Data (the report) goes to stdout; diagnostics (where outputs went, errors) go to stderr. Every
:class:`~calltouch.errors.CalltouchError` becomes a one-paragraph message and its documented exit
code; anything else is a bug, reported as such (``--debug`` shows the traceback).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import duckdb
import typer
import typer.core
import typer.main
from rich.console import Console
from rich.progress import TaskID
from rich.text import Text

from calltouch import __version__, queries
from calltouch.durations import parse_window
from calltouch.errors import (
    DONE_BEFORE_STOP,
    CalltouchError,
    ExitCode,
    InputError,
    UsageError,
    interruption,
)
from calltouch.inputs import (
    ALL_ROLES,
    parse_date_orders,
    parse_encodings,
    parse_maps,
    refuse_out_among_inputs,
)
from calltouch.inspection import inspect_path, stops_a_run
from calltouch.load import check_time_zone
from calltouch.outputs import EXPORTS, OUT_FOLDER_HINT, json_text, refuse_folder_targets
from calltouch.pipeline import RunResult, RunSettings, parse_max_rejects
from calltouch.pipeline import run as run_pipeline
from calltouch.profiles import describes, parse_profiles
from calltouch.report import print_inspection, print_run_report
from calltouch.text import printable

if TYPE_CHECKING:  # Typer 0.29 vendors Click and exports neither name
    from typer._click.core import Command, Parameter


def expand_home(arg: str) -> str:
    """``arg`` with a leading ``~`` or ``~/`` (also after ``--option=`` or ``-o``) made the
    home folder, as the shell does when it is not quoted: inputs read '~/x.csv' from $HOME,
    but -o '~/out' (quoted, as crontabs and config files write it) made a folder named '~'
    in the current one, which a later ``rm -rf ~`` meant to remove would take the home
    folder with it."""
    if arg.startswith("--"):
        option, sep, value = arg.partition("=")
    elif re.match(r"-[A-Za-z]~", arg):  # a short option's value written on to it: -o~/out
        option, sep, value = arg[:2], "", arg[2:]
    else:
        option, sep, value = "", "", arg
    if value == "~" or value.startswith("~/"):
        return option + sep + str(Path(value).expanduser())
    return arg


_FOLDERS_SAID = "calltouch.folders_said"  # ctx.meta key: the paths given with a trailing slash


def folders_said(args: Sequence[str]) -> frozenset[Path]:
    """The paths among ``args`` written with a trailing slash (``--out new.csv/``,
    ``--out=new.csv/``, ``-onew.csv/``), home-expanded: a folder meant, whatever its name
    looks like. pathlib drops the slash, so it is read from the arguments as given."""
    said = set()
    for arg in args:
        if arg.startswith("--"):
            values = [arg.partition("=")[2]]
        elif re.match(r"-[A-Za-z].", arg):
            # a short option's value written on to it, after any flags grouped before it
            # (-qores.csv/: -q -o res.csv/): each place a value may start
            values = [arg[i:] for i in range(2, len(arg)) if arg[i - 1].isalpha()]
        else:
            values = [arg]
        for value in values:
            if value.endswith(("/", os.sep)) and value.strip("/" + os.sep):
                said.add(Path(value).expanduser())
    return frozenset(said)


def meant_folder(ctx: typer.Context, out: Path) -> bool:
    """Whether ``out`` was given with a trailing slash (:func:`folders_said`)."""
    return out in ctx.meta.get(_FOLDERS_SAID, frozenset())


def refuse_empty_values(args: Sequence[str]) -> None:
    """Refuse an empty argument ("" or ``--out=``): an unset shell variable (``--out
    "$OUT"``) gives one, and read as a path it is the current folder, where run wrote its
    outputs and load read every export it found."""
    for i, arg in enumerate(args):
        if arg.startswith("--") and arg.endswith("=") and arg.count("=") == 1:
            what, example = f"{arg[:-1]} is given an empty value", f'{arg}"$VALUE"'
        elif arg == "-" and i and args[i - 1] in ("-o", "--out", "--output"):
            raise UsageError(
                f"{args[i - 1]} - would write a file named '-': calltouch does not write its "
                "outputs to the standard output this way",
                hint="Give a file or folder name; report and the other commands print their "
                "tables to the terminal without -o.",
            )
        elif arg == "":
            before = args[i - 1] if i else None
            what = 'an empty argument ("")' + (f" follows {before}" if before else " is given")
            example = f'{before} "$VALUE"' if before and before.startswith("-") else '"$FILE"'
        else:
            continue
        raise UsageError(
            what,
            hint=f"An unset variable in a script ({example}) gives one; a path left empty "
            "would be the current folder. Give the value, or leave the option out.",
        )


# Said beside Click's "Got unexpected extra argument(s)": most often an unquoted glob.
_EXTRA_ARGUMENTS_HINT = (
    "\nA glob left unquoted (exports/tasks_*.csv) is expanded by the shell into several "
    "files, one argument each: quote it ('exports/tasks_*.csv'), or give the folder."
)

_VALIDATION_PREFIX = "Value error, "
_ROLE_HINT = (
    "\nload takes what the files are first, then the files: calltouch load tasks exports/tasks.csv"
)


def _quiet_flags(params: list[Parameter]) -> list[Parameter]:
    """``params`` with no value shown beside a flag in help: Typer 0.29 shows its type,
    ``<bool>``, though a flag takes no value (``--quiet <bool>`` reads as ``--quiet true``);
    nor a type beside an argument its name describes (``FILE...  <list[str]>``)."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
        elif param.param_type_name == "argument" and param.metavar:
            param.display_type_rich = _no_type  # type: ignore[method-assign]
    return params


def _no_type(ctx: typer.Context) -> None:
    """The type shown in help beside an argument whose name says what it is: none."""
    return None


class CalltouchGroup(typer.core.TyperGroup):
    """The command group: refuses empty arguments before any command reads them, says
    what an unexpected extra argument usually is, and shows flags in help without a value."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        with user_errors():
            refuse_empty_values(args)
        ctx.meta[_FOLDERS_SAID] = folders_said(args)
        return super().parse_args(ctx, [expand_home(arg) for arg in args])

    def get_params(self, ctx: typer.Context) -> list[Parameter]:
        return _quiet_flags(super().get_params(ctx))

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _quiet_flags(command.get_params(ctx))
        return command

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:  # Click's UsageError, which Typer does not export
            message = getattr(exc, "message", None)
            if isinstance(message, str) and message.startswith("Got unexpected extra argument"):
                exc.message = message + _EXTRA_ARGUMENTS_HINT  # type: ignore[attr-defined]
            elif isinstance(message, str) and message.startswith(_VALIDATION_PREFIX):
                # Typer 0.29 checks a choice with pydantic, whose message keeps its prefix
                message = message.removeprefix(_VALIDATION_PREFIX)
                if getattr(getattr(exc, "param", None), "name", None) == "role":
                    message += _ROLE_HINT
                exc.message = message  # type: ignore[attr-defined]
            raise


app = typer.Typer(
    name="calltouch",
    cls=CalltouchGroup,
    help=(
        "Link call-tracking Salesforce Tasks to the web sessions that led to them, the way "
        "Marketo Measure does, offline, and report calls by channel."
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _carry_on(console: Console) -> None:
    """What a console does when its reader went away (``calltouch report | head``, ``calltouch
    run ... 2>&1 | head -1``): drop the rest and let the command go on to its own exit code.
    rich's choice is to exit 1, calltouch's code for a bug; exiting 0 would hide a failure
    that comes after the output, such as an unreconciled match."""
    _silence(sys.stderr if console.stderr else sys.stdout)
    console.quiet = True


# rich documents on_broken_pipe as the hook for this. Set on the class, it covers Typer's own
# consoles too (usage errors, help), which calltouch does not create: a usage error still
# exits 2 when stderr's reader went away.
Console.on_broken_pipe = _carry_on  # type: ignore[method-assign]


class StdoutConsole(Console):
    """stdout for reports (see _carry_on)."""


def _on_terminal(stream: TextIO | None) -> bool:
    """Whether ``stream`` is a terminal (False when closed)."""
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


stdout = StdoutConsole()
# Messages wrap at the terminal's width on a terminal only: in a log file (cron's 2>log) a
# message wrapped at 80 columns split file names, which could then not be grepped.
stderr = Console(stderr=True, soft_wrap=not _on_terminal(sys.stderr))

STEP_NAMES = {
    "load_tasks": "Reading tasks",
    "load_sessions": "Reading sessions",
    "survey_dates": "Surveying timestamps",
    "match": "Matching calls to sessions",
    "export_touchpoints": "Writing touchpoints",
    "export_unmatched": "Writing unmatched",
    "export_rejects": "Writing rejects",
    "summary_counts": "Counting",
}


class QueryProgress:
    """A rich progress bar on stderr fed by DuckDB's query progress; it appears only once a
    command has run for about a second, and only on a terminal."""

    def __init__(self, console: Console, delay: float = 1.0) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.started = time.monotonic()
        self.delay = delay
        self.task: TaskID | None = None

    def __call__(self, name: str, percent: float) -> None:
        if self.task is None:
            if time.monotonic() - self.started < self.delay:
                return
            self.progress.start()
            self.task = self.progress.add_task("", total=100)
        self.progress.update(
            self.task,
            description=STEP_NAMES.get(name, name.replace("_", " ").capitalize()),
            completed=max(0.0, min(percent, 100.0)),
        )

    def close(self) -> None:
        """Remove the bar (it is transient)."""
        if self.task is not None:
            self.progress.stop()


@contextmanager
def progress(quiet: bool = False) -> Iterator[None]:
    """Show query progress on stderr, unless quiet or stderr is not a terminal."""
    if quiet or not stderr.is_terminal:
        yield
        return
    bar = QueryProgress(stderr)
    try:
        with queries.reporting_progress(bar):
            yield
    finally:
        bar.close()


class PerSession(str, Enum):
    """R6: how many calls may merge with one session."""

    one = "one"
    all = "all"


class OutputFormat(str, Enum):
    """File format of the outputs."""

    csv = "csv"
    parquet = "parquet"


def say_error(exc: CalltouchError) -> None:
    """Print ``exc``'s title, message and hint on stderr."""
    message = Text()
    message.append(f"{exc.title}: ", style="bold red")
    message.append(printable(exc.message, lines=True))  # it may quote a file's cells
    if exc.hint:
        message.append("\n")
        message.append(printable(exc.hint, lines=True), style="yellow")
    stderr.print(message)


@contextmanager
def user_errors(debug: bool = False) -> Iterator[None]:
    """Turn calltouch errors into a message on stderr and their exit code; never a traceback."""
    try:
        yield
    except CalltouchError as exc:
        if debug:
            stderr.print(traceback.format_exc(), markup=False, highlight=False)
        say_error(exc)
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        for done in DONE_BEFORE_STOP:
            stderr.print(Text(printable(done, lines=True), style="dim"))
        word, code = interruption()
        stderr.print(Text(word, style="bold red"))
        raise typer.Exit(int(code)) from None
    except BrokenPipeError:
        # stdout written other than through StdoutConsole, whose reader went away
        # (calltouch ... | head): what it wanted, it has
        _silence(sys.stdout)
        raise typer.Exit(int(ExitCode.OK)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if queries.interrupted(exc):  # DuckDB's report of it, outside queries.run
            word, code = interruption()
            stderr.print(Text(word, style="bold red"))
            raise typer.Exit(int(code)) from None
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
            # a path checked before anything reads or writes it: the user's to shorten
            message = Text("Usage error: ", style="bold red")
            message.append(printable(f"a name is too long for the file system: {exc.filename}"))
            message.append(
                "\nShorten the file or folder name (most file systems allow 255 bytes a name).",
                style="yellow",
            )
            stderr.print(message)
            raise typer.Exit(int(ExitCode.INPUT)) from None
        if debug:
            stderr.print(traceback.format_exc(), markup=False, highlight=False)
        message = Text()
        message.append("Internal error: ", style="bold red")
        message.append(f"{type(exc).__name__}: {exc}")
        message.append(
            "\nThis is a bug in calltouch. Run again with --debug and report the output.",
            style="yellow",
        )
        stderr.print(message)
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


# Options that say how to read and match files: a command answering from the workspace (its
# loads and last match) cannot apply them, so it refuses them rather than ignore them.
FILE_OPTIONS = (
    "window",
    "per_session",
    "tz",
    "tasks_tz",
    "sessions_tz",
    "maps",
    "profile",
    "encoding",
    "date_order",
    "max_rejects",
)


# Of FILE_OPTIONS, those a workspace's match takes; the others are how its loads read files.
MATCH_OPTIONS = ("window", "per_session")


def one_file(flag: str, values: list[str] | None) -> str | None:
    """The one FILE an input option names (a file, a folder or a quoted glob). Given twice,
    Typer kept the last and the other file was never read, its rows lost without a word:
    refused, with the ways to read several."""
    if not values:
        return None
    if len(values) > 1:
        raise UsageError(
            f"{flag} is given {len(values)} times ({', '.join(values)}): it takes one file, "
            "folder or glob, and the others would not be read",
            hint=f"Put the files in one folder and give {flag} FOLDER, or name them with a "
            f"quoted glob ({flag} 'exports/*.csv').",
        )
    return values[0]


def refuse_db_with_files(ctx: typer.Context, files: str = "--tasks and --sessions") -> None:
    """Refuse a --db given on the command line to a command told to read files (``files``):
    it would be ignored, and the answer taken for the workspace's."""
    source = ctx.get_parameter_source("db")
    if source is not None and source.name == "COMMANDLINE":
        raise UsageError(
            f"--db names a workspace, but {files} make this command read files, not it",
            hint=f"Leave --db out to read the files, or leave {files} out to answer from "
            "the workspace.",
        )


def refuse_file_options(
    ctx: typer.Context, settings: str, files: str = "--tasks and --sessions"
) -> None:
    """Raise a UsageError naming the FILE_OPTIONS given on the command line to a command that
    answers from the workspace; ``settings`` says what it uses instead, ``files`` which
    options make it read files. The hint says where each option given does apply."""
    given: dict[str, str] = {}
    for param in ctx.command.params:
        if param.name not in FILE_OPTIONS:
            continue
        source = ctx.get_parameter_source(param.name)
        if source is not None and source.name == "COMMANDLINE":
            given[param.name] = max(param.opts, key=len)
    if not given:
        return
    ways = [f"pass the files with {files}"]
    matching = [
        f"{flag} {getattr(ctx.params[name], 'value', ctx.params[name])}"
        for name, flag in given.items()
        if name in MATCH_OPTIONS
    ]
    if matching:
        ways.append(f"rebuild the touchpoints with them: calltouch match {' '.join(matching)}")
    # load reads one input per command: its zone option is --tz
    reading = list(
        dict.fromkeys(
            "--tz" if name in ("tasks_tz", "sessions_tz") else flag
            for name, flag in given.items()
            if name not in MATCH_OPTIONS
        )
    )
    if reading:
        ways.append(
            f"load the exports again with {', '.join(reading)} (calltouch load tasks|sessions "
            "FILE... with them, into a new workspace: --db), then calltouch match"
        )
    flags = ", ".join(given.values())
    raise UsageError(
        f"{flags} only {'applies' if len(given) == 1 else 'apply'} with {files} (reading "
        f"files); on the workspace this command uses {settings}",
        hint="Leave them out, or " + "; or ".join(ways) + ".",
    )


def _silence(stream: TextIO) -> None:
    """Point ``stream`` (stdout or stderr) at the null device: its reader went away, and
    flushing it at exit must not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


# ----------------------------------------------------------------------------- shared options

WindowOpt = Annotated[
    str,
    typer.Option(
        "--window",
        "-w",
        metavar="DURATION",
        help="Merge a call with a session that started at most this long before it (R3). "
        "Examples: 90s, 30m, 45m, 1h.",
    ),
]
PerSessionOpt = Annotated[
    PerSession,
    typer.Option(
        "--per-session",
        help="one: a session merges with its earliest call only (R6); all: with every call "
        "inside its window.",
    ),
]
TasksTzOpt = Annotated[
    str | None,
    typer.Option(
        "--tasks-tz",
        metavar="ZONE",
        help="Zone of task timestamps that carry none (IANA name). Default: --tz.",
        show_default=False,
    ),
]
SessionsTzOpt = Annotated[
    str | None,
    typer.Option(
        "--sessions-tz",
        metavar="ZONE",
        help="Zone of session timestamps that carry none (IANA name). Default: --tz.",
        show_default=False,
    ),
]
TzOpt = Annotated[
    str,
    typer.Option(
        "--tz", metavar="ZONE", help="Zone of timestamps without one, for both inputs (R8)."
    ),
]
# --tz of a command that reads the files it is given, whatever their input (load, inspect)
FilesTzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="Zone of timestamps without one, in these files (R8).",
        # None when not given: a given --tz UTC says the files' zone is UTC (no note on it)
        show_default="UTC",
    ),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        "-m",
        metavar="ROLE.FIELD=COLUMN",
        help="Read a field from a column calltouch does not recognise: ROLE.FIELD=COLUMN, "
        "e.g. tasks.call_time=My_Call_Date__c. Repeatable.",
        show_default=False,
    ),
]
DebugOpt = Annotated[
    bool, typer.Option("--debug", help="Show a traceback when something fails.", hidden=False)
]
ProfileOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--profile",
        "-p",
        metavar="[ROLE=]NAME",
        help="Read files as this export profile instead of detecting it: salesforce, "
        "salesforce-report, warehouse, calltrackingmetrics, callrail, invoca, generic. "
        "tasks=NAME or sessions=NAME picks one input. Repeatable.",
        show_default=False,
    ),
]
EncodingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--encoding",
        metavar="[ROLE=]ENCODING",
        help="Text encoding of CSV files without a BOM, e.g. windows-1252 for Excel exports "
        "(mac-roman for Excel for Mac's CSV (Macintosh)). Default: UTF-8 (a UTF-8 or UTF-16 "
        "BOM is always honoured). tasks=ENCODING or sessions=ENCODING picks one input. "
        "Repeatable.",
        show_default=False,
    ),
]
DateOrderOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--date-order",
        metavar="[ROLE=]mdy|dmy",
        help="Order of day and month in dates like 03/04/2026, when the data cannot tell "
        "(mdy: March 4; dmy: 3 April). tasks=dmy or sessions=mdy picks one input. Repeatable.",
        show_default=False,
    ),
]
MaxRejectsOpt = Annotated[
    str,
    typer.Option(
        "--max-rejects",
        metavar="N|P%",
        help="Fail (exit 3) when more input rows than this are rejected, per input: a count "
        "(0, 250) or a percentage of the rows read (2.5%). Deleted records (IsDeleted true) "
        "are rejected but not counted.",
    ),
]
# More threads than any machine has cores only cost DuckDB time to start them (100000 did not
# finish a small match in ten minutes).
MAX_THREADS = 1024
ThreadsOpt = Annotated[
    int | None,
    typer.Option(
        "--threads",
        min=1,
        max=MAX_THREADS,
        metavar="N",
        help="DuckDB worker threads, 1 to 1024 (default: one per core). Results never "
        "depend on it.",
        show_default=False,
    ),
]
# A size DuckDB reads as a memory limit: a positive number and an optional unit. DuckDB
# itself took -5GB (or -1) as "no limit" and set its own default, most of the machine's
# memory: the opposite of a cap.
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT](?:i?B)?|B|%)\s*", re.IGNORECASE)


def _memory_size(value: str | None) -> str | None:
    """Check --memory-limit: a positive size with its unit such as 500MB, 4G, 1.5GiB, or a
    share of the machine's memory above 0% and at most 100% (a number without a unit was
    "not a positive size")."""
    if value is None:
        return None
    example = f"give e.g. 500MB, 4GB, 4G, 1.5GiB or 50% (default {queries.DEFAULT_MEMORY_LIMIT})"
    if re.fullmatch(r"\s*\d+(\.\d+)?\s*", value) and float(value) > 0:
        raise typer.BadParameter(f"{value!r} has no unit: {example}")
    found = _SIZE.fullmatch(value)
    number = float(found.group(1)) if found else 0.0
    if found is None or number <= 0 or (found.group(2) == "%" and number > 100):
        raise typer.BadParameter(f"{value!r} is not a positive size: {example}")
    return value.strip()


MemoryOpt = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        metavar="SIZE",
        callback=_memory_size,
        help=f"Cap DuckDB's memory, e.g. 2GB (default: {queries.DEFAULT_MEMORY_LIMIT}); "
        "larger work spills to disk.",
        show_default=False,
    ),
]
TempDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--temp-dir",
        metavar="DIR",
        help="Where DuckDB spills when memory runs short (default: a calltouch-spill-UID "
        "folder in the system's temp folder; on the workspace, the workspace's name with "
        ".tmp, beside it).",
        show_default=False,
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Do not print the report or the progress.")
]


def _settings(
    window: str,
    per_session: PerSession,
    tz: str,
    tasks_tz: str | None,
    sessions_tz: str | None,
    maps: list[str] | None,
    *,
    profile: list[str] | None = None,
    encoding: list[str] | None = None,
    date_order: list[str] | None = None,
    max_rejects: str = "1%",
    reads: tuple[str, ...] | None = None,
    reading: str = "reads",
) -> RunSettings:
    """The reading and matching options of a command; ``reads`` (the roles of the files it
    reads, when not every input; ``reading`` says how: load loads one) refuses an option
    value given for another input, which it would ignore."""
    parse_max_rejects(max_rejects)
    if reads is not None:
        _refuse_unread_roles(
            reads,
            {
                "--profile": profile or [],
                "--encoding": encoding or [],
                "--date-order": date_order or [],
            },
            maps or [],
            reading,
        )
    return RunSettings(
        window_us=parse_window(window),
        per_session=per_session.value,  # type: ignore[arg-type]
        # an empty --tasks-tz / --sessions-tz is checked (and refused) like an empty --tz
        tasks_tz=tz if tasks_tz is None else tasks_tz,
        sessions_tz=tz if sessions_tz is None else sessions_tz,
        maps=parse_maps(maps or []),
        profiles=parse_profiles(profile or []),
        encodings=parse_encodings(encoding or []),
        date_orders=parse_date_orders(date_order or []),
        max_rejects=max_rejects,
        tz_options={
            "tasks": "--tz" if tasks_tz is None else "--tasks-tz",
            "sessions": "--tz" if sessions_tz is None else "--sessions-tz",
        },
    )


def _refuse_unread_roles(
    reads: tuple[str, ...], options: dict[str, list[str]], maps: list[str], reading: str
) -> None:
    """Refuse ``--encoding opportunities=...`` (and --profile, --date-order, --map) on a
    command that reads no such file (``load tasks`` reads only tasks): ignored, it would look
    applied."""
    given = [
        (flag, item, item.partition("=")[0])
        for flag, items in options.items()
        for item in items
        if "=" in item
    ]
    given += [("--map", item, item.partition(".")[0]) for item in maps]
    inputs = " and ".join(reads) + (" only" if len(reads) > 1 else "")
    for item in options.get("--profile", []):
        # a bare profile name is for every input it describes: none of them read here
        described = [r for r in ALL_ROLES if describes(item.strip(), r)]
        if "=" not in item and described and not set(described) & set(reads):
            raise UsageError(
                f"--profile {item!r} describes {' and '.join(described)} files, but this "
                f"command {reading} {inputs}",
                hint=f"Drop it, or give it to a command that reads {described[0]}.",
            )
    for flag, item, named in given:
        role = named.strip().replace("-", "_").lower()
        if role in ALL_ROLES and role not in reads:  # the option's parser refuses other names
            raise UsageError(
                f"{flag} {item!r} is for {named.strip()}, but this command {reading} {inputs}",
                hint=f"Drop it, or give it to a command that reads {named.strip()} "
                f"(calltouch load {named.strip()}, attribute).",
            )


def print_run_summary(con: duckdb.DuckDBPyConnection, summary: dict[str, object]) -> None:
    """Print the run report (SPEC §4) of what ``con`` holds after a match."""
    print_run_report(
        stdout,
        queries.fetch_dicts(con, "report_channels"),
        queries.fetch_dicts(con, "summary_reasons"),
        summary,  # type: ignore[arg-type]
    )


def _connect(
    threads: int | None = None, memory_limit: str | None = None, temp_dir: Path | None = None
) -> duckdb.DuckDBPyConnection:
    try:
        return queries.connect(threads=threads, memory_limit=memory_limit, temp_directory=temp_dir)
    except duckdb.Error as exc:
        raise UsageError(
            f"DuckDB refused the settings: {exc}",
            hint="--memory-limit takes sizes such as 500MB or 4GB; --threads a whole number.",
        ) from exc


def _execute_run(
    tasks: str,
    sessions: str,
    out: Path,
    settings: RunSettings,
    fmt: OutputFormat,
    quiet: bool,
    con: duckdb.DuckDBPyConnection,
) -> RunResult:
    try:
        with progress(quiet):
            result = run_pipeline(con, tasks, sessions, out, settings, fmt.value)  # type: ignore[arg-type]
        if not quiet:
            print_run_summary(con, result.summary)
        return result
    finally:
        con.close()


# ----------------------------------------------------------------------------- commands


@app.command()
def run(
    ctx: typer.Context,
    tasks: Annotated[
        str,
        typer.Argument(
            metavar="TASKS",
            help="Task export(s): a CSV or Parquet file, a folder, or a quoted glob.",
            show_default=False,
        ),
    ],
    sessions: Annotated[
        str,
        typer.Argument(
            metavar="SESSIONS",
            help="Session export(s): a CSV or Parquet file, a folder, or a quoted glob.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Folder for touchpoints, unmatched, rejects and summary.json.",
        ),
    ],
    window: WindowOpt = "30m",
    per_session: PerSessionOpt = PerSession.one,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="File format of the outputs.")
    ] = OutputFormat.csv,
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
    """Link every call (task) to the web session that led to it and write the touchpoints.

    Reads the exports, applies the matching rules R1-R9, writes **touchpoints**,
    **unmatched**, **rejects** and **summary.json** into --out, and prints
    calls by channel.

    Examples:

        calltouch run tasks.csv sessions.csv --out out/

        calltouch run 'exports/tasks_*.parquet' exports/sessions/ -o out/ -f parquet -w 45m

        calltouch run tasks.csv sessions.csv -o out/ --tasks-tz America/New_York
    """
    with user_errors(debug):
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
            max_rejects=max_rejects,
            reads=("tasks", "sessions"),
        )
        refuse_out_among_inputs(
            out,
            {"tasks": tasks, "sessions": sessions},
            EXPORTS,
            meant_folder=meant_folder(ctx, out),
        )
        refuse_folder_targets(
            [out / f"{name}.{fmt.value}" for name in EXPORTS] + [out / "summary.json"],
            OUT_FOLDER_HINT,
        )
        con = _connect(threads, memory_limit, temp_dir)
        result = _execute_run(tasks, sessions, out, settings, fmt, quiet, con)
        stderr.print(
            Text(f"Wrote {', '.join(p.name for p in result.outputs.values())} to {out}", "dim")
        )
        print_removed(result.summary.get("removed", []), out)
        for loaded in result.files:
            for note in loaded.said():  # e.g. a duplicated header: which column was read
                stderr.print(Text(printable(f"Note: {note}", lines=True), "yellow"))
        for note in result.notes:  # what R9 decided (a newer export without modstamps)
            stderr.print(Text(f"Note: {note}", "yellow"))


def print_removed(names: list[str], out: Path) -> None:
    """Say which of an earlier run's outputs (in the other format) a run removed from ``out``."""
    if names:
        stderr.print(
            Text(
                f"Removed the previous run's {', '.join(names)} from {out}: they were another "
                "format's outputs, not this run's.",
                "dim",
            )
        )


def sample_dir() -> Path:
    """The shipped sample: inside the installed package, else the repository's data/sample."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "sample", here.parent / "data" / "sample"):
        if (candidate / "tasks.csv").is_file():
            return candidate
    raise CalltouchError("the sample data was not found next to the calltouch package")


SAMPLE_AS_OF = "2026-03-31"  # the day the sample was exported: its open deals are judged then


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Folder for the outputs (default: a new temporary one).",
        ),
    ] = None,
    window: WindowOpt = "30m",
    per_session: PerSessionOpt = PerSession.one,
    as_of: Annotated[
        str,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Judge the sample's open opportunities on this day (the day it was exported).",
        ),
    ] = SAMPLE_AS_OF,
    debug: DebugOpt = False,
) -> None:
    """Run the whole pipeline on the sample shipped with calltouch and print calls and revenue
    by channel.

    The sample is a Salesforce Data Loader export of call tasks, a Marketo Measure warehouse
    export of web sessions, and Salesforce exports of opportunities, their contact roles and
    people (data/sample). Prints the calls report, then the revenue each channel earns under the
    W-Shaped model and what counting calls changes. Outputs (touchpoints, attribution, revenue
    by channel, ...) go to a temporary folder unless --out is given.

    Example:

        calltouch demo
    """
    from calltouch import attribution, reporting, views

    with user_errors(debug):
        sample = sample_dir()
        if out is not None:  # the sample's folder is its input: never written into
            refuse_out_among_inputs(
                out,
                {"sample": str(sample)},
                (*EXPORTS, *attribution.OUTPUTS),
                meant_folder=meant_folder(ctx, out),
            )
        target = out or Path(tempfile.mkdtemp(prefix="calltouch-demo-"))
        refuse_folder_targets(
            [target / f"{name}.csv" for name in (*EXPORTS, *attribution.OUTPUTS)]
            + [target / "summary.json"],
            OUT_FOLDER_HINT,
        )
        settings = _settings(window, per_session, "UTC", None, None, None)
        chosen = attribution.AttributionSettings(as_of=attribution.parse_as_of(as_of))
        con = _connect()
        try:
            with progress():
                result = run_pipeline(
                    con, str(sample / "tasks.csv"), str(sample / "sessions.csv"), target, settings
                )
            print_run_summary(con, result.summary)
        finally:
            con.close()
        # Attribution reads every session's details, which a one-shot run may skip for the
        # cookies that never called: it loads the sample again, as calltouch attribute does.
        con = _connect()
        try:
            attribution.prepare_files(
                con,
                str(sample / "tasks.csv"),
                str(sample / "sessions.csv"),
                {
                    "opportunities": str(sample / "opportunities.csv"),
                    "contact_roles": str(sample / "contact_roles.csv"),
                    "people": str(sample / "people.csv"),
                },
                settings,
            )
            attribution.build(con, chosen)
            attribution.check_inputs(con, settings.max_rejects)
            written, _ = attribution.write_outputs(con, target, "csv")
            options = reporting.RevenueOptions(model="w_shaped", as_of=chosen.as_of)
            stdout.print()
            stdout.print(views.revenue_table(reporting.build_revenue(con, options)))
            moves = attribution.compare(con, chosen, ["w_shaped"])["moves"]
        finally:
            con.close()
        stdout.print(
            Text(
                f"Counting calls: {moves['sessions_visit_to_call']:,} sessions went from a plain "
                f"visit to a call touchpoint and {moves['forms_lc_to_post_lc']:,} form fills "
                "moved from LC to PostLC (calltouch compare shows the revenue that moved)."
            )
        )
        stdout.print(Text(f"\nSample read from {sample}", style="dim"))
        stdout.print(
            Text(
                f"Outputs written to {target} ({', '.join(p.name for p in written.values())} "
                "besides the touchpoints)",
                style="bold",
            )
        )


class RoleChoice(str, Enum):
    """Which input a file is."""

    tasks = "tasks"
    sessions = "sessions"


class InspectFormat(str, Enum):
    """How inspect prints."""

    table = "table"
    json = "json"


@app.command()
def inspect(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="CSV or Parquet files, folders or quoted globs to describe.",
            show_default=False,
        ),
    ],
    role: Annotated[
        RoleChoice | None,
        typer.Option(
            "--role", help="Read the files as tasks or sessions (default: whichever fits)."
        ),
    ] = None,
    fmt: Annotated[
        InspectFormat, typer.Option("--format", "-f", help="table (rich) or json.")
    ] = InspectFormat.table,
    tz: FilesTzOpt = None,
    maps: MapOpt = None,
    profile: ProfileOpt = None,
    encoding: EncodingOpt = None,
    date_order: DateOrderOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show what calltouch detects in export files, and which rows a run would reject.

    For each file: the role (tasks or sessions), the profile and the column each field is
    read from, delimiter and encoding, each timestamp column's style and the zone for values
    without one, the row count (readable, unreadable and report-footer lines), the rows run
    would reject (the file is loaded into a scratch database, kept nowhere) and the first
    rows. Use it before a run, or when a run rejects rows or cannot find a column.

    Examples:

        calltouch inspect exports/tasks.csv

        calltouch inspect report.csv --role tasks --date-order dmy --format json
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
            reads=("tasks", "sessions"),
        )
        con = _connect()
        described: list[dict[str, object]] = []
        try:
            # a zone the run would refuse is refused here too, as a usage error
            zone = check_time_zone(con, settings.tasks_tz, "--tz")
            settings = replace(settings, tasks_tz=zone, sessions_tz=zone)
            options = {  # inspect's advice names its own --tz
                r: replace(settings.load_options(r), per_input_tz=False, tz_given=tz is not None)
                for r in ("tasks", "sessions")
            }
            with tempfile.TemporaryDirectory(prefix="calltouch-inspect-") as workdir:
                for spec in files:
                    described += inspect_path(
                        con,
                        spec,
                        None if role is None else role.value,  # type: ignore[arg-type]
                        options,  # type: ignore[arg-type]
                        Path(workdir),
                    )
        finally:
            con.close()
        failed = [item for item in described if "error" in item]
        if fmt is InspectFormat.json:
            stdout.out(json_text(described), highlight=False)
        else:
            for item in described:
                if "error" not in item:
                    print_inspection(stdout, item)
            if len(failed) > 1 or (failed and len(described) > 1):
                for item in failed:  # the files that could not be described, as errors
                    print_inspection(stderr, item)
        # every file is described first; then the exit code says whether a run would stop
        if len(described) == 1 and failed:
            raise InputError(failed[0]["error"], hint=failed[0]["hint"])
        stopping = [item["file"] for item in described if stops_a_run(item)]
        if stopping:
            raise InputError(
                f"{len(stopping)} of {len(described)} file(s) would stop a run: "
                + ", ".join(str(f) for f in stopping[:3])
                + (" ..." if len(stopping) > 3 else ""),
                hint="See what each says above (an error, or a problem such as the day/month "
                "order).",
            )


class GenerateFormat(str, Enum):
    """File format of generated exports."""

    parquet = "parquet"
    csv = "csv"


@app.command()
def generate(
    ctx: typer.Context,
    sessions: Annotated[
        int, typer.Option("--sessions", min=1, metavar="N", help="How many web sessions.")
    ],
    calls: Annotated[
        int, typer.Option("--calls", min=0, metavar="M", help="How many call task rows.")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for tasks and sessions.")
    ],
    fmt: Annotated[
        GenerateFormat, typer.Option("--format", "-f", help="parquet or csv.")
    ] = GenerateFormat.parquet,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 1,
    visitors: Annotated[
        int | None,
        typer.Option(
            "--visitors",
            min=1,
            metavar="V",
            help="Distinct visitors (default: sessions / 4).",
            show_default=False,
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Write synthetic exports of realistic shape, for benchmarks and trials.

    Writes DIR/tasks.parquet and DIR/sessions.parquet (or .csv), replacing files of those
    names: Salesforce-style tasks and warehouse-style sessions in the formats the README
    describes, several sessions per visitor over weeks, most calls minutes after a session,
    some before, some without a BizibleId, a few duplicate task rows (about 0.5%, and always the
    second; --calls counts rows, copies included) and tied starts, a realistic channel mix.
    Generated in DuckDB SQL, deterministic for a seed (0 to 2**63 - 1); 10M sessions take
    seconds. At most 10,000,000,000 sessions and calls.

    Examples:

        calltouch generate --sessions 1000000 --calls 100000 --out gen/ --format parquet

        calltouch generate --sessions 20000 --calls 2000 --out trial/ --format csv --seed 7

        calltouch run trial/tasks.csv trial/sessions.csv --out trial/out/
    """
    from calltouch.generate import generate as make

    with user_errors(debug):
        con = _connect()
        try:
            made = make(
                con,
                out,
                sessions=sessions,
                calls=calls,
                visitors=visitors,
                seed=seed,
                fmt=fmt.value,  # type: ignore[arg-type]
                meant_folder=meant_folder(ctx, out),
            )
        finally:
            con.close()
        stderr.print(Text(f"Wrote {made['paths']['tasks']} and {made['paths']['sessions']}", "dim"))
        if made["replaced"]:
            stderr.print(Text(f"Note: replaced {' and '.join(made['replaced'])}", "yellow"))


def _version_callback(value: bool) -> None:
    if value:
        stdout.print(f"calltouch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Link call-tracking tasks to web sessions and report calls by channel."""


def ready_command() -> typer.core.TyperGroup:
    """The Click command of the CLI, built, with what Typer imports only when it parses the
    first option loaded (its value adapters, and pydantic with them: 0.1-0.4 s):
    calltouch.main builds it while it holds signals (a signal inside either ended the
    process with a traceback, or with Typer's silent exit 130)."""
    with contextlib.suppress(ImportError):  # a Typer without them imports nothing later
        importlib.import_module("typer._adapters")
    return typer.main.get_command(app)  # type: ignore[return-value]


def main(command: typer.core.TyperGroup | None = None) -> None:
    """Console-script entry point: ``command`` as ready_command made it (else built now). A
    calltouch error raised where no command's user_errors catches it (Click writing --help or
    --version to a closed stdout) is said as every other, with its exit code."""
    try:
        (command or ready_command())()
    except CalltouchError as exc:
        say_error(exc)
        raise SystemExit(int(exc.exit_code)) from None


# The workspace and revenue commands register themselves on `app`.
from calltouch import cli_revenue, cli_workspace  # noqa: E402, F401

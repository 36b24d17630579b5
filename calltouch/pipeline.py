"""The ``run`` pipeline: load, match, count, reconcile, write.

Promises: :func:`run` applies R1-R9 to the inputs it is given, writes the outputs atomically,
and returns a :class:`RunResult` whose summary satisfies, for tasks,
``read = touchpoints + unmatched + duplicates + rejected`` and, for sessions,
``read = kept + duplicates + rejected``; when that does not hold (or DuckDB read a different
number of rows than the independent scan counted), the outputs are still written, the summary
says ``"reconciled": false`` and a ReconciliationError is raised.

No typer, no rich: the CLI renders what this returns.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import duckdb

from calltouch import __version__, profiles, queries
from calltouch.csvscan import QUOTE_ERRORS
from calltouch.durations import DEFAULT_WINDOW_US, format_window, window_minutes
from calltouch.errors import InputError, ReconciliationError, TooManyRejectsError, UsageError
from calltouch.inputs import ALL_ROLES, FIELDS, Role, resolve
from calltouch.load import (
    DELETED_ERRORS,
    LoadedFile,
    LoadOptions,
    check_time_zone,
    load_role,
    query_file,
)
from calltouch.outputs import (
    Format,
    other_format_outputs,
    output_set,
    previous_outputs,
    removed_sentence,
    write_exports,
    write_json,
)
from calltouch.timeformats import DateOrder

PerSession = Literal["one", "all"]


@dataclass(frozen=True)
class RunSettings:
    """Everything that decides a run's result besides its inputs."""

    window_us: int = DEFAULT_WINDOW_US
    per_session: PerSession = "one"
    tasks_tz: str = "UTC"
    sessions_tz: str = "UTC"
    maps: dict[Role, dict[str, str]] = field(default_factory=lambda: {r: {} for r in ALL_ROLES})
    profiles: dict[Role, str] = field(default_factory=dict)
    encodings: dict[Role, str] = field(default_factory=dict)
    date_orders: dict[Role, DateOrder] = field(default_factory=dict)
    max_rejects: str = "1%"
    tz_options: dict[Role, str] = field(
        default_factory=lambda: {"tasks": "--tasks-tz", "sessions": "--sessions-tz"}
    )

    def tz_option(self, role: Role) -> str:
        """The option the user set ``role``'s zone with (for error messages)."""
        return self.tz_options.get(role, f"--{role}-tz")

    def load_options(self, role: Role) -> LoadOptions:
        """How to read ``role``'s files."""
        return LoadOptions(
            tz=self.sessions_tz if role == "sessions" else self.tasks_tz,
            overrides=self.maps.get(role, {}),
            profile=self.profiles.get(role),
            encoding=self.encodings.get(role),
            date_order=self.date_orders.get(role),
            # the revenue inputs are read in the tasks' zone (--tz or --tasks-tz)
            tz_option=self.tz_option("sessions" if role == "sessions" else "tasks"),
            # --tasks-tz / --sessions-tz given (a run's --tz may be meant for the other input)
            tz_given=self.tz_option("sessions" if role == "sessions" else "tasks") != "--tz",
        )


@dataclass
class RunResult:
    """What a run produced: files read, the summary, and where the outputs are."""

    files: list[LoadedFile]
    summary: dict[str, Any]
    outputs: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what R9 decided to tell (match's notes)


def load_inputs(
    con: duckdb.DuckDBPyConnection,
    tasks: str,
    sessions: str,
    settings: RunSettings,
    workdir: Path,
    *,
    narrow: bool = False,
) -> tuple[list[LoadedFile], RunSettings]:
    """Create the schema and load both inputs; returns the files and the settings with zones
    in their canonical spelling. ``workdir`` holds temporary copies (transcoded files).
    ``narrow`` (a one-shot run) keeps of the sessions only what the match can use: Parquet
    rows of a cookie that called (and every copy of a repeated id), CSV details of the rows
    that start near a call of their cookie (see calltouch.load.load_role)."""
    refuse_shared_files(tasks, sessions)
    queries.run(con, "create_schema", packed_details=narrow)
    settings = replace(
        settings,
        tasks_tz=check_time_zone(con, settings.tasks_tz, settings.tz_option("tasks")),
        sessions_tz=check_time_zone(con, settings.sessions_tz, settings.tz_option("sessions")),
    )
    files = load_role(con, "tasks", tasks, settings.load_options("tasks"), workdir)
    session_options = settings.load_options("sessions")
    if narrow:
        queries.run(con, "calling_cookies")
        session_options = replace(session_options, narrow=True, window_us=settings.window_us)
    files += load_role(
        con, "sessions", sessions, session_options, workdir, first_file_id=len(files)
    )
    if narrow:  # the calling cookies served the sessions' load; the match keys its own
        queries.run(con, "drop_table", table="ct_calling_cookies")
    for loaded in files:  # a week's export without a column the weeks before it have, or
        # one read after a later week's (a folder read in name order: tasks_3-16 before 3-9)
        later = fields_dropped(con, loaded) + loaded_out_of_order(con, loaded)
        if later:  # summary.json's entry for the file, recorded as it was read, says them too
            loaded.notes.extend(later)
            summary = json.dumps(loaded.summary(), sort_keys=True)
            queries.run(con, "update_file_summary", {"file_id": loaded.file_id, "summary": summary})
    return files, settings


def refuse_shared_files(tasks: str, sessions: str) -> None:
    """Refuse a tasks input and a sessions input that name the same files (one folder holding
    both exports, given twice): each file was read as both, and the error said the exports
    looked swapped, which they were not."""
    theirs = {p.resolve() for p in resolve(sessions, "sessions")}
    shared = [p for p in resolve(tasks, "tasks") if p.resolve() in theirs]
    if shared:
        more = len(shared) - 1
        raise InputError(
            f"the tasks input ({tasks}) and the sessions input ({sessions}) both name "
            f"{shared[0]}"
            + (f" and {more:,} more file{'' if more == 1 else 's'}" if more else "")
            + ": each file is one input's export",
            hint="Give each input its own files: a folder each, or globs such as "
            "'exports/tasks*.csv' and 'exports/sessions*.csv'.",
        )


# How R2 finds each call's latest earlier session start; both give the same links (tested).
# "asof" is as fast as "range" at 10M/1M and stays fast when one cookie has very many sessions
# and calls (a bot, a kiosk), where the range join's output grows with their product
# (BENCHMARKS.md).
MATCH_STRATEGY = "asof"

# The start of the advice when too many rows are rejected, for a command that writes them
# (run, attribute); journey and compare, which write no file, replace it (cli_revenue).
SEE_REJECTS = "See rejects.csv for every rejected row with its line. "


def match(
    con: duckdb.DuckDBPyConnection,
    settings: RunSettings,
    files: list[LoadedFile] | None = None,
    *,
    strategy: str | None = None,
    release: bool = False,
    notes: list[str] | None = None,
) -> None:
    """Build tasks, match_sessions, links, touchpoints and unmatched from what is loaded
    (R2 by ``strategy``, default MATCH_STRATEGY); with ``notes``, append to it what R9 decided
    that a user should know (:func:`overruled_notes`), while the session rows are still there.

    Session files read without their details (``files`` from a narrow load) have the details
    of the sessions that merged fetched between linking and building the touchpoints.
    ``release`` (a one-shot run) drops the session tables once the touchpoints no longer need
    them, so the rest of the run has their memory; a workspace keeps them."""
    queries.run(
        con,
        "match",
        {"window_us": settings.window_us},
        per_session=settings.per_session,
        strategy=strategy or MATCH_STRATEGY,
        # a filtered Parquet load found the repeated session ids' keys already
        repeated_keys=queries.has_table(con, "ct_repeated_keys"),
        # a one-shot CSV load found the copies themselves (load._order_tied_copies)
        copies_ready=queries.has_table(con, "ct_session_copies"),
    )
    for loaded in files or []:
        source = loaded.details_source
        if source is not None:
            query_file(
                con,
                "fetch_session_details",
                {"path": source["path"], "file_id": loaded.file_id},
                role=loaded.role,
                path=loaded.path,
                fmt=loaded.format,
                cols=source["cols"],
                split_channel=source["split_channel"],
            )
    if notes is not None:
        notes.extend(overruled_notes(con))
    # a one-shot run's session_rows packs the details in one list (create_schema)
    packed = queries.has_column(con, "session_rows", "_details")
    queries.run(
        con,
        "touchpoints",
        {"window_us": settings.window_us},
        release=release,
        packed_details=packed,
    )


def fields_dropped(
    con: duckdb.DuckDBPyConnection,
    loaded: LoadedFile,
    *,
    since: int = 0,
    unread: Collection[str] = (),
) -> list[str]:
    """A note when ``loaded`` has no column for optional fields that files of its input read
    before it had (week 2 exported without Type, or without LastModifiedDate): its rows are
    read without them, and of the ids it repeats R9 keeps one copy or the other, which
    changes a call's type, or lets last week's copies stand (:func:`overruled_notes`).
    ``since``: the first file id of its input (inspect describes several inputs at once);
    ``unread``: fields its reading left out on purpose (inspect's count without a flag)."""
    role = loaded.role
    had: dict[str, tuple[str, str]] = {}  # field -> (an earlier file, its column)
    for row in queries.fetch_dicts(con, "file_readings"):
        if int(row["file_id"]) >= loaded.file_id:
            break  # the files read after it are not compared: it comes first
        if row["role"] != role or int(row["file_id"]) < since:
            continue
        for name, column in json.loads(row["mapping"] or "{}").items():
            if column is not None:
                had.setdefault(name, (str(row["path"]), str(column)))
    profile = profiles.BY_NAME.get(loaded.profile)
    filled = profile.defaults if profile is not None else {}  # a call log's Type: Call
    dropped = [
        f.name
        for f in FIELDS[role]
        if not f.required
        and f.name in had
        and loaded.mapping.columns.get(f.name) is None
        and f.name not in filled
        and f.name not in unread
    ]
    if not dropped:
        return []
    columns = ", ".join(f"{had[name][1]} ({name})" for name in dropped)
    earlier = had[dropped[0]][0]
    if earlier == loaded.path:  # a tasks.csv overwritten every week: its earlier content
        earlier = f"{earlier} as loaded before"
    return [
        f"no column for {columns}, which {role} files read before it have "
        f"({earlier}): its rows are read without "
        f"{'it' if len(dropped) == 1 else 'them'}, and of the ids it repeats R9 keeps one "
        "copy or the other (export the same columns every week)"
    ]


def loaded_out_of_order(
    con: duckdb.DuckDBPyConnection, loaded: LoadedFile, *, workspace: bool = False
) -> list[str]:
    """A note when a task file without modification times repeats ids of files read before
    it, also without them, whose rows reach later times: R9 keeps the copies read last, its
    own, though it looks like the older export (week 1 loaded after week 2 brought a deleted
    call back and dropped a BizibleId filled in since; a folder read in name order puts
    tasks_3-16.csv before tasks_3-9.csv). ``workspace``: the files were loaded into one, in
    loads (the advice differs). Not asked of session files: it reads every earlier row, a
    second or more per file of a 100-file warehouse unload."""
    if loaded.role != "tasks" or loaded.mapping.columns.get("modstamp") is not None:
        return []
    row = queries.run(con, "earlier_exports", {"file_id": loaded.file_id}).fetchone()
    if not row or not row[0]:
        return []
    count = int(row[0])
    advice = (
        "load the exports into a new workspace (--db) oldest first"
        if workspace
        else "give the files oldest first, or name them so that they sort so (a folder's "
        "files are read in path order)"
    )
    verb = "loaded" if workspace else "read"
    return [
        f"{count:,} of its task ids {'was' if count == 1 else 'were'} {verb} before from "
        f"{row[1]}, whose rows reach later times: without modification times R9 keeps the "
        f"copies {verb} last, this file's; if it is the older export, {advice}"
    ]


def overruled_notes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Notes on the task and session ids R9 decided by an earlier copy with a modification
    time over a copy read after it without one (after match): a newer weekly export without
    LastModifiedDate loses to last week's, its BizibleIds filled in since, its types and its
    deletions unread, without a word."""
    copies = queries.has_table(con, "ct_task_copies")
    rows = dict(queries.run(con, "overruled_copies", task_copies=copies).fetchall())
    again = "read more than once"
    return [
        overruled_note(int(rows[role]), f"{one} {again}", f"{role} {again}", column)
        for role, one, column in (
            ("tasks", "task", "LastModifiedDate"),
            ("sessions", "session", "MODIFIED_DATE"),
        )
        if rows.get(role)
    ]


def overruled_note(count: int, one: str, many: str, column: str) -> str:
    """The note on ``count`` ids (``one`` or ``many`` of them: "opportunity", "tasks read more
    than once") that R9 decided by an earlier copy with ``column`` over a later one without
    it (overruled_copies, revenue_inputs)."""
    return (
        f"{count:,} {one if count == 1 else many} {'was' if count == 1 else 'were'} decided "
        "by an earlier copy with a modification time (kept, or a deleted record) over a copy "
        f"read after it without one (R9: a copy with {column} wins, whatever the order): "
        f"export {column} with every export for the newest copy to win."
    )


def summarize(con: duckdb.DuckDBPyConnection, settings: dict[str, Any]) -> dict[str, Any]:
    """The summary.json payload, reconciliation included, from what the database holds;
    ``settings`` is recorded as given (window, per_session, zones...)."""
    counts = queries.fetch_dicts(con, "summary_counts", {"deleted_errors": list(DELETED_ERRORS)})[0]
    reasons = queries.fetch_dicts(con, "summary_reasons")
    files: dict[str, list[dict[str, Any]]] = {"tasks": [], "sessions": []}
    for role, text in queries.run(con, "file_summaries").fetchall():
        files[role].append(json.loads(text))
    problems: list[str] = []
    tasks_total = (
        counts["touchpoints"]
        + counts["unmatched"]
        + counts["task_duplicates"]
        + counts["tasks_rejected"]
    )
    if counts["tasks_read"] != tasks_total:
        problems.append(
            f"tasks: {counts['tasks_read']} rows read but {tasks_total} accounted for "
            f"({counts['touchpoints']} touchpoints + {counts['unmatched']} unmatched + "
            f"{counts['task_duplicates']} duplicates + {counts['tasks_rejected']} rejected)"
        )
    sessions_total = (
        counts["sessions_kept"] + counts["session_duplicates"] + counts["sessions_rejected"]
    )
    if counts["sessions_read"] != sessions_total:
        problems.append(
            f"sessions: {counts['sessions_read']} rows read but {sessions_total} accounted for"
        )
    for f in files["tasks"] + files["sessions"]:
        scanned = f.get("independent_count")
        if scanned is not None and scanned != f["read"] + f["footer"]:
            problems.append(
                f"{f['path']}: an independent count finds {scanned} data rows, but calltouch "
                f"accounts for {f['read'] + f['footer']} ({f['loaded']} loaded + "
                f"{f['rejected']} rejected + {f['footer']} footer lines)"
            )
    summary: dict[str, Any] = {
        "calltouch_version": __version__,
        "tasks": {
            "read": counts["tasks_read"],
            "touchpoints": counts["touchpoints"],
            "merged": counts["merged"],
            "standalone": counts["standalone"],
            "unmatched": counts["unmatched"],
            "duplicates": counts["task_duplicates"],
            "rejected": counts["tasks_rejected"],
            # of the rejected, records deleted at the source (IsDeleted), no fault of the export
            "deleted": counts["tasks_deleted"],
            "files": files["tasks"],
        },
        "sessions": {
            "read": counts["sessions_read"],
            "kept": counts["sessions_kept"],
            "duplicates": counts["session_duplicates"],
            "rejected": counts["sessions_rejected"],
            "deleted": counts["sessions_deleted"],
            "files": files["sessions"],
        },
        "reasons": {
            status: {r["reason"]: r["calls"] for r in reasons if r["status"] == status}
            for status in ("standalone", "unmatched")
        },
        "settings": settings,
        "window_minutes": settings["window_minutes"],
        "reconciled": not problems,
    }
    if problems:
        summary["reconciliation_problems"] = problems
    return summary


def settings_summary(settings: RunSettings) -> dict[str, Any]:
    """The settings a run records in summary.json."""
    return {
        "window": format_window(settings.window_us),
        "window_minutes": window_minutes(settings.window_us),
        "per_session": settings.per_session,
        "tasks_tz": settings.tasks_tz,
        "sessions_tz": settings.sessions_tz,
    }


def raise_if_unreconciled(summary: dict[str, Any], where: str) -> None:
    """Raise ReconciliationError naming where the rows went missing."""
    if not summary["reconciled"]:
        raise ReconciliationError(
            "some input rows are not accounted for: "
            + "; ".join(summary["reconciliation_problems"]),
            hint=f"{where}; please report this.",
        )


@dataclass(frozen=True)
class RejectLimit:
    """``--max-rejects``: a count of rows, or a share of the rows read (exact: 29% of 100 rows
    allows 29, where binary floating point made it 28.999...)."""

    count: int | None = None
    share: Fraction | None = None

    def exceeded(self, rejected: int, read: int, lines: RejectedLines | None = None) -> bool:
        """Whether ``rejected`` of ``read`` rows are more than the limit allows; with
        ``lines``, a rejected row counts once per physical line it spans, and deleted
        records not at all."""
        bad, total = (lines or RejectedLines()).counted(rejected, read)
        allowed = self.count if self.count is not None else (self.share or 0) * total
        return bad > allowed


@dataclass(frozen=True)
class RejectedLines:
    """The physical lines an input's rejected rows span beyond their first (``extra``), and
    the rejected row that spans most (``longest``: file, line, lines, error; None when each
    spans one line). A quote that is never closed makes the reader take the rest of the file
    into one value: one rejected row of 1,851 lines must not pass --max-rejects as one row,
    so the limit counts a rejected row by its lines. ``deleted``: the rejected rows that are
    records deleted at the source (IsDeleted / IS_DELETED true): an export that holds them is
    not at fault, so the limit counts neither them nor them among the rows read."""

    extra: int = 0
    longest: dict[str, Any] | None = None
    deleted: int = 0

    @classmethod
    def of(
        cls, con: duckdb.DuckDBPyConnection, role: str, file_ids: list[int] | None = None
    ) -> RejectedLines:
        """Those of ``role``'s rejects (of the files ``file_ids`` only, when given)."""
        binds = {
            "role": role,
            "file_ids": file_ids,
            "quote_errors": list(QUOTE_ERRORS),
            "deleted_errors": list(DELETED_ERRORS),
        }
        row = queries.fetch_dicts(con, "reject_spans", binds)[0]
        longest = None
        if row["file"] is not None:
            longest = {k: row[k] for k in ("file", "line", "lines", "error")}
        return cls(int(row["extra_lines"]), longest, int(row["deleted"]))

    def counted(self, rejected: int, read: int) -> tuple[int, int]:
        """(rejected, read) counted by lines, deleted records aside: what --max-rejects
        compares."""
        return rejected - self.deleted + self.extra, read - self.deleted + self.extra

    def describe(self, rejected: int, read: int, role: str, *, share: bool = False) -> str:
        """``'2 of 150 tasks rows were rejected'`` (with ``share``, and no row of many lines:
        ``(1.4%)``, rounded up), deleted records aside and said, and when rows span several
        lines, how many lines they span and the longest of them."""
        bad, total = rejected - self.deleted, read - self.deleted
        what = f"{bad:,} of {total:,} {role} rows were rejected"
        if share and not self.extra:  # rounded up: 8 of 765 (1.05%) is no "1.0%" beyond 1%
            what += f" ({float(_percent_up(bad, total)):g}%)"
        if self.deleted:
            what += f" (besides {self.deleted:,} deleted records, not counted)"
        if not self.extra or self.longest is None:
            return what
        lines, total = self.counted(rejected, read)
        first, spans = self.longest["line"], self.longest["lines"]
        where = self.longest["file"]
        if first is not None:
            where += f":{first}-{first + spans - 1}"
        return (
            f"{what}, spanning {lines:,} of {total:,} lines ({lines / total:.1%}): the row at "
            f"{where} spans {spans:,} lines ({self.longest['error']})"
        )

    def hint(self) -> str:
        """What to do about a rejected row of many lines ("" when there is none)."""
        if not self.extra:
            return ""
        return (
            "A quote that is never closed, or not doubled inside a quoted value, makes the "
            "reader take the lines after it into one value: fix that quote in the export. "
        )


_MAX_REJECTS_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)


def parse_max_rejects(text: str) -> RejectLimit:
    """``'1%'`` -> a share of 1/100; ``'25'`` -> a count of 25. Raises UsageError otherwise."""
    value = text.strip()
    percent = value.endswith("%")
    number = value[:-1].strip() if percent else value
    # plain ASCII digits only: Fraction and int also take '1/2', '5_0', other scripts' digits
    # and exponents ('1e-99999999' takes minutes to build)
    if _MAX_REJECTS_NUMBER.fullmatch(number):
        if percent and Fraction(number) <= 100:
            return RejectLimit(share=Fraction(number) / 100)
        if percent:
            raise UsageError(
                f"--max-rejects {text!r} is more than 100%",
                hint="A share of the rows is at most 100% (every row may be rejected).",
            )
        if "." not in number:
            return RejectLimit(count=int(number))
    raise UsageError(
        f"--max-rejects {text!r} is neither a count nor a percentage",
        hint="For example --max-rejects 0, --max-rejects 250 or --max-rejects 2.5%.",
    )


def _percent_up(rejected: int, read: int) -> Fraction:
    """The share of ``rejected`` in ``read`` rows in tenths of a percent, rounded up."""
    share = Fraction(rejected, read) if read else Fraction(1)
    return Fraction(math.ceil(share * 1000), 10)


def max_rejects_advice(rejected: int, read: int, *, reading_options: bool = True) -> str:
    """How to go on without ``rejected`` of ``read`` rows: a --max-rejects that lets exactly
    them through (a count, and a share rounded up); when most rows were rejected, the reading
    options are the likelier fix, and the advice says so first (unless ``reading_options`` is
    false: the cause is known, e.g. a quote never closed)."""
    share = Fraction(rejected, read) if read else Fraction(1)
    percent = _percent_up(rejected, read)  # it lets them all through (exactly)
    allow = f"--max-rejects {rejected} (or --max-rejects {float(percent):g}%)"
    if reading_options and share > Fraction(1, 2):
        return (
            "Most rows were rejected: the file more likely needs other reading options (see "
            f"the errors: --encoding, --map, --date-order) than a higher limit; {allow} "
            "would go on without them."
        )
    return f"Fix the export, or go on without those rows with {allow}."


def check_rejects(con: duckdb.DuckDBPyConnection, summary: dict[str, Any], limit: str) -> None:
    """Raise TooManyRejectsError when an input's rejected rows exceed ``--max-rejects``."""
    allowed = parse_max_rejects(limit)
    for role in ("tasks", "sessions"):
        read = summary[role]["read"]
        rejected = summary[role]["rejected"]
        lines = RejectedLines.of(con, role)
        if allowed.exceeded(rejected, read, lines):
            what = lines.describe(rejected, read, role, share=True)
            raise TooManyRejectsError(
                f"{what}, more than --max-rejects {limit} allows. "
                f"First: {reject_examples(con, role)}",
                hint=SEE_REJECTS
                + lines.hint()
                + max_rejects_advice(
                    *lines.counted(rejected, read), reading_options=not lines.extra
                ),
            )


def first_rejects(
    con: duckdb.DuckDBPyConnection,
    role: str,
    file_ids: list[int] | None,
    limit: int,
    *,
    counted_only: bool = False,
) -> list[dict[str, Any]]:
    """The first ``limit`` rejected rows of ``role`` (of the files ``file_ids`` only, when
    given), deleted records last (--max-rejects does not count them), or left out with
    ``counted_only``: file, line, error."""
    binds = {
        "role": role,
        "file_ids": file_ids,
        "limit": limit,
        "deleted_errors": list(DELETED_ERRORS),
        "counted_only": counted_only,
    }
    return queries.fetch_dicts(con, "reject_examples", binds)


def reject_examples(
    con: duckdb.DuckDBPyConnection, role: str, file_ids: list[int] | None = None
) -> str:
    """The first three rejected rows of ``role`` that --max-rejects counts (see
    first_rejects), as ``file:line: error`` for its error message."""
    examples = first_rejects(con, role, file_ids, 3, counted_only=True)
    return "; ".join(f"{e['file']}:{e['line']}: {e['error']}" for e in examples)


def loading_notes(files: list[LoadedFile]) -> str:
    """What the reading of the files chose that the user may not expect (a duplicated header,
    a field --map ignored), as sentences for a failed run's hint ("" when there is none): a
    duplicated header may be why the rows were rejected."""
    return "".join(f" Note: {note}." for f in files for note in f.said())


def run(
    con: duckdb.DuckDBPyConnection,
    tasks: str,
    sessions: str,
    out: Path,
    settings: RunSettings,
    fmt: Format = "csv",
) -> RunResult:
    """Load, match and write; raise ReconciliationError (after writing) if rows went missing,
    TooManyRejectsError (after writing rejects and summary.json only) if too many were bad."""
    parse_max_rejects(settings.max_rejects)
    with tempfile.TemporaryDirectory(prefix="calltouch-") as workdir:
        files, settings = load_inputs(con, tasks, sessions, settings, Path(workdir), narrow=True)
    notes: list[str] = []
    match(con, settings, files, release=True, notes=notes)
    summary = summarize(con, settings_summary(settings))
    try:
        check_rejects(con, summary, settings.max_rejects)
    except TooManyRejectsError as exc:
        summary["failed"] = "too many rejected rows: touchpoints and unmatched were not written"
        # an earlier run's outputs beside this summary would pass for this run's (rejects
        # too, in the other format); the summary is written first: it holds this run's counts,
        # whatever happens next
        stale = previous_outputs(out, ("touchpoints", "unmatched"))
        stale += other_format_outputs(out, fmt, ("rejects",))
        summary["removed"] = [path.name for path in stale]
        with output_set() as written:
            written.stale = stale  # deleted with the renames, a signal held meanwhile
            write_exports(con, out, fmt, only=("rejects",), files=written)
            write_json(out / "summary.json", summary, written)
        removed = removed_sentence(stale, written.remove_error)
        exc.hint = (exc.hint or "") + removed + loading_notes(files)
        raise
    # an earlier run's outputs in the other format would pass for this run's, beside its
    # summary: removed once this run's are in place (all at once: a run stopped while writing
    # leaves the previous outputs as they were)
    stale = other_format_outputs(out, fmt, ("touchpoints", "unmatched", "rejects"))
    if stale:
        summary["removed"] = [path.name for path in stale]
    with output_set() as written:
        written.stale = stale  # deleted with the renames, a signal held meanwhile
        outputs = write_exports(con, out, fmt, files=written)
        outputs["summary"] = write_json(out / "summary.json", summary, written)
    removed, error = written.removed, written.remove_error
    if error is not None:
        # the summary beside this run's outputs is its own: it says what was removed
        if removed:
            summary["removed"] = [path.name for path in removed]
        else:
            summary.pop("removed", None)
        write_json(out / "summary.json", summary)
        raise error
    result = RunResult(files=files, summary=summary, outputs=outputs, notes=notes)
    raise_if_unreconciled(summary, f"The outputs in {out} were written for inspection")
    return result

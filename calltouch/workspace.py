"""The analyst's workspace: a persistent DuckDB file exports are added to and matched in.

Promises:

* the workspace is an ordinary DuckDB file; its tables (``task_rows``, ``session_rows``,
  ``rejects``, ``input_files``, ``loads``, ``match_runs``, and after a match ``tasks``,
  ``sessions``, ``links``, ``touchpoints``, ``unmatched`` and the view ``calls_by_channel``) are
  documented in the README and open as they are in any DuckDB client;
* ``load`` appends files in one transaction per command: a file whose content was loaded
  before (same role, same sha256) is skipped and said so, and a command whose rows are
  rejected beyond ``--max-rejects`` loads nothing;
* ``match`` rebuilds the touchpoints from everything loaded with the same SQL as ``run``, so
  ``load`` + ``match`` give the touchpoints ``run`` gives on the same files in the same order;
* ``status`` says whether the last match is stale (files loaded after it).

No typer, no rich: the CLI renders what these functions return.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from calltouch import queries, timeformats
from calltouch.durations import format_window
from calltouch.errors import (
    DamagedWorkspaceError,
    InputError,
    OutOfMemoryError,
    TooManyRejectsError,
    UsageError,
    WorkspaceInUseError,
)
from calltouch.inputs import (
    BOMS,
    FIELDS,
    Role,
    cannot_read,
    normalise_header,
    open_bytes,
    resolve,
)
from calltouch.load import (
    DELETED_ERRORS,
    LoadedFile,
    LoadOptions,
    check_time_zone,
    file_stamp,
    load_file,
    refuse_changed_since,
    same_zone,
)
from calltouch.pipeline import (
    RejectedLines,
    RunSettings,
    fields_dropped,
    loaded_out_of_order,
    loading_notes,
    match,
    max_rejects_advice,
    parse_max_rejects,
    reject_examples,
    settings_summary,
    summarize,
)

DEFAULT_DB = "calltouch.duckdb"
ENV_DB = "CALLTOUCH_DB"


def db_path(option: str | Path | None) -> Path:
    """``--db``, else $CALLTOUCH_DB, else calltouch.duckdb in the current folder."""
    return Path(option or os.environ.get(ENV_DB) or DEFAULT_DB)


_WRITE_HINT = (
    "This command changes the workspace: run it as a user who may write the file and its "
    "folder (status, report, explain, export, attribute and dashboard only read it)."
)


def open_workspace(
    path: Path,
    *,
    create: bool = True,
    read_only: bool = False,
    writes: bool = True,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open (and with ``create``, make) a workspace file, schema included. A command that
    only reads it (``writes`` false) opens a file it may not write read-only: a workspace
    shared read-only (a team share, a read-only mount) can still be reported from.
    ``threads``, ``memory_limit`` and ``temp_directory`` as :func:`calltouch.queries.connect`'s
    (DuckDB spills beside the file by default)."""
    if str(path).startswith(":memory:"):
        raise UsageError(
            f"the workspace {path} (--db, or CALLTOUCH_DB) names DuckDB's in-memory database, "
            "which keeps nothing: what load adds to it would be lost as the command ends",
            hint="A workspace is a file: e.g. --db calltouch.duckdb.",
        )
    if not create and not path.exists():
        raise InputError(
            f"no workspace at {path}",
            hint="Load exports first: calltouch load tasks FILE... then calltouch load "
            "sessions FILE... (or pass --db / set CALLTOUCH_DB).",
        )
    _refuse_other_files(path)
    limits: dict[str, Any] = {
        "threads": threads,
        "memory_limit": memory_limit,
        "temp_directory": temp_directory,
    }
    if not writes and not read_only and path.exists():
        shared = _open_shared(path, limits)
        if shared is not None:
            return shared
    if writes and not read_only and path.exists():
        _require_writable_folder(path)
    try:
        con = queries.connect(path, read_only=read_only, **limits)
    except duckdb.IOException as exc:
        text = str(exc)
        if not read_only and not writes and _not_writable(text):
            return open_workspace(path, create=create, read_only=True, **limits)
        if "lock" in text.lower():
            raise WorkspaceInUseError(
                f"the workspace {path} is in use by another program",
                hint="Wait for the other calltouch (or DuckDB client) to finish, then retry.",
            ) from exc
        if "Could not read enough bytes from file" in text:
            # cut short before its catalog ends (a copy stopped early): DuckDB cannot open it
            raise DamagedWorkspaceError(
                f"the workspace {path} is damaged (cut short: {_size(path)}, too few for "
                "DuckDB to read its tables' list)",
                hint=queries.DAMAGED_HINT,
            ) from exc
        hint = None
        if _not_writable(text):
            hint = _WRITE_HINT
        elif path.is_dir():
            hint = "--db names the workspace file, not a folder: e.g. --db marketing.duckdb."
        elif not path.parent.is_dir():
            blocking = next((p for p in path.parents if p.exists()), None)
            if blocking is not None and not blocking.is_dir():  # mkdir would say "File exists"
                hint = (
                    f"{blocking} is a file, not a folder: name a workspace in a folder, e.g. "
                    f"--db {path.name}."
                )
            else:
                hint = (
                    f"Its folder {path.parent} does not exist: create it first, or name a "
                    "workspace in an existing folder."
                )
        raise InputError(
            f"cannot open the workspace {path}: {text.splitlines()[0]}", hint=hint
        ) from exc
    except (duckdb.ParserException, duckdb.InvalidInputException) as exc:
        # the settings (--memory-limit, --threads), not the file: DuckDB checks them first
        raise UsageError(
            f"DuckDB refused the settings: {str(exc).splitlines()[0]}",
            hint="--memory-limit takes sizes such as 500MB or 4GB; --threads a whole number.",
        ) from exc
    except duckdb.OutOfMemoryException as exc:
        # a limit too small to open the file at all: the limit, not the file, is wrong
        raise OutOfMemoryError(
            f"the workspace {path} cannot be opened within --memory-limit "
            f"{memory_limit}: {str(exc).splitlines()[0]}",
            hint="Give DuckDB more memory, e.g. --memory-limit 1GB (or leave the default).",
        ) from exc
    except duckdb.Error as exc:
        raise InputError(
            f"{path} is not a DuckDB workspace: {str(exc).splitlines()[0]}",
            hint="Point --db at a calltouch workspace, or at a new file name to create one.",
        ) from exc
    try:
        _refuse_cut_short(con, path)
        layout = set(queries.run(con, "schema_columns").fetchall())
        _refuse_other_databases(con, path, layout)
        if not read_only:
            queries.run(con, "create_schema", packed_details=False)
            queries.run(con, "workspace_schema")
        elif not create:
            _require_current_layout(con, path, layout)
    except BaseException:
        # closed before the caller removes a file it created (a first load stopped here)
        con.close()
        raise
    return con


def _open_shared(path: Path, limits: dict[str, Any]) -> duckdb.DuckDBPyConnection | None:
    """A command that only reads opens a workspace of this calltouch's layout read-only, so
    that readers (four reports at once, a DuckDB client reading it) do not lock each other
    out: a read-write open takes the file for itself. None when it cannot (a writer holds the
    file, or an older calltouch made it): the read-write open then says why, or brings the
    workspace up to date."""
    try:
        con = queries.connect(path, read_only=True, **limits)
    except duckdb.Error:
        return None
    try:
        _refuse_cut_short(con, path)
        layout = set(queries.run(con, "schema_columns").fetchall())
        if _current_layout() - layout:
            con.close()
            return None
        _refuse_other_databases(con, path, layout)
    except BaseException:
        con.close()
        raise
    return con


# A DuckDB file's three headers (the main one and two database headers) before its blocks.
_HEADERS_BYTES = 3 * 4096


def _size(path: Path) -> str:
    """The file's size in bytes, for a message ("? bytes" when it cannot be read)."""
    try:
        return f"{path.stat().st_size:,} bytes"
    except OSError:
        return "? bytes"


def _refuse_cut_short(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise DamagedWorkspaceError when the file is shorter than its headers and the blocks
    it uses: a copy or a download cut short. DuckDB opens such a file and answers every
    query whose blocks are whole, so `load` appended to it and `status` and `match` called it
    up to date, while `report` failed on a block past the end. Used blocks, not all: DuckDB
    truncates free blocks off a file's end and still counts them (a healthy workspace, after
    a match that freed blocks, was refused), while a whole file holds every block it uses."""
    row = queries.run(con, "database_blocks").fetchone()
    if row is None or not row[1]:
        return
    needed = _HEADERS_BYTES + int(row[0]) * int(row[1])
    try:
        size = path.stat().st_size
    except OSError:
        return  # not a file this can measure: DuckDB's own errors tell the rest
    if size < needed:
        raise DamagedWorkspaceError(
            f"the workspace {path} is damaged (cut short: {size:,} bytes, fewer than the "
            f"{needed:,} its blocks in use take)",
            hint=queries.DAMAGED_HINT,
        )


@cache
def _current_layout() -> frozenset[tuple[str, str]]:
    """The (table, column) pairs of a workspace made by this calltouch."""
    con = queries.connect()
    try:
        queries.run(con, "create_schema", packed_details=False)
        queries.run(con, "workspace_schema")
        return frozenset(queries.run(con, "schema_columns").fetchall())
    finally:
        con.close()


# Columns a workspace opened read-only may lack: the queries that read them ask first.
# input_files.numeric (which task columns a Parquet file types as numbers): a workspace made
# before it exports every carried cell as text, as that calltouch did.
# opportunity_rows.currency: a workspace made before it has no currencies to compare.
# loads.full_path: a workspace made before it compares a loaded path as named (export -o).
_READ_WITHOUT = frozenset(
    {("input_files", "numeric"), ("opportunity_rows", "currency"), ("loads", "full_path")}
)


def _require_current_layout(
    con: duckdb.DuckDBPyConnection, path: Path, layout: set[tuple[str, str]]
) -> None:
    """A workspace opened read-only cannot be brought up to date: refuse one an older
    calltouch made (a table or column missing from ``layout``, its (table, column) pairs)
    instead of failing on the first query."""
    missing = _current_layout() - layout - _READ_WITHOUT
    if missing:
        con.close()
        tables = sorted({table for table, _ in missing})
        raise InputError(
            f"the workspace {path} was made by an older calltouch and lacks "
            f"{', '.join(tables[:4])}{' ...' if len(tables) > 4 else ''}; opened read-only, "
            "it cannot be brought up to date",
            hint="Open it once as a user who may write the file (calltouch status adds what "
            "this version needs); if that is not enough, load its exports into a new "
            "workspace.",
        )


# What marks a DuckDB database as a calltouch workspace: its table of loaded files.
_MARK = ("input_files", frozenset({"file_id", "role", "path", "header"}))


def _refuse_other_databases(
    con: duckdb.DuckDBPyConnection, path: Path, layout: set[tuple[str, str]]
) -> None:
    """Refuse a DuckDB database that holds tables or views (in any schema) but is no
    calltouch workspace (another tool's, given as --db by mistake): calltouch would replace
    its tables named alike (tasks, links, touchpoints ...) without a word, or add its own
    beside them. An empty database becomes a workspace. ``layout``: the main schema's
    (table, column) pairs."""
    table, needed = _MARK
    if needed <= {column for name, column in layout if name == table}:
        return
    objects = [str(name) for (name,) in queries.run(con, "database_objects").fetchall()]
    if not objects:
        return
    con.close()
    shown = [name.removeprefix("main.") for name in objects]
    raise InputError(
        f"{path} is a DuckDB database but not a calltouch workspace: it holds "
        f"{', '.join(shown[:5])}{f' and {len(shown) - 5} more' if len(shown) > 5 else ''} "
        "and no calltouch input_files table",
        hint="calltouch would replace tables it names alike (tasks, links, touchpoints...): "
        "point --db at a calltouch workspace, or at a new file name to create one.",
    )


def remove_workspace_files(path: Path) -> None:
    """Remove a workspace file and its write-ahead log (a first load that failed: nothing
    in it, and a status on it would say "nothing loaded" instead of "no workspace")."""
    for name in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            name.unlink()


def _require_writable_folder(path: Path) -> None:
    """A command that changes the workspace writes a journal beside it (``NAME.wal``): in a
    folder it may not write, DuckDB fails only when committing, after all the work, with an
    error that reads like a bug. Say so first."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(
            f"cannot change the workspace {path}: its folder {folder} is not writable (DuckDB "
            f"writes a journal, {path.name}.wal, beside the file while it changes it)",
            hint=_WRITE_HINT,
        )


def _not_writable(message: str) -> bool:
    """Whether DuckDB could not open a file for writing (but reading may work)."""
    lowered = message.lower()
    # EPERM: an immutable file (chattr +i) or a folder that forbids it, as EACCES
    return any(
        reason in lowered
        for reason in ("permission denied", "read-only file system", "operation not permitted")
    )


# A DuckDB database file has this at byte 8 (its header's magic).
_DUCKDB_MAGIC = b"DUCK"


def _refuse_other_files(path: Path) -> None:
    """Refuse a --db that names an existing file which is not a DuckDB database (an export
    passed by mistake): DuckDB would open it as an empty database that is never saved, and
    whatever is loaded into it would be lost without a word."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError:
        return  # DuckDB's own error says what is wrong with it
    if head[8:12] != _DUCKDB_MAGIC:
        raise InputError(
            f"{path} is not a calltouch workspace: it exists and is not a DuckDB database "
            "file (an export given as --db?)",
            hint="Point --db at a workspace (calltouch.duckdb by default), or at a new file "
            "name to create one; exports are arguments: calltouch load tasks FILE...",
        )


def content_hash(path: Path) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class LoadOutcome:
    """What ``load`` did with one file."""

    path: str
    role: Role
    status: str  # 'loaded' or 'skipped'
    load_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_deleted: int = 0  # of the rejected, records deleted at the source (IsDeleted)
    rows_footer: int = 0
    same_as: str | None = None  # for a skipped file: the earlier load it repeats
    notes: list[str] = field(default_factory=list)  # what the reading chose (see LoadedFile)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


def load(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    specs: list[str],
    options: LoadOptions,
    *,
    max_rejects: str = "1%",
) -> list[LoadOutcome]:
    """Append the files ``specs`` name to the workspace (all or nothing)."""
    allowed = parse_max_rejects(max_rejects)
    tz = check_time_zone(con, options.tz, "--tz")
    options = LoadOptions(
        tz=tz,
        overrides=options.overrides,
        profile=options.profile,
        encoding=options.encoding,
        date_order=options.date_order,
        workspace=True,
        tz_given=options.tz_given,
    )
    paths = [p for spec in specs for p in resolve(spec, role)]
    outcomes: list[LoadOutcome] = []
    files: list[LoadedFile] = []
    con.begin()
    try:
        new_files: list[int] = []
        with tempfile.TemporaryDirectory(prefix="calltouch-load-") as workdir:
            for path in paths:
                stamp = file_stamp(path)  # the hash, too, must be of what is loaded
                try:
                    digest = content_hash(path)
                except OSError as exc:  # no permission to read, a folder's entry gone...
                    raise cannot_read(role, path, exc) from exc
                earlier = queries.run(
                    con, "find_load", {"role": role, "content_hash": digest}
                ).fetchone()
                if earlier is not None:
                    same_as = (
                        f"load #{earlier[0]} of {earlier[1]} at {earlier[2]:%Y-%m-%d %H:%M} UTC"
                    )
                    if earlier[3] is not None and not same_zone(con, str(earlier[3]), tz):
                        # the same bytes read in another zone would give other times: say so
                        same_as += (
                            f"; times without a zone in it, if any, were read in {earlier[3]}, "
                            f"not {tz} as asked now; a workspace holds one reading of a file: "
                            "to read it in another zone, load it into a new workspace (--db)"
                        )
                    other = _other_reading(role, options, json.loads(earlier[4] or "{}"), path)
                    if other:
                        same_as += (
                            f"; it was read otherwise than asked now ({'; '.join(other)}); a "
                            "workspace holds one reading of a file: to read it otherwise, load "
                            "it into a new workspace (--db)"
                        )
                    outcomes.append(
                        LoadOutcome(
                            str(path), role, "skipped", load_id=int(earlier[0]), same_as=same_as
                        )
                    )
                    continue
                full_path = str(path.resolve())
                replaced = queries.run(
                    con,
                    "earlier_content",
                    {"role": role, "full_path": full_path, "content_hash": digest},
                ).fetchone()
                load_id, file_id = queries.run(con, "next_ids").fetchone() or (1, 0)
                loaded = load_file(
                    con, role, path, file_id=file_id, options=options, workdir=Path(workdir)
                )
                refuse_changed_since(role, path, stamp)
                files.append(loaded)
                queries.run(
                    con,
                    "add_load",
                    {
                        "load_id": load_id,
                        "role": role,
                        "path": loaded.path,
                        "content_hash": digest,
                        "file_id": file_id,
                        "rows_read": loaded.rows_read,
                        "rows_loaded": loaded.rows_loaded,
                        "rows_rejected": loaded.rows_rejected,
                        "rows_footer": loaded.rows_footer,
                        "loaded_at": datetime.now(UTC).replace(tzinfo=None),
                        "full_path": full_path,
                    },
                )
                new_files.append(file_id)
                outcomes.append(
                    LoadOutcome(
                        loaded.path,
                        role,
                        "loaded",
                        load_id=load_id,
                        rows_read=loaded.rows_read,
                        rows_loaded=loaded.rows_loaded,
                        rows_rejected=loaded.rows_rejected,
                        rows_deleted=RejectedLines.of(con, role, [file_id]).deleted
                        if loaded.rows_rejected
                        else 0,
                        rows_footer=loaded.rows_footer,
                        notes=[
                            *_changed_content(role, replaced),
                            *loaded.notes,
                            *fields_dropped(con, loaded),
                            *loaded_out_of_order(con, loaded, workspace=True),
                        ],
                    )
                )
        read, rejected = queries.run(con, "batch_rejects", {"file_ids": new_files}).fetchone() or (
            0,
            0,
        )
        lines = RejectedLines.of(con, role, new_files)
        if allowed.exceeded(rejected, read, lines):
            raise TooManyRejectsError(
                f"{lines.describe(rejected, read, role)}, more than --max-rejects "
                f"{max_rejects} allows; nothing was loaded. "
                f"First: {reject_examples(con, role, new_files)}",
                hint=lines.hint()
                + max_rejects_advice(
                    *lines.counted(rejected, read), reading_options=not lines.extra
                )
                + loading_notes(files),
            )
    except InputError as exc:
        con.rollback()
        if files:  # the files read before the one that failed are not kept either: say so
            names = [Path(f.path).name for f in files]
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            exc.hint = (f"{exc.hint} " if exc.hint else "") + (
                f"Nothing was loaded, {shown} neither: the files of one load go in together or "
                "not at all."
            )
        raise
    except BaseException:
        con.rollback()
        raise
    queries.commit(con)
    return outcomes


def _changed_content(role: Role, earlier: tuple[Any, ...] | None) -> list[str]:
    """The note for a file loaded before with other content (a re-downloaded export under
    the same name): both are kept, so what the new one no longer holds still counts."""
    if earlier is None:
        return []
    records = "task" if role == "tasks" else "record"
    return [
        f"this file was loaded before with other content (load #{earlier[0]} at "
        f"{earlier[1]:%Y-%m-%d %H:%M} UTC); the workspace keeps both: an id's latest copy wins "
        f"(R9), but a {records} the new file no longer holds (deleted at the source, left out "
        "of an export that lists no deleted records) stays as the earlier file had it. To "
        "count only what the exports hold now, load them into a new workspace (--db)."
    ]


def _other_reading(
    role: Role, options: LoadOptions, summary: Mapping[str, Any], path: Path
) -> list[str]:
    """The reading options given now that the earlier load of the same file (its stored
    ``summary``) did not read it with, each as the option and what was used instead. A
    file's byte order mark decides its encoding whatever --encoding says: not a difference."""
    out: list[str] = []
    if "encoding" in summary and not _has_bom(path):
        # without --encoding a file is read as UTF-8: one read as another was asked so then
        asked, used = _codec(options.encoding or "utf-8"), _codec(str(summary["encoding"]))
        if asked != used:
            given = f"--encoding {options.encoding}" if options.encoding else "no --encoding"
            out.append(f"{given}: read as {summary['encoding']}")
    if options.profile and summary.get("profile") not in (None, options.profile):
        out.append(f"--profile {options.profile}: read as {summary['profile']}")
    mapping = summary.get("mapping") or {}
    for name, column in sorted(options.overrides.items()):
        if str(mapping.get(name) or "").casefold() != column.casefold():
            was = mapping.get(name)
            out.append(
                f"--map {role}.{name}={column}: read from {was}"
                if was
                else f"--map {role}.{name}={column}: not read"
            )
    styles = set((summary.get("time_styles") or {}).values())
    if options.date_order:
        used_order = next(
            (
                order
                for order in ("mdy", "dmy")
                if any(str(style).startswith(timeformats.locale_style(order)) for style in styles)
            ),
            None,
        )
        if used_order not in (None, options.date_order):
            out.append(f"--date-order {options.date_order}: read as {used_order}")
    return out


def _has_bom(path: Path) -> bool:
    """Whether a CSV file starts with a byte order mark (a Parquet file never does)."""
    try:
        with open_bytes(path) as handle:
            start = handle.read(4)
    except OSError:
        return False
    return any(start.startswith(bom) for bom, _ in BOMS)


def _codec(name: str) -> str:
    """An encoding's canonical name (latin-1 and iso-8859-1 are one), or the name itself."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def match_workspace(con: duckdb.DuckDBPyConnection, settings: RunSettings) -> dict[str, Any]:
    """Rebuild touchpoints from everything loaded; record and return the summary."""
    if not queries.has_table(con, "input_files") or not _loaded_anything(con):
        raise InputError(
            "the workspace holds no exports yet",
            hint="calltouch load tasks FILE... and calltouch load sessions FILE... first.",
        )
    con.begin()
    try:
        state = input_state(con)
        _require_stored_rows(state)
        _require_unedited(con, state)
        _drop_early_sessions_table(con)
        match(con, settings)
        recorded = settings_summary(settings)
        for key in ("tasks_tz", "sessions_tz"):
            recorded.pop(key)  # zones belong to each load, and are in files[]
        summary = summarize(con, recorded)
        queries.run(
            con,
            "add_match_run",
            {
                "ran_at": datetime.now(UTC).replace(tzinfo=None),
                "window_us": settings.window_us,
                "per_session": settings.per_session,
                # which code matched, from which inputs: a match is kept only by the same
                # code, the inputs unchanged (current_match)
                "summary": json.dumps(
                    {**summary, MATCH_CODE: match_code(), MATCH_INPUTS: state}, sort_keys=True
                ),
            },
        )
    except BaseException:
        con.rollback()
        raise
    try:
        queries.commit(con)
    except BaseException:
        # stopped in the commit: undone unless it had ended (then there is nothing to undo)
        with contextlib.suppress(duckdb.Error):
            con.rollback()
        raise
    return summary


# The keys of a stored match summary naming the code that made it (match_code) and the
# state of the inputs it read (input_state).
MATCH_CODE = "_match_code"
MATCH_INPUTS = "_inputs"
# The tables a match builds, which report, explain and export read.
MATCH_TABLES = ("tasks", "session_copies", "match_sessions", "links", "touchpoints", "unmatched")


def _drop_early_sessions_table(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the `sessions` table the first workspace versions' match made, where this match
    makes a view (CREATE OR REPLACE VIEW cannot replace a table: such a workspace could never
    be matched again, "Existing object sessions is of type Table"). Only in a workspace
    those versions matched (no session_copies, which came with the view), never a table of
    that name a user made in a current one; match builds the view in the same transaction."""
    if queries.has_table(con, "session_copies"):
        return
    for (name,) in queries.run(con, "base_tables", {"names": ["sessions"]}).fetchall():
        queries.run(con, "drop_table", table=str(name))


@cache
def match_code() -> str:
    """A fingerprint of calltouch's code (its Python modules and SQL templates): a match made
    by other code, even under the same version number, may link calls differently."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted([*package.glob("*.py"), *queries.sql_dir().glob("*.sql*")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def unread_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Notes on the files an earlier calltouch loaded without a field this one reads (a
    session's IS_DELETED, a task's IsDeleted, HAS_FORM): their rows keep that reading, as a
    file already loaded is skipped, so a deleted record stays live. A field the mapping has no
    key for was not a field then (one --map ignored has its key, with no column); its column
    is found in the stored header by the field's usual names."""
    notes: list[str] = []
    for row in queries.fetch_dicts(con, "file_readings"):
        mapping = json.loads(row["mapping"] or "{}")
        header = json.loads(row["header"] or "[]")
        if not mapping or not header:
            continue
        names = {normalise_header(str(h)).lower(): str(h) for h in header}
        unread = {
            fld.name: found[0]
            for fld in FIELDS[row["role"]]
            if fld.name not in mapping
            for found in [[names[a.lower()] for a in fld.aliases if a.lower() in names]]
            if found
        }
        if unread:
            columns = ", ".join(unread.values())
            notes.append(
                f"{row['path']} was loaded by an earlier calltouch, which did not read its "
                f"column{'s' if len(unread) > 1 else ''} {columns}: its rows keep that reading"
                + (" (its deleted records stay live)" if "is_deleted" in unread else "")
                + ". Load the exports into a new workspace (--db NEW.duckdb) to read them."
            )
    return notes


def input_state(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The counts of loads and stored rows a match depends on (input_state.sql)."""
    return {key: int(value) for key, value in queries.fetch_dicts(con, "input_state")[0].items()}


# Why a workspace is stale when match refuses it (_require_stored_rows): said with its own
# remedy (stale_remedy), not "run calltouch match".
UNMATCHABLE = "rows were removed or added outside calltouch since the last match"
# Why a workspace with touchpoints is stale when its match_runs record is gone.
MATCH_RECORD_MISSING = "the record of the last match is missing"


# the stale reasons of a workspace whose match tables were changed in another program: what
# the commands answer from is those tables as they are now, not what the last match wrote
OUTPUTS_CHANGED = "the touchpoints are not the last match's"
TABLES_CHANGED = "the match's tables are not as it made them"


def stale_figures(reason: str) -> str:
    """Where the figures of a workspace stale for ``reason`` come from, as a clause."""
    if reason.startswith(OUTPUTS_CHANGED):
        return "these figures are from its tables as they are now, not as the last match made them"
    if reason.startswith(TABLES_CHANGED):  # touchpoints and unmatched as the match wrote them
        return (
            "these figures are from the last match (explain and the attribution read the "
            "changed tables)"
        )
    return "these figures are from the last match"


def stale_remedy(reason: str, *, short: bool = False) -> str:
    """What brings a workspace stale for ``reason`` up to date, as a clause; ``short`` for a
    line that has little room (the dashboard's footer)."""
    if reason == UNMATCHABLE:
        if short:
            return "reload into --db NEW.duckdb"
        return "load the exports again into a new workspace (--db NEW.duckdb): match refuses it"
    return "run calltouch match"


def _stored_rows_differ(state: Mapping[str, int]) -> bool:
    """Whether the row tables no longer hold what the loads stored (see _require_stored_rows)."""
    return (
        state["task_usable"] != state["tasks_loaded"]
        or state["session_usable"] != state["sessions_loaded"]
    )


def _edited_since(recorded: Mapping[str, int] | None, state: Mapping[str, int]) -> bool:
    """Whether rows were removed or added outside calltouch since the match that recorded
    ``recorded`` (its input_state): rejects that are not those the loads recorded (with loads
    since, too); or the same loads and files and other counts of stored or rejected rows.
    Only a load changes them (a deleted record's row removed in a DuckDB client brought the
    task it deleted back)."""
    if recorded is None:
        return False
    if "rejects_recorded" in recorded and (
        recorded["rejects_recorded"] - recorded["rejects"]
        != state["rejects_recorded"] - state["rejects"]
    ):
        return True  # loads since or not: each adds to both
    same_loads = all(recorded.get(key) == state[key] for key in ("loads", "files"))
    return same_loads and any(
        recorded.get(key) != state[key] for key in ("task_rows", "session_rows", "rejects")
    )


def _require_unedited(con: duckdb.DuckDBPyConnection, state: Mapping[str, int]) -> None:
    """Refuse to match a workspace whose stored rows changed outside calltouch since its last
    match (:func:`_edited_since`)."""
    last = queries.fetch_dicts(con, "last_match") if queries.has_table(con, "match_runs") else []
    recorded = json.loads(last[0]["summary"]).get(MATCH_INPUTS) if last else None
    if _edited_since(recorded, state):
        raise InputError(
            "the workspace's task_rows, session_rows or rejects changed outside calltouch "
            "since the last match, with no load: rows were removed or added in another program",
            hint="Load the exports again into a new workspace (--db NEW.duckdb); "
            "calltouch load keeps each file's rows and its record together.",
        )


def _require_stored_rows(state: Mapping[str, int]) -> None:
    """Refuse to match a workspace whose row tables no longer hold what its loads stored
    (rows deleted, or a table dropped and made again empty, in another program): the match
    would link calls to what is left and still reconcile, as the loads' counts add up."""
    for role, stored, loaded in (
        ("task", state["task_usable"], state["tasks_loaded"]),
        ("session", state["session_usable"], state["sessions_loaded"]),
    ):
        if stored != loaded:
            raise InputError(
                f"the workspace's {role}_rows holds {stored:,} usable rows, but its loads "
                f"stored {loaded:,}: rows were removed or added outside calltouch",
                hint="Load the exports again into a new workspace (--db NEW.duckdb); "
                "calltouch load keeps each file's rows and its record together.",
            )


def outdated(con: duckdb.DuckDBPyConnection, run: Mapping[str, Any]) -> str | None:
    """Why the match ``run`` (a last_match row) no longer reflects the workspace, or None:
    tasks or sessions loaded since, its inputs changed since (rows removed, a load's record
    gone), made by other code, or its tables missing."""
    state = input_state(con)
    if _stored_rows_differ(state):  # first: a load since does not make match accept it
        return UNMATCHABLE
    summary = json.loads(run["summary"])
    recorded = summary.get(MATCH_INPUTS)
    if _edited_since(recorded, state):
        return UNMATCHABLE
    newer = int(run["newer_loads"])
    if newer > 0:
        return f"{newer} load(s) of tasks or sessions since the last match"
    if matched_by_older_version(con):
        return "matched by an older calltouch"
    if summary.get(MATCH_CODE) != match_code():
        return "matched by another calltouch version"
    if recorded is not None and recorded != state:
        return "the loaded rows changed since the last match (edited in another program?)"
    missing = lost_match_parts(con)
    if not queries.has_table(con, "calls_by_channel"):
        # the README's view: no command reads it, so it makes the match stale (match builds
        # it again) without stopping report or export as a missing table does
        missing.append("calls_by_channel")
    if missing:
        return f"parts of the last match are missing: {', '.join(missing)}"
    changed = _outputs_changed(con, summary)
    if changed:
        return changed
    if not summary.get("reconciled"):
        return "the last match did not reconcile"
    return None


def _outputs_changed(con: duckdb.DuckDBPyConnection, summary: Mapping[str, Any]) -> str | None:
    """Why the touchpoints and unmatched tasks are not what the last match (its ``summary``)
    wrote, or None: rows deleted in a DuckDB client, or a rendered match run there with other
    settings, were reported and exported as the last match's."""
    tasks = summary.get("tasks") or {}
    if not all(key in tasks for key in ("merged", "standalone", "unmatched")):
        return None  # a match recorded by an older calltouch: nothing to compare with
    row = queries.fetch_dicts(con, "match_output_counts")[0]
    held = {key: int(row[key]) for key in ("merged", "standalone", "unmatched")}
    wrote = {key: int(tasks[key]) for key in held}
    if held != wrote:
        said = ", ".join(
            f"{held[k]:,} {k} (it wrote {wrote[k]:,})" for k in held if held[k] != wrote[k]
        )
        return f"{OUTPUTS_CHANGED}: {said} (changed in another program?)"
    # the tables explain reads beside them: every task is a touchpoint or unmatched, and a
    # task with a BizibleId (a touchpoint) has a link; rows deleted there made explain tell a
    # task loaded before the match as "loaded after the last match", or give no result
    made = {"tasks": sum(wrote.values()), "links": wrote["merged"] + wrote["standalone"]}
    said = ", ".join(
        f"{int(row[k]):,} {k} (it made {made[k]:,})" for k in made if int(row[k]) != made[k]
    )
    return f"{TABLES_CHANGED}: {said} (changed in another program?)" if said else None


def lost_match_parts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of the last match that are gone, and their columns (as table.column) a
    DuckDB client dropped: the commands that read them would fail with a catalog error
    instead of asking for a match."""
    missing = [name for name in MATCH_TABLES if not queries.has_table(con, name)]
    layout = set(queries.run(con, "schema_columns").fetchall())
    missing += [
        f"{table}.{column}"
        for table, column in sorted(_match_layout())
        if table not in missing
        and (table, column) not in layout
        # a match of an older calltouch, which explain asks to redo (matched_by_older_version)
        and (table, column) != ("match_sessions", "_row")
    ]
    return missing


@cache
def _match_layout() -> frozenset[tuple[str, str]]:
    """The (table, column) pairs of the tables a match of this calltouch builds (MATCH_TABLES),
    from a match of nothing."""
    con = queries.connect()
    try:
        queries.run(con, "create_schema", packed_details=False)
        queries.run(con, "workspace_schema")
        match(con, RunSettings())
        return frozenset(
            (table, column)
            for table, column in queries.run(con, "schema_columns").fetchall()
            if table in MATCH_TABLES
        )
    finally:
        con.close()


def current_match(con: duckdb.DuckDBPyConnection, settings: RunSettings) -> dict[str, Any] | None:
    """The last match's summary when matching again would rebuild the same touchpoints:
    nothing loaded since (tasks or sessions) nor changed, the same window and per-session
    rule, made by this very code, reconciled, its tables all there. None otherwise (a match
    must run)."""
    if not queries.has_table(con, "match_runs"):
        return None
    last = queries.fetch_dicts(con, "last_match")
    if not last:
        return None
    run = last[0]
    same = int(run["window_us"]) == settings.window_us and run["per_session"] == (
        settings.per_session
    )
    if not same or outdated(con, run) is not None:
        return None
    summary: dict[str, Any] = json.loads(run["summary"])
    summary.pop(MATCH_CODE, None)
    if summary.pop(MATCH_INPUTS, None) is None or not summary.get("reconciled"):
        return None
    return summary


def _loaded_anything(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(queries.run(con, "next_ids").fetchone()[1] > 0)  # type: ignore[index]


def matched_by_older_version(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the last match was made by a calltouch whose match_sessions lacked ``_row``
    (the row of session_rows with the session's cookie id and details, which explain reads)."""
    older = not queries.has_column(con, "match_sessions", "_row")
    return queries.has_table(con, "match_sessions") and older


def require_current_match(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise a clear error when the workspace has no match this version can explain."""
    require_match(con, path)
    if not queries.has_table(con, "match_runs") or not queries.fetch_dicts(con, "last_match"):
        raise InputError(
            f"the workspace {path} has touchpoints but no record of the match that built them "
            "(its match_runs table is missing or empty), so it cannot say with which settings",
            hint="Run calltouch match to rebuild the touchpoints and their record.",
        )
    if matched_by_older_version(con):
        raise InputError(
            f"the workspace {path} was matched by an older calltouch, whose tables explain "
            "cannot read",
            hint="Run calltouch match to rebuild the touchpoints (the same results), then "
            "explain again.",
        )


def require_match(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise a clear error when the workspace has never been matched, or lost a table of its
    match (dropped in another program)."""
    if not queries.has_table(con, "touchpoints"):
        raise InputError(
            f"the workspace {path} has no touchpoints yet",
            hint="Run calltouch match after loading tasks and sessions.",
        )
    missing = lost_match_parts(con)
    if missing and _matched_by_other_code(con) and not set(missing) & _ALWAYS_BUILT:
        # an upgrade: the older match never built them (nothing was lost)
        raise InputError(
            f"the workspace {path} was last matched by another calltouch version, which did "
            f"not build what this one reads: {', '.join(missing)}",
            hint="Run calltouch match to match it again with this version (what was loaded "
            "is kept).",
        )
    if missing:
        raise InputError(
            f"the workspace {path} lacks parts its last match built: {', '.join(missing)}",
            hint="Run calltouch match to build them again.",
        )


# The tables every calltouch's match built: one of them missing was lost, whichever
# version matched (the others, and columns, may be newer than the match on record).
_ALWAYS_BUILT = {"tasks", "links", "touchpoints", "unmatched"}


def _matched_by_other_code(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the last match on record was made by other calltouch code (an upgrade)."""
    if matched_by_older_version(con):
        return True
    if not queries.has_table(con, "match_runs"):
        return False
    last = queries.fetch_dicts(con, "last_match")
    return bool(last) and json.loads(last[0]["summary"]).get(MATCH_CODE) != match_code()


def stale_reason(info: Mapping[str, Any]) -> str | None:
    """From a :func:`status`, why the touchpoints no longer reflect what is loaded, or None
    when they do (or there are none)."""
    answered = info["last_match"] or info["stale_reason"] == MATCH_RECORD_MISSING
    return str(info["stale_reason"]) if info["stale"] and answered else None


def status(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, Any]:
    """What is loaded, the last match, and whether it is stale."""
    loads = (
        queries.fetch_dicts(con, "workspace_loads", {"deleted_errors": list(DELETED_ERRORS)})
        if queries.has_table(con, "loads")
        else []
    )
    spans = {x["role"]: (x.pop("role_first"), x.pop("role_last")) for x in loads}
    totals: dict[str, dict[str, Any]] = {}
    for role in ("tasks", "sessions"):
        mine = [x for x in loads if x["role"] == role]
        first, last = spans.get(role, (None, None))
        totals[role] = {
            "files": len(mine),
            "rows_read": sum(x["rows_read"] for x in mine),
            "rows_rejected": sum(x["rows_rejected"] for x in mine),
            "rows_deleted": sum(x["rows_deleted"] for x in mine),
            "first": first,
            "last": last,
        }
    last = queries.fetch_dicts(con, "last_match") if queries.has_table(con, "match_runs") else []
    out: dict[str, Any] = {"database": str(path), "loads": loads, "totals": totals}
    out["unread_columns"] = unread_columns(con) if loads else []
    if not last:
        out["last_match"] = None
        out["stale"] = bool(loads)
        out["stale_reason"] = "never matched" if loads else "nothing loaded"
        if loads and queries.has_table(con, "touchpoints"):  # match_runs lost or emptied
            out["stale_reason"] = MATCH_RECORD_MISSING
        return out
    run = last[0]
    summary = json.loads(run["summary"])
    out["last_match"] = {
        "ran_at": run["ran_at"],
        "window": format_window(int(run["window_us"])),
        "per_session": run["per_session"],
        "touchpoints": summary["tasks"]["touchpoints"],
        "merged": summary["tasks"]["merged"],
        "standalone": summary["tasks"]["standalone"],
        "unmatched": summary["tasks"]["unmatched"],
        # the reconciliation's other terms: read = touchpoints + unmatched + these
        "read": summary["tasks"].get("read"),
        "duplicates": summary["tasks"].get("duplicates"),
        "rejected": summary["tasks"].get("rejected"),
        "deleted": summary["tasks"].get("deleted"),
        "reconciled": summary["reconciled"],
    }
    reason = outdated(con, run)
    out["stale"] = reason is not None
    out["stale_reason"] = reason or "up to date"
    return out


__all__ = [
    "DEFAULT_DB",
    "ENV_DB",
    "LoadOutcome",
    "content_hash",
    "current_match",
    "db_path",
    "load",
    "match_workspace",
    "matched_by_older_version",
    "open_workspace",
    "outdated",
    "require_current_match",
    "require_match",
    "stale_reason",
    "status",
]

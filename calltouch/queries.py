"""Find, render and run the SQL templates of ``sql/``; the only place SQL meets DuckDB.

The contract of this module:

* Nothing here formats a value into SQL. Values reach DuckDB only as named bind parameters
  (``$name``); identifiers only through the ``ident`` filter (:func:`quote_identifier`).
* Every template starts with a header comment that declares its name, purpose, bind parameters
  and template context. Rendering refuses context the header does not declare, Jinja's
  ``StrictUndefined`` refuses names it does not know, and running refuses a bind parameter
  that the rendered statements use, or the caller gives, but the header does not declare
  (tests/test_templates.py holds every declared bind to a use).
* DuckDB errors are wrapped once, here, into :class:`~calltouch.errors.QueryError` carrying the
  template's name (and DuckDB's error as its cause: :func:`failed_on_data` tells a bad input
  from a bad template).
* Connections always compute in UTC, whatever the machine's time zone.

This module imports neither typer nor rich: the query layer runs without the CLI.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import stat
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import duckdb
import jinja2
import jinja2.meta

from calltouch.errors import (
    DamagedWorkspaceError,
    OutOfMemoryError,
    OutputError,
    QueryError,
    TemplateError,
    UsageError,
    refuse_name,
)

_PACKAGE_DIR = Path(__file__).resolve().parent
_HEADER_LINE = re.compile(r"^--\s*(name|purpose|binds|context):\s*(.*?)\s*$")
_REQUIRED_KEYS = ("name", "purpose", "binds", "context")


def sql_dir() -> Path:
    """The folder of templates: inside the installed package, else the repository's ``sql/``."""
    for candidate in (_PACKAGE_DIR / "sql", _PACKAGE_DIR.parent / "sql"):
        if candidate.is_dir():
            return candidate
    raise TemplateError("the SQL templates were not found next to the calltouch package")


def quote_identifier(name: object) -> str:
    """Quote ``name`` as a DuckDB identifier: wrap in double quotes, double any inside."""
    text = str(name)
    if "\x00" in text:
        raise TemplateError(f"identifier contains a NUL character: {text!r}")
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class TemplateInfo:
    """What a template's header declares."""

    name: str
    purpose: str
    binds: frozenset[str]
    context: frozenset[str]
    path: Path


def _parse_list(text: str) -> frozenset[str]:
    if text.strip().lower() in {"", "none", "-"}:
        return frozenset()
    return frozenset(item.strip().lstrip("$") for item in text.split(",") if item.strip())


def parse_header(path: Path) -> TemplateInfo:
    """Read the ``-- key: value`` header of a template file."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            break
        found[match.group(1)] = match.group(2)
    missing = [key for key in _REQUIRED_KEYS if key not in found]
    if missing:
        raise TemplateError(
            f"{path.name}: header lacks {', '.join(missing)}",
            hint="Start every template with -- name:, -- purpose:, -- binds:, -- context: lines.",
        )
    expected = path.name.removesuffix(".j2").removesuffix(".sql")
    if found["name"] != expected:
        raise TemplateError(f"{path.name}: header name {found['name']!r} is not {expected!r}")
    return TemplateInfo(
        name=found["name"],
        purpose=found["purpose"],
        binds=_parse_list(found["binds"]),
        context=_parse_list(found["context"]),
        path=path,
    )


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment: strict, no HTML escaping, one quoting filter."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(sql_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ident"] = quote_identifier
    return env


def template_names() -> list[str]:
    """Every runnable template (files starting with ``_`` hold shared macros)."""
    return sorted(
        p.name.removesuffix(".j2").removesuffix(".sql")
        for p in sql_dir().iterdir()
        if p.suffix in {".j2", ".sql"} and not p.name.startswith("_")
    )


def _template_path(name: str) -> Path:
    for suffix in (".sql.j2", ".sql"):
        path = sql_dir() / f"{name}{suffix}"
        if path.is_file():
            return path
    raise TemplateError(f"no SQL template named {name!r} in {sql_dir().name}/")


@cache
def info(name: str) -> TemplateInfo:
    """The header of template ``name``."""
    return parse_header(_template_path(name))


def used_context(name: str) -> frozenset[str]:
    """The template variables a template (and the macro files it imports) really uses."""
    env = environment()
    path = _template_path(name)
    source = path.read_text(encoding="utf-8")
    return frozenset(jinja2.meta.find_undeclared_variables(env.parse(source)))


def render(name: str, **context: Any) -> str:
    """Render template ``name`` with exactly the context its header declares."""
    declared = info(name).context
    given = frozenset(context)
    if given != declared:
        extra, lacking = sorted(given - declared), sorted(declared - given)
        raise TemplateError(
            f"{name}: context given does not match the header"
            + (f"; not declared: {', '.join(extra)}" if extra else "")
            + (f"; missing: {', '.join(lacking)}" if lacking else "")
        )
    path = _template_path(name)
    try:
        return environment().get_template(path.name).render(**context)
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{path.name}: {exc}") from exc


def statements(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> list[duckdb.Statement]:
    """Split rendered SQL into DuckDB statements, checking binds against the header."""
    try:
        parsed = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(name, f"the rendered SQL does not parse: {exc}") from exc
    used = frozenset().union(*(frozenset(s.named_parameters) for s in parsed))
    undeclared = used - info(name).binds
    if undeclared:
        raise TemplateError(f"{name}: uses undeclared bind parameters: {sorted(undeclared)}")
    return parsed


ProgressHook = Callable[[str, float], None]
_progress_hook: ProgressHook | None = None
PROGRESS_POLL_SECONDS = 0.1


@contextmanager
def reporting_progress(hook: ProgressHook | None) -> Iterator[None]:
    """While the block runs, call ``hook(template name, percent)`` about every 0.1 s for each
    statement DuckDB is running (percent is -1 when DuckDB cannot tell)."""
    global _progress_hook
    previous, _progress_hook = _progress_hook, hook
    try:
        yield
    finally:
        _progress_hook = previous


def _execute(
    con: duckdb.DuckDBPyConnection, name: str, statement: duckdb.Statement, values: dict[str, Any]
) -> duckdb.DuckDBPyConnection:
    hook = _progress_hook
    if hook is None:
        return con.execute(statement, values)
    done = threading.Event()

    def poll() -> None:
        while not done.wait(PROGRESS_POLL_SECONDS):
            try:
                hook(name, float(con.query_progress()))
            except duckdb.Error:  # no query running at this instant
                continue

    poller = threading.Thread(target=poll, name="calltouch-progress", daemon=True)
    poller.start()
    try:
        return con.execute(statement, values)
    finally:
        done.set()
        poller.join()


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB's report of work stopped by Ctrl-C or SIGTERM: its
    InterruptException, or a bare RuntimeError saying so (its Python client's)."""
    return isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()
    )


def raise_interrupt(exc: BaseException) -> None:
    """Raise KeyboardInterrupt from ``exc`` when it reports an interruption (see
    :func:`interrupted`), as the rest of calltouch tells one; return otherwise."""
    if interrupted(exc):
        raise KeyboardInterrupt from exc


def commit(con: duckdb.DuckDBPyConnection) -> None:
    """Commit ``con``'s transaction; stopped by Ctrl-C or SIGTERM, a KeyboardInterrupt (DuckDB
    raised its own exception there, which the commands did not tell as an interruption: a
    load saved as it was stopped said only "Terminated."); on a full disk, an OutputError."""
    try:
        con.commit()
    except (duckdb.InterruptException, RuntimeError) as exc:
        raise_interrupt(exc)
        raise
    except duckdb.Error as exc:
        refuse_full_disk(con, str(exc))
        raise


# How DuckDB tells a write that found the disk full (the system's ENOSPC message).
_NO_SPACE = "No space left on device"


def refuse_full_disk(con: duckdb.DuckDBPyConnection, text: str) -> None:
    """Raise OutputError (exit 5, as for any output that cannot be written) when DuckDB's
    error ``text`` says the disk of the connection's workspace file (or its write-ahead log)
    is full: it said "a bug in calltouch". An output file's full disk is its writer's to tell
    (export_table names the file); a spill folder's is told apart before (_cannot_spill)."""
    database = _DATABASE.get(con)
    if _NO_SPACE not in text or database is None:
        return
    if database not in text and os.path.abspath(database) not in text:
        return
    raise OutputError(
        f"cannot write the workspace {database}: the disk is full ({_first_line(text)})",
        hint="Free space on that disk, or use a workspace on a disk with room (--db, "
        "CALLTOUCH_DB). A workspace keeps each load and match whole or not at all: calltouch "
        "status shows what it holds.",
    )


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    binds: Mapping[str, Any] | None = None,
    **context: Any,
) -> duckdb.DuckDBPyConnection:
    """Render ``name``, bind ``binds`` and run its statements in order.

    Returns the connection, positioned on the result of the last statement, so callers can
    ``fetchall()``, ``fetchone()`` or ``fetchnumpy()`` it.
    """
    values = dict(binds or {})
    declared = info(name).binds
    unknown = set(values) - declared
    if unknown:
        raise TemplateError(
            f"{name}: bind parameters not declared in its header: {sorted(unknown)}"
        )
    sql = render(name, **context)
    parsed = statements(con, name, sql)
    result = con
    for statement in parsed:
        wanted = statement.named_parameters
        lacking = set(wanted) - set(values)
        if lacking:
            raise TemplateError(f"{name}: no value given for bind parameters {sorted(lacking)}")
        try:
            result = _execute(con, name, statement, {key: values[key] for key in wanted})
        except (duckdb.InterruptException, RuntimeError) as exc:
            raise_interrupt(exc)
            raise
        except duckdb.IOException as exc:
            spill = _SPILL.get(con)
            text = str(exc)
            _refuse_damaged(con, text)
            if spill is None or (spill not in text and "duckdb_temp" not in text):
                refuse_full_disk(con, text)
                raise QueryError(name, _first_line(text), hint=None) from exc
            raise _cannot_spill(con, name, spill, text) from exc
        except duckdb.OutOfMemoryException as exc:
            text = str(exc)
            if _SPILL_FULL in text:  # DuckDB 2.0 tells a full spill disk as out of memory
                raise _cannot_spill(con, name, _SPILL.get(con) or "?", text) from exc
            raise OutOfMemoryError(
                f"DuckDB ran out of memory in step {name} (memory limit "
                f"{_memory_limit(con)}), even spilling to disk",
                hint="Raise --memory-limit (e.g. --memory-limit 4GB) or lower --threads (each "
                "thread needs its own memory); --temp-dir points the spilling at a disk with "
                "more room (run, load, match and attribute take all three).",
            ) from exc
        except duckdb.Error as exc:
            _refuse_damaged(con, str(exc))
            refuse_full_disk(con, str(exc))
            raise QueryError(name, _first_line(str(exc)), hint=None) from exc
    return result


def _refuse_damaged(con: duckdb.DuckDBPyConnection, text: str) -> None:
    """Raise DamagedWorkspaceError when DuckDB's error ``text`` says the connection's own
    database file is damaged: a block it cannot read whole (the file cut short) or whose
    checksum is wrong. A damaged input file's error names that file, not the database."""
    database = _DATABASE.get(con)
    if database is None:
        return
    named = database in text or os.path.abspath(database) in text
    cut = "Could not read enough bytes from file" in text and named
    if not (cut or "Corrupt database file" in text):
        return
    raise DamagedWorkspaceError(
        f"the workspace {database} is damaged (cut short or overwritten): {_first_line(text)}",
        hint=DAMAGED_HINT,
    )


DAMAGED_HINT = (
    "Load its exports into a new workspace (calltouch load ... --db NEW.duckdb, then calltouch "
    "match): a damaged file cannot be mended, and writing to it loses more."
)


# DuckDB errors that a statement's own text causes whatever data it reads (an unknown macro,
# table or column, SQL that does not parse): a bug in a template, never the input's fault.
_SQL_ERRORS = (
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.ParserException,
    duckdb.SyntaxException,
)


def failed_on_data(exc: QueryError) -> bool:
    """Whether a failed query failed on the data it read (a damaged file, text a reader gives
    up on) rather than on its own SQL (a bug: an unknown macro, table or column)."""
    cause = exc.__cause__
    return isinstance(cause, duckdb.Error) and not isinstance(cause, _SQL_ERRORS)


# The memory limit each connection was opened with, as the user wrote it: an out-of-memory
# message names it without asking DuckDB (a limit too small for any query cannot be asked).
_LIMITS: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, str] = weakref.WeakKeyDictionary()


# The folder each connection spills to (its temp_directory): a failure to write there is the
# memory limit's consequence, not a bad input, output or bug.
_SPILL: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, str] = weakref.WeakKeyDictionary()
# The database file of each connection to one (a workspace), to tell its damage (_refuse_damaged).
_DATABASE: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, str] = weakref.WeakKeyDictionary()


def _memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    """The memory limit ``con`` was opened with (by connect), as --memory-limit gave it."""
    return _LIMITS.get(con, "?")


def fetch_dicts(
    con: duckdb.DuckDBPyConnection,
    name: str,
    binds: Mapping[str, Any] | None = None,
    **context: Any,
) -> list[dict[str, Any]]:
    """Run ``name`` and return its last result as a list of dicts (for small results)."""
    cursor = run(con, name, binds, **context)
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the main schema (or the temporary one) has a table or view ``name``."""
    row = run(con, "table_exists", {"name": name}).fetchone()
    return bool(row and row[0])


def stored_id(
    con: duckdb.DuckDBPyConnection,
    asked: str,
    column: Literal["task_id", "who_id"],
    *,
    attribution: bool = False,
) -> str:
    """An id a user asks for (explain: a task's ``task_id``; journey: a person, ``who_id``, with
    the ``attribution`` tables built) as the loaded rows store it: a Salesforce id's 18
    characters when a row holds them (a 15-character id asked), else as written when a task
    row holds that (a call log's call id or phone number, kept as written)."""
    if column not in ("task_id", "who_id"):  # an identifier: an allow-list
        raise TemplateError(f"stored_id: no column {column!r}")
    row = run(con, "stored_id", {"id": asked}, column=column, attribution=attribution).fetchone()
    return str(row[0]) if row and row[0] is not None else asked


def stale_since(con: duckdb.DuckDBPyConnection) -> int | None:
    """In a workspace loaded with tasks or sessions since its last match, the last load id
    that match saw (the commands that answer from it read only the rows of loads up to it);
    None when there are none since, or no match, or no workspace (files)."""
    if not has_table(con, "match_runs"):
        return None
    last = fetch_dicts(con, "last_match")
    if not last or int(last[0]["newer_loads"]) == 0:
        return None
    return int(last[0]["last_load_id"])


def has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether the main schema's table ``table`` has a column ``column``."""
    row = run(con, "column_exists", {"table_name": table, "column_name": column}).fetchone()
    return bool(row and row[0])


def _first_line(message: str) -> str:
    lines = [line for line in message.splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else message


# A one-shot run of 10M sessions / 1M calls fits in this with little spilling, its peak RSS
# 1.7-1.8 GiB (the target is 2 GB; 1536MB spilled more and ran 4% slower); larger work
# spills to temp files.
DEFAULT_MEMORY_LIMIT = "1700MB"


# What DuckDB's out-of-memory error says when the spill folder's disk is full ("failed to
# offload data block ... This limit was set by the 'max_temp_directory_size' setting", which
# DuckDB sets to the room the disk has): the disk, not the memory limit, is to be changed.
_SPILL_FULL = "max_temp_directory_size"


def _cannot_spill(
    con: duckdb.DuckDBPyConnection, name: str, spill: str, text: str
) -> OutOfMemoryError:
    """The error of step ``name``, which could not spill into the folder ``spill``."""
    return OutOfMemoryError(
        f"DuckDB could not spill step {name} to disk, in {spill} (memory limit "
        f"{_memory_limit(con)}): {_first_line(text)}",
        hint="It must be a folder calltouch can write to, on a disk with room: free "
        "space there, or point --temp-dir at another (run, load, match and attribute "
        "take it), or raise --memory-limit so that less needs spilling.",
    )


def check_temp_dir(temp_dir: Path) -> None:
    """Refuse a --temp-dir DuckDB could not spill into, before any work: it creates the
    folder only when it first spills, and only inside an existing one it may write to."""
    if temp_dir.exists() and not temp_dir.is_dir():
        raise UsageError(
            f"--temp-dir {temp_dir} is a file, not a folder",
            hint="Name a folder (a new one is made, private, and removed when the command ends).",
        )
    if not temp_dir.exists() and not temp_dir.parent.is_dir():
        parent = temp_dir.parent
        raise UsageError(
            f"--temp-dir {temp_dir}: {parent} is a file, not a folder"
            if parent.exists()
            else f"--temp-dir {temp_dir}: the folder {parent} does not exist",
            hint="Name a folder whose parent exists (the folder itself is made, private, and "
            "removed when the command ends), e.g. --temp-dir ~/calltouch-spill.",
        )
    # the folder DuckDB writes its files into, or the one it would make it in
    where = temp_dir if temp_dir.exists() else temp_dir.parent
    if not os.access(where, os.W_OK | os.X_OK):
        raise UsageError(
            f"--temp-dir {temp_dir}: calltouch may not write in the folder {where}",
            hint="Name a folder you may write to (its files are removed when the command "
            "ends), e.g. one in your home folder.",
        )


def default_spill_dir() -> Path:
    """Where an in-memory database spills by default: a folder of the user's own in the
    system's temp folder (calltouch-spill-UID), private (0700). One folder for every user
    failed the second user's run: DuckDB makes the folder 0755, so only its first user could
    write to it; and spilled rows (landing pages, a call's subject) were readable by every
    local user. A folder of that name the user does not own, or others may write to (made in
    advance by another user, on a predictable name), is not used: a new private one is."""
    getuid = getattr(os, "getuid", None)  # not on Windows, whose temp folder is the user's
    if getuid is None:
        return Path(tempfile.gettempdir()) / "calltouch-spill"
    path = Path(tempfile.gettempdir()) / f"calltouch-spill-{getuid()}"
    return path if _private_folder(path, getuid()) else _fresh_spill_dir(path.name)


def _private_folder(path: Path, uid: int) -> bool:
    """Whether ``path`` is (or is now made) a real folder of user ``uid`` that only it can
    read and write; one of its own made 0755 by DuckDB (an earlier calltouch) is made 0700."""
    with contextlib.suppress(OSError):  # there already (or not made: lstat tells)
        path.mkdir(mode=0o700)
    try:
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
            return False
        if info.st_mode & 0o077:
            path.chmod(0o700)
    except OSError:
        return False
    return True


def _make_private(folder: Path) -> None:
    """Make a --temp-dir that does not exist yet, private (0700), and remove it when the
    process ends: DuckDB made it 0755, its spill files 0644, and spilled rows (a call's
    subject, landing pages) were readable by every local user. An existing folder is the
    user's, used as it is."""
    try:
        folder.mkdir(mode=0o700)
    except OSError:  # there already, or not to be made: DuckDB's own error tells the rest
        return
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


@cache
def _fresh_spill_dir(name: str) -> Path:
    """A new private folder (0700) for this process's spills, removed when it ends."""
    path = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def connect(
    database: str | Path = ":memory:",
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
    read_only: bool = False,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection that computes in UTC with deterministic insertion order.

    Memory is capped at ``memory_limit`` (default DEFAULT_MEMORY_LIMIT); what does not fit
    spills to ``temp_directory`` (checked first, :func:`check_temp_dir`; default:
    :func:`default_spill_dir` for an in-memory database, DuckDB's own beside a database file:
    its name with .tmp). ``database``: ":memory:", or a file's Path (opened as a file, by
    its absolute name)."""
    config: dict[str, Any] = {
        "preserve_insertion_order": True,
        "autoinstall_known_extensions": False,
        "memory_limit": memory_limit or DEFAULT_MEMORY_LIMIT,
    }
    if threads is not None:
        config["threads"] = threads
    if temp_directory is not None:
        refuse_name(temp_directory, UsageError, "the temp folder")
        check_temp_dir(Path(temp_directory))
        _make_private(Path(temp_directory))
        config["temp_directory"] = str(temp_directory)
    elif str(database) == ":memory:":
        config["temp_directory"] = str(default_spill_dir())
    # a file given as a Path is opened by its absolute name: DuckDB reads some names as other
    # databases than a file (md:x MotherDuck's, s3://b/x.duckdb, which Path makes s3:/b/...)
    target = str(database.absolute()) if isinstance(database, Path) else database
    if target != ":memory:":  # by its absolute name: the current folder's name too
        refuse_name(target, UsageError, "the workspace")
    con = duckdb.connect(target, read_only=read_only, config=config)
    _LIMITS[con] = config["memory_limit"]
    # DuckDB's own default beside a database file: the file's name with .tmp
    _SPILL[con] = config.get("temp_directory") or f"{database}.tmp"
    if str(database) != ":memory:":
        _DATABASE[con] = str(database)
    try:
        run(con, "session_setup")
    except BaseException:
        # closed now (a --memory-limit too small for the setup): left to the garbage
        # collector, it held the file, and the next open of it with other settings in the
        # same process (the tests') failed as "a different configuration"
        con.close()
        raise
    return con

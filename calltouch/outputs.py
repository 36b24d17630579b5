"""Write the outputs of a run: touchpoints, unmatched, rejects (CSV or Parquet) and summary.json.

Promises:

* every file is written to a temporary name in the output folder and renamed into place, so a
  crash never leaves a half-written file and earlier outputs stay whole until replaced; the
  files of one run (an :class:`OutputSet`) are all written before any is renamed, and renamed
  together with Ctrl-C and SIGTERM held, so a run stopped or failing while it writes leaves
  the previous run's outputs as they were, never some of each;
* CSV cells that a spreadsheet would run as a formula are neutralised (not in Parquet), except in
  numeric and timestamp columns (SPEC §4);
* the same database gives byte-identical files, whatever the machine's zone or thread count.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, count
from pathlib import Path
from typing import Any, Literal

import duckdb

from calltouch import queries
from calltouch.errors import DONE_BEFORE_STOP, OutputError, QueryError, UsageError, refuse_name
from calltouch.text import json_escaped

Format = Literal["csv", "parquet"]
FileFormat = Literal["csv", "parquet", "json"]
EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
}
EXPORTS = ("touchpoints", "unmatched", "rejects")

TOUCHPOINT_COLUMNS = (
    "touchpoint_id",
    "task_id",
    "bizible_id",
    "who_id",
    "touchpoint_date",
    "touchpoint_type",
    "medium",
    "touchpoint_source",
    "channel",
    "subchannel",
    "campaign",
    "ad_name",
    "landing_page",
    "referrer_page",
    "search_phrase",
    "session_id",
    "session_start",
    "minutes_after_session_start",
    "match_status",
    "match_reason",
    "subject",
    "nearest_session_minutes",
)
REJECT_COLUMNS = ("file", "line", "column", "error", "raw")
OUT_FOLDER_HINT = "Move that folder away, or write the outputs to another --out."


def ensure_dir(path: Path, *, holds: Path | None = None) -> Path:
    """Create the output folder (and parents) or fail with an OutputError. ``holds``: the
    file to be written in it (an -o FILE), whose folder it is; else the folder is --out."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocking = next((p for p in (path, *path.parents) if p.is_file()), None)
        if blocking is None:
            hint = "Check that the parent folder exists and is writable, or pick another " + (
                "file name." if holds is not None else "--out."
            )
        elif holds is not None:
            hint = f"{blocking} is a file, so {holds} cannot be written under it: give a path "
            hint += "in a folder."
        else:
            hint = f"{blocking} is a file; --out names a folder: give a new name or an "
            hint += "existing folder."
        raise OutputError(
            f"cannot create output folder {path}: {exc.strerror or exc}", hint=hint
        ) from exc
    if not path.is_dir():
        raise OutputError(
            f"output path {path} exists and is not a folder",
            hint="--out names a folder: give a new name or an existing folder.",
        )
    return path


def refuse_folder_targets(targets: list[Path], hint: str) -> None:
    """Raise an OutputError naming the first of ``targets`` that is a folder: each file of a
    set is renamed into place in turn, and a rename onto a folder fails after the others,
    leaving a new file beside an earlier run's; nor one whose name DuckDB cannot write
    (:func:`calltouch.errors.name_problem`: it would fail after the folder was made, or write
    a file of another name). Checked before anything is written."""
    for path in targets:
        refuse_name(path, OutputError, "cannot write")
        if path.is_dir():
            raise OutputError(f"cannot write {path}: it is a folder", hint=hint)


class OutputSet:
    """Files written to temporary names beside their targets, renamed into place together by
    :meth:`commit` (see :func:`output_set`), or deleted by :meth:`discard`."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []
        #: an earlier run's files to delete with the commit (the other format's outputs, which
        #: beside these would pass for them): what was deleted, and the error that stopped it
        self.stale: list[Path] = []
        self.removed: list[Path] = []
        self.remove_error: OutputError | None = None

    @contextmanager
    def path(self, target: Path, *, by_duckdb: bool = True) -> Iterator[Path]:
        """A temporary path beside ``target`` for the block to write; kept for the commit when
        the block succeeds, deleted when it fails. The folder is created when missing. Any
        failure to write is an OutputError naming target; so is a name DuckDB cannot write
        (:func:`calltouch.errors.name_problem`), unless ``by_duckdb`` is false (Python writes
        it). A
        symbolic link is written through (the file it names is replaced, the link kept); a
        named pipe, a device or a socket is refused: the rename would have replaced it with a
        plain file (a /dev/null, once)."""
        if by_duckdb:
            refuse_name(target, OutputError, "cannot write")
        if target.is_dir():  # the rename would fail after the whole output was written
            raise OutputError(
                f"cannot write {target}: it is a folder",
                hint="Name a file (-o report.csv), or move that folder away.",
            )
        kind = _special_kind(target)  # through a link: /dev/stdout is a pipe or a terminal
        if kind is not None:
            raise OutputError(
                f"cannot write {target}: it is {kind}, not a file",
                hint="calltouch writes each output as a whole plain file, replaced at once: "
                "move it away, or write elsewhere (report prints on stdout without -o).",
            )
        if target.is_symlink():
            target = Path(os.path.realpath(target))
        ensure_dir(target.parent, holds=target)
        try:
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
        except OSError as exc:
            raise OutputError(
                f"cannot write {target}: {exc.strerror or exc}",
                hint=f"Choose a folder you can write to, or check the permissions of "
                f"{target.parent}.",
            ) from exc
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()  # DuckDB's COPY wants to create the file itself
        try:
            yield tmp
        except OSError as exc:  # the block writes tmp: a full disk is a failure to write too
            tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._pending.append((tmp, target))

    def commit(self) -> None:
        """Rename every written file onto its target, then delete :attr:`stale`, Ctrl-C and
        SIGTERM held meanwhile (a signal then lands once all are in place)."""
        renamed: list[Path] = []
        try:
            with _signals_held():
                pending, self._pending = self._pending, []
                for done, (tmp, target) in enumerate(pending):
                    try:
                        os.replace(tmp, target)
                    except OSError as exc:
                        for rest, _ in pending[done:]:
                            rest.unlink(missing_ok=True)
                        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
                    renamed.append(target)
                self.removed, self.remove_error = remove_stale(self.stale)
        except KeyboardInterrupt:
            if renamed:  # the signal held, delivered once all were in place: say they are
                folder = renamed[0].parent
                done = f"This run's {', '.join(t.name for t in renamed)} were written to {folder}"
                if self.removed:
                    done += f"; the previous {', '.join(p.name for p in self.removed)} removed"
                DONE_BEFORE_STOP.append(done + ", before it stopped.")
            raise

    def discard(self) -> None:
        """Delete every written file: its target keeps what it held."""
        pending, self._pending = self._pending, []
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)


def _special_kind(path: Path) -> str | None:
    """What ``path`` is when it exists and is neither a file nor a folder, else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


@contextmanager
def output_set() -> Iterator[OutputSet]:
    """An OutputSet whose files are renamed into place when the block succeeds, and deleted
    when it fails or is interrupted (the previous files stay as they were)."""
    files = OutputSet()
    try:
        yield files
    except BaseException:
        files.discard()
        raise
    try:
        files.commit()
    except BaseException:
        files.discard()  # what was not renamed (a signal just before the renames were held)
        raise


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM: delivered, the first of them, to their handlers when the block
    ends. Their Python handlers are swapped for one that records the signal: blocking them
    (pthread_sigmask) held them in the main thread only, DuckDB's threads took them, and
    Python ran its handler in the main thread mid-block (a run's outputs renamed in part)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread sets handlers, and only it runs them
        return
    caught: list[int] = []

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    previous: dict[int, Any] = {}
    try:
        for held in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(held)
            # None: set outside Python, which could not be put back; SIG_IGN: ignored (a
            # script's background job ignores Ctrl-C), and so it stays, or its recording
            # would take the place of a SIGTERM that came after it
            if handler is not None and handler != signal.SIG_IGN:
                previous[held] = signal.signal(held, hold)
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        if caught:
            signal.raise_signal(caught[0])  # its handler runs now (Ctrl-C: KeyboardInterrupt)


@contextmanager
def atomic_path(
    target: Path, files: OutputSet | None = None, *, by_duckdb: bool = True
) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it when the block succeeds (with
    ``files``, when that set is committed); the folder is created when missing. Any failure
    to write is an OutputError naming target (``by_duckdb``: see OutputSet.path)."""
    if files is not None:
        with files.path(target, by_duckdb=by_duckdb) as tmp:
            yield tmp
        return
    with output_set() as alone, alone.path(target, by_duckdb=by_duckdb) as tmp:
        yield tmp


@dataclass(frozen=True)
class UnmatchedLayout:
    """Where the tasks' own columns go in the unmatched output: their output names; per file
    id, the position of each in that file's row (None where it lacks it); per file id a
    flag per column of its row, true for one it types as a number (a Parquet file's), which
    a CSV output never neutralises; and per output column the type a Parquet output gives it
    back (carried_type), None to keep it text."""

    names: list[str]
    positions: list[list[int | None]]
    numeric: list[list[bool]]
    types: list[str | None]


# The Parquet column types a carried cell's text is cast back to: its text (CAST AS VARCHAR,
# a TIMESTAMPTZ as UTC ISO-8601) reads back as the same value. Others (lists, structs, blobs,
# intervals...) stay text.
_CARRIED_TYPES = frozenset(
    {
        "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
        "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DATE", "TIME",
        "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS",
        "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ_NS", "UUID",
    }
)  # fmt: skip
_DECIMAL = re.compile(r"DECIMAL\((\d{1,2}),\s*(\d{1,2})\)")


def carried_type(types: set[str | None]) -> str | None:
    """The type a carried column takes in a Parquet output, from its types in the files
    that have it (None: a CSV file's text): the one type when all agree and it is one of
    _CARRIED_TYPES or a DECIMAL, written here (never the file's text); None to keep text."""
    if len(types) != 1:
        return None
    (found,) = types
    if found is None:
        return None
    name = found.upper()
    if name in _CARRIED_TYPES:
        return name
    decimal = _DECIMAL.fullmatch(name)
    if decimal is not None:
        return f"DECIMAL({int(decimal.group(1))}, {int(decimal.group(2))})"
    return None


def unmatched_layout(con: duckdb.DuckDBPyConnection) -> UnmatchedLayout:
    """Output names for the tasks' own columns, per file id the position of each, and which
    of a file's columns it types as numbers (see UnmatchedLayout)."""
    reserved = {"task_id", "reason"}
    rows = queries.run(
        con,
        "task_file_headers",
        typed=queries.has_column(con, "input_files", "numeric"),
        with_types=queries.has_column(con, "input_files", "types"),
    ).fetchall()
    numeric: dict[int, list[bool]] = {}
    typed_as: dict[int, set[str | None]] = {}  # output column -> its types in the files
    names: list[str] = []
    # output names compare case-insensitively, as DuckDB's do; a reserved name's stand-in
    # (task_id_input) is none of any file's own keys: a file with both task_id and
    # task_id_input had its task_id written under the name of its task_id_input
    lowered: set[str] = {
        key.lower() for _, header, *_ in rows for key in column_keys(json.loads(header))
    } - set(reserved)
    seen: dict[str, int] = {}
    per_file: dict[int, dict[int, int]] = {}
    for file_id, header, typed, types in rows:
        positions: dict[int, int] = {}
        cells = [str(cell) for cell in json.loads(header)]
        typed_at = set(json.loads(typed)) if typed else set()
        column_types: list[str] = json.loads(types) if types else []
        if len(column_types) != len(cells):
            column_types = []  # text (a CSV file)
        numeric[int(file_id)] = [pos in typed_at for pos in range(1, len(cells) + 1)]
        for pos, key in enumerate(column_keys(cells), start=1):
            # files name a column in any case (Note, NOTE): one output column, named as the
            # first file that has it names it, as headers are matched to fields
            if key.lower() not in seen:
                name = key
                if key.lower() in reserved:
                    name = f"{key}_input"
                    while name.lower() in lowered:
                        name = f"{name}_"
                seen[key.lower()] = len(names)
                names.append(name)
                lowered.add(name.lower())
            positions[seen[key.lower()]] = pos
            typed_as.setdefault(seen[key.lower()], set()).add(
                column_types[pos - 1] if column_types else None
            )
        per_file[int(file_id)] = positions
    width = max(per_file, default=-1) + 1
    table: list[list[int | None]] = [
        [per_file.get(fid, {}).get(i) for i in range(len(names))] for fid in range(width)
    ]
    return UnmatchedLayout(
        names,
        table,
        [numeric.get(fid, []) for fid in range(width)],
        [carried_type(typed_as.get(i, set())) for i in range(len(names))],
    )


def column_keys(cells: Sequence[str]) -> list[str]:
    """The keys of a file's columns (its header cells, each made unique: _column_key), the
    names they have in unmatched (inspect shows them so)."""
    in_header = {cell.lower() for cell in cells}
    used: set[str] = set()  # the keys this file's columns have been given so far (lower)
    keys = []
    for pos, cell in enumerate(cells, start=1):
        key = _column_key(cell, pos, used, in_header)
        used.add(key.lower())
        keys.append(key)
    return keys


def _column_key(cell: str, pos: int, used: set[str], in_header: set[str]) -> str:
    """The key of a file's column: its header cell, unless that is empty (``column_<pos>``)
    or a key already ``used`` in the file, in any case (a repeated header keeps every column:
    ``Subject``, ``Subject_2``; ``Id`` and ``ID``: ``Id``, ``ID_2``). A made-up key is neither
    used nor ``in_header`` (any of the file's header cells), so ``Subject,Subject,Subject_2``
    gives ``Subject``, ``Subject_3``, ``Subject_2`` and no column's value is lost under
    another's name. ``used`` and ``in_header`` hold lower-case names."""
    if cell and cell.lower() not in used:
        return cell
    base = cell or f"column_{pos}"
    suffixed = (f"{base}_{n}" for n in count(2))
    candidates = suffixed if cell else chain([base], suffixed)
    return next(
        key for key in candidates if key.lower() not in used and key.lower() not in in_header
    )


def remove_stale_temporaries(out: Path) -> None:
    """Delete temporary files a killed run left in ``out`` (``.<output>.*.tmp``)."""
    for name in (*EXPORTS, "summary"):
        for stale in out.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)


def previous_outputs(out: Path, names: tuple[str, ...]) -> list[Path]:
    """``out``'s files of ``names`` in either format that exist: an earlier run's outputs,
    which beside a failed run's would pass for its results."""
    files = [out / f"{name}.{fmt}" for name in names for fmt in ("csv", "parquet")]
    return [path for path in files if path.is_file()]


def other_format_outputs(out: Path, fmt: Format, names: tuple[str, ...]) -> list[Path]:
    """``out``'s files of ``names`` in the format other than ``fmt`` that exist: an earlier
    run's outputs, which beside this run's would pass for its results."""
    other = "parquet" if fmt == "csv" else "csv"
    files = [out / f"{name}.{other}" for name in names]
    return [path for path in files if path.is_file()]


def remove_stale(stale: list[Path]) -> tuple[list[Path], OutputError | None]:
    """Delete ``stale`` one by one until one cannot be; returns those deleted and, if one
    could not be, the error to raise once the caller has recorded what was done."""
    removed: list[Path] = []
    for path in stale:
        try:
            path.unlink()
        except OSError as exc:
            return removed, OutputError(
                f"cannot remove the previous run's {path}: {exc.strerror or exc}",
                hint="Delete it by hand (a program may hold it open): it is not this run's output.",
            )
        removed.append(path)
    return removed, None


def remove_previous(stale: list[Path]) -> str:
    """Delete ``stale`` (from previous_outputs); the sentence that says so, for the failed
    run's hint ("" when there was nothing to delete)."""
    _, error = remove_stale(stale)
    return removed_sentence(stale, error)


def removed_sentence(stale: list[Path], error: OutputError | None) -> str:
    """The sentence for a failed run's hint that says ``stale`` were deleted ("" when there
    was nothing to delete); raises ``error``, the deletion's, when one stopped it."""
    if error is not None:
        raise error
    if not stale:
        return ""
    names = ", ".join(path.name for path in stale)
    return f" The previous run's {names} in {stale[0].parent} were removed."


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_names(names: list[str]) -> list[str]:
    """Carried columns' names as CSV header cells, neutralised like the cells below them
    (``=x`` as ``'=x``); a neutralised name that another column already has (``'=x`` beside
    ``=x``) takes a trailing ``_`` as the layout's clashes do, never the other's name."""
    taken = {name.lower() for name in names if not name.startswith(FORMULA_STARTS)}
    safe: list[str] = []
    for name in names:
        if name.startswith(FORMULA_STARTS):
            name = "'" + name
            while name.lower() in taken:
                name += "_"
            taken.add(name.lower())
        safe.append(name)
    return safe


def write_exports(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    fmt: Format,
    only: tuple[str, ...] = EXPORTS,
    files: OutputSet | None = None,
) -> dict[str, Path]:
    """Write touchpoints, unmatched and rejects (or ``only`` some) into ``out``, as part of
    ``files`` when given."""
    ensure_dir(out)
    remove_stale_temporaries(out)
    layout = unmatched_layout(con)
    written: dict[str, Path] = {}
    for name in only:
        target = out / f"{name}.{fmt}"
        export_table(con, name, target, fmt, layout=layout, files=files)
        written[name] = target
    return written


def export_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    target: Path,
    fmt: FileFormat,
    layout: UnmatchedLayout | None = None,
    files: OutputSet | None = None,
    since: int | None = None,
) -> Path:
    """Write one of EXPORTS to ``target`` in ``fmt``, atomically (as part of ``files``).
    ``since``: a stale workspace's last matched load (queries.stale_since), whose rejects of
    tasks and sessions are only those of the loads that match saw."""
    if name not in EXPORTS:
        raise OutputError(f"nothing named {name!r} can be exported")
    ensure_dir(target.parent, holds=target)
    binds: dict[str, Any] = {}
    context: dict[str, Any] = {"fmt": fmt, "to_file": True}
    if name == "rejects":
        context["stale"] = since is not None
        if since is not None:
            binds["last_load_id"] = since
    if name == "unmatched":
        layout = layout or unmatched_layout(con)
        binds["raw_positions"] = layout.positions
        binds["raw_numeric"] = layout.numeric
        names = layout.names
        context["raw_names"] = csv_safe_names(names) if fmt == "csv" else names
        # a Parquet output gives Parquet files' columns their types back; text elsewhere
        context["raw_types"] = layout.types if fmt == "parquet" else [None] * len(names)
    with atomic_path(target, files) as tmp:
        binds["path"] = str(tmp)
        try:
            queries.run(con, f"export_{name}", binds, **context)
        except QueryError as exc:
            raise OutputError(f"cannot write {target}: {exc.message}") from exc
    return target


def format_of(target: Path) -> FileFormat:
    """The file format an output path's extension asks for."""
    fmt = EXTENSIONS.get(target.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"cannot tell the format of {target} from its extension",
            hint=f"Use one of: {', '.join(EXTENSIONS)}.",
        )
    return fmt


def json_number(value: Decimal) -> int | Decimal:
    """A decimal for JSON: whole, an int; else the Decimal (an amount as it is, a finer one
    without trailing zeros), which json_text writes exactly. A float cannot hold an amount of
    98765432109876.54, nor a share of 0.666666666666666667 as attribution.csv holds it
    (0.6666666666666666 and 0.3333333333333333 do not make 1)."""
    if value == value.to_integral_value():
        return int(value)
    exponent = value.as_tuple().exponent
    return value if isinstance(exponent, int) and exponent >= -2 else value.normalize()


def json_text(payload: Any, *, sort_keys: bool = False) -> str:
    """``payload`` as indented JSON (no trailing newline); a Decimal (an amount, to the cent)
    as its exact number: a float cannot hold 98765432109876.54 (json wrote ...55), and the
    CSV outputs and reports show every amount exactly."""
    token = f"ct-decimal-{secrets.token_hex(8)}:"  # in no text of the payload's

    def exact(value: object) -> str:
        if isinstance(value, Decimal):
            return token + format(value, "f")
        raise TypeError(f"{type(value).__name__} is not JSON")

    text = json.dumps(payload, indent=2, sort_keys=sort_keys, ensure_ascii=False, default=exact)
    text = json_escaped(text)  # a C1 control or a bidi override, raw, drives a terminal
    return re.sub(f'"{re.escape(token)}(-?[0-9]+(?:\\.[0-9]+)?)"', r"\1", text)


def write_json(target: Path, payload: dict[str, Any], files: OutputSet | None = None) -> Path:
    """Write ``payload`` as stable, indented JSON (sorted keys), atomically (as part of
    ``files``)."""
    ensure_dir(target.parent, holds=target)
    text = json_text(payload, sort_keys=True) + "\n"
    with atomic_path(target, files, by_duckdb=False) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target

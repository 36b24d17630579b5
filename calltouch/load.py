"""Load task and session files into DuckDB, accounting for every row.

For each input file this module promises:

* every data row ends up either in ``task_rows``/``session_rows`` (usable) or in ``rejects``
  with its file, 1-based physical line (CSV) or row number (Parquet), column, error and raw
  text; a Salesforce report footer is counted as footer, neither loaded nor rejected; the
  filtered load of a one-shot run's Parquet sessions (:func:`load_role`) stores only the
  usable rows that can matter to it and counts the others;
* timestamps without a zone are read in the zone given for that input (R8), and the connection
  is back in UTC afterwards, whatever happens;
* for task files (and Parquet session files) a second, independent count (Python's csv module
  for CSV, the Parquet footer's metadata for Parquet) must agree with what DuckDB read
  (``rows_scanned``). For CSV, when the
  two readers disagree on a file, its good records as the independent reader sees them are
  loaded instead, so the result never hangs on a parser quirk;
* a query that reads an input file and fails on what it reads (a damaged or cut-short file)
  is an InputError naming the file (:func:`query_file`); a failure of the SQL itself (a bug in
  a template) stays an internal error;
* header names, ``--map`` values and paths never reach SQL text: CSV columns are read under
  positional names, paths and values are bound, Parquet names go through the quoting filter.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from calltouch import csvscan, profiles, queries, timeformats
from calltouch.errors import (
    CalltouchError,
    DateOrderError,
    InputError,
    QueryError,
    UnreadableInputError,
    UsageError,
)
from calltouch.inputs import (
    BROKEN_FILE_HINT,
    BROKEN_GZIP,
    FIELDS,
    REVENUE_ROLES,
    ROLES,
    TIME_FIELDS,
    ColumnMapping,
    CsvDialect,
    Role,
    cannot_read,
    duplicate_headers_note,
    file_format,
    folder_notes,
    normalise_header,
    not_parquet,
    open_bytes,
    resolve,
    sniff_csv,
)
from calltouch.text import printable
from calltouch.timeformats import DateOrder

# The load templates' working columns are named ct__... (sql/_load.sql.j2, load_sessions).
RESERVED_PREFIX = "ct__"

DATE_FIELDS = ("close_date",)
TABLES: dict[Role, str] = {
    "tasks": "task_rows",
    "sessions": "session_rows",
    "opportunities": "opportunity_rows",
    "contact_roles": "contact_role_rows",
    "people": "person_rows",
}
# where session_flags puts a CSV session file's error fields in file order (dropped after use)
FLAGS_TABLE = "ct_session_flags"
_ERROR_TEXT = {
    ("missing", "task_id"): "the task id is empty",
    ("missing", "session_id"): "the session id is empty",
    ("missing", "call_time"): "no call time: both the Buyer Touchpoint Date and CreatedDate are "
    "empty",
    ("missing", "session_start"): "the session start is empty",
    ("deleted", "is_deleted"): "the record was deleted in Salesforce (IsDeleted is true): the "
    "export holds deleted records (Data Loader's Export All, the warehouse's recent deletions)",
}
SESSION_DELETED = (
    "the session was deleted in Marketo Measure (IS_DELETED is true): the warehouse keeps "
    "deleted records a few days"
)
# the rejects of deleted records: the export holds them, they are no fault of it, so
# --max-rejects does not count them (see RejectedLines)
DELETED_ERRORS = (_ERROR_TEXT[("deleted", "is_deleted")], SESSION_DELETED)
SAMPLE_LIMIT = 500
# the column kinds whose cells are text as written (_load.sql.j2's TEXT_KINDS)
_TEXT_KINDS = ("varchar", "blob")
# the binds that say how to read a file (CsvLoader.csv_binds; a Parquet file needs its path)
_READING_BINDS = frozenset({"path", "csv_columns", "delim", "rejects_table", "rejects_scan"})
# the rejects.csv text of a line that repeats the header, in its order (CsvLoader.repeated_header)
REPEATED_HEADER = (
    "the header repeated: exports pasted into one file (this line is their second header, "
    "not a record)"
)


@dataclass(frozen=True)
class LoadOptions:
    """How to read one input (tasks or sessions)."""

    tz: str = "UTC"
    overrides: Mapping[str, str] = field(default_factory=dict)
    profile: str | None = None
    encoding: str | None = None
    date_order: DateOrder | None = None
    # the option that gave ``tz`` (--tz, --tasks-tz, --sessions-tz), as notes name it
    tz_option: str = "--tz"
    # sessions of a one-shot run: keep only what can matter to a match in ``window_us``
    # (Parquet: rows of a calling cookie; CSV: details of rows starting near a call)
    narrow: bool = False
    window_us: int | None = None
    # `calltouch load`: the reading is kept in the workspace (advice says how to read again)
    workspace: bool = False
    # whether the command has --tasks-tz and --sessions-tz (inspect and load have --tz only)
    per_input_tz: bool = True
    # whether the user gave this input's zone (load's or inspect's --tz, run's --tasks-tz):
    # then times read in UTC are meant so, and get no note saying a tool writes them otherwise
    tz_given: bool = False


@dataclass
class LoadedFile:
    """What loading one file did."""

    file_id: int
    role: Role
    path: str
    format: str
    time_zone: str
    mapping: ColumnMapping
    profile: str = "generic"
    encoding: str | None = None
    delimiter: str | None = None
    time_styles: dict[str, str] = field(default_factory=dict)
    rows_loaded: int = 0  # usable rows
    rows_rejected: int = 0
    rows_footer: int = 0
    rows_scanned: int | None = None  # the independent count, footer lines included
    reader: str = "duckdb"
    notes: list[str] = field(default_factory=list)
    # on the first file of a folder or glob: the files it does not read, or reads from its
    # subfolders (the input's notes, not this file's)
    folder_notes: list[str] = field(default_factory=list)
    # sessions read without their details (a one-shot run on Parquet): how to fetch them later
    details_source: dict[str, Any] | None = None
    # 1-based positions of the columns typed as numbers (Parquet): never neutralised in CSV
    numeric: list[int] = field(default_factory=list)
    # each column's type, in order (Parquet; empty for CSV): a Parquet output carries the
    # task's own columns in them (outputs.carried_type)
    types: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Data rows of the file: usable + rejected (footer lines are not rows)."""
        return self.rows_loaded + self.rows_rejected

    def summary(self) -> dict[str, Any]:
        """This file's entry in summary.json (``tasks.files`` / ``sessions.files``)."""
        out: dict[str, Any] = {
            "path": self.path,
            "format": self.format,
            "profile": self.profile,
            "read": self.rows_read,
            "loaded": self.rows_loaded,
            "rejected": self.rows_rejected,
            "footer": self.rows_footer,
            "mapping": {k: v for k, v in self.mapping.as_dict().items() if v is not None},
            "time_styles": self.time_styles,
            "reader": self.reader,
        }
        if self.encoding is not None:
            out["encoding"] = self.encoding
        if self.rows_scanned is not None:
            out["independent_count"] = self.rows_scanned
        if self.notes or self.folder_notes:  # what the reading chose, unexpected maybe
            out["notes"] = self.notes + self.folder_notes
        return out

    def said(self) -> list[str]:
        """The notes as a command says them: this file's named by its path, the folder's
        as they are."""
        return [f"{self.path}: {note}" for note in self.notes] + self.folder_notes


Reject = tuple[int | None, str | None, str, str | None]  # line, column, error, raw


def same_zone(con: duckdb.DuckDBPyConnection, a: str, b: str) -> bool:
    """Whether zones ``a`` and ``b`` read naive times alike (UTC and Etc/UTC do)."""
    if a == b:
        return True
    row = queries.run(con, "same_zone", {"a": a, "b": b}).fetchone()
    return bool(row and row[0])


# What a zone abbreviation given as an option usually means, for the advice: DuckDB knows
# many of them as ICU's legacy ids, some as another place (BST is Dhaka, IST Kolkata, AST
# Anchorage; PST is Los Angeles with its summer time, EST a fixed -05:00 without).
_ABBREVIATIONS = {
    "BST": "Europe/London",
    "IST": "Asia/Kolkata, Europe/Dublin or Asia/Jerusalem",
    "CET": "Europe/Paris or Europe/Berlin",
    "CEST": "Europe/Paris or Europe/Berlin",
    "EET": "Europe/Athens or Europe/Helsinki",
    "EEST": "Europe/Athens or Europe/Helsinki",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CST": "America/Chicago or Asia/Shanghai",
    "CDT": "America/Chicago",
    "MST": "America/Denver or America/Phoenix",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "AST": "America/Halifax or Asia/Riyadh",
    "AEST": "Australia/Sydney or Australia/Brisbane",
    "AEDT": "Australia/Sydney",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "SGT": "Asia/Singapore",
    "NZST": "Pacific/Auckland",
}
# Upper-case names of three or four letters that are zones' own names, not abbreviations.
_NOT_ABBREVIATIONS = frozenset({"UTC", "GMT", "UCT", "PRC", "ROC", "ROK"})


def check_time_zone(con: duckdb.DuckDBPyConnection, tz: str, option: str) -> str:
    """The canonical IANA name of ``tz``, or a UsageError naming the option. A zone
    abbreviation (BST, PST, CET) is refused with advice, as in a time's text: DuckDB would
    read BST as Dhaka."""
    row = queries.run(con, "check_time_zone", {"tz": tz}).fetchone()
    name = str(row[0]) if row is not None else tz.strip()
    abbreviation = (
        re.fullmatch(r"[A-Z]{3,4}", name.upper()) is not None
        and name.upper() not in _NOT_ABBREVIATIONS
        and name.isupper()  # Iran, Cuba and Eire are zones; an unknown PDT is as typed
    )
    if abbreviation:
        meant = _ABBREVIATIONS.get(name.upper())
        raise UsageError(
            f"{option} {tz!r} is a zone abbreviation, which calltouch does not read: "
            "abbreviations are ambiguous (CST is Chicago's or China's, IST India's, "
            "Ireland's or Israel's; to DuckDB BST is Dhaka)",
            hint=(f"{name.upper()} usually means {meant}: " if meant else "")
            + f"give the zone's IANA name, e.g. {option} "
            + (re.split(r",| or ", meant)[0] if meant else "Europe/London")
            + " (it follows summer time); a fixed offset is Etc/GMT+5 for -05:00 (POSIX "
            "inverts the sign).",
        )
    if row is None:
        raise UsageError(
            f"{option} {tz!r} is not a time zone DuckDB knows",
            hint="Use an IANA name such as UTC, Europe/Paris or America/New_York.",
        )
    return str(row[0])


def load_role(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    spec: str,
    options: LoadOptions,
    workdir: Path,
    *,
    first_file_id: int = 0,
) -> list[LoadedFile]:
    """Load every file that ``spec`` names for ``role``; file ids count up from first_file_id.
    The first file's notes name the files of a folder or glob that are not read.

    The session files of a one-shot run (``options.narrow``), when all are Parquet, are
    loaded filtered: only the rows that can matter are stored, those of a cookie that called,
    those that are unusable (to reject them by row number) and every copy of an id read more
    than once (R9 chooses among all of them). A first pass keys every session id of every
    file to find the repeated ones; the second loads the rows; the other rows are counted,
    never stored. (CSV sessions are stored whole: a second parse of the text costs what the
    filter saves, measured at 10M rows; only the rows of a calling cookie that start in a
    call's span of one window, or the span before, keep their details: see calling_spans.
    The cookie checks make DuckDB store a large CSV's rows out of file order: a file with
    rejected rows has them placed by a second read that keeps the order, and one with
    copies whose order R9 needs is read again with its rows numbered, see
    CsvLoader.out_of_order.)"""
    paths = resolve(spec, role)
    loaders = [
        make_loader(con, role, path, first_file_id + i, options, workdir)
        for i, path in enumerate(paths)
    ]
    listing = folder_notes(spec)

    stamps = {loader.file_id: (loader.path, loader.stamp) for loader in loaders}

    def record(loaded: LoadedFile) -> LoadedFile:
        refuse_changed_since(role, *stamps[loaded.file_id])
        # the files of a folder or glob that are not read, or read from its subfolders: a
        # note on its first file
        if loaded.file_id == first_file_id:
            loaded.folder_notes = listing
        return record_file(con, loaded)

    if role != "sessions" or not options.narrow:
        return [record(loader.load()) for loader in loaders]
    parquet = [loader for loader in loaders if isinstance(loader, ParquetLoader)]
    if len(parquet) < len(loaders):
        # narrow CSV session files keep the details of the sessions near a call only
        queries.run(con, "calling_spans", {"window_us": _window(options)})
        try:
            loaded = [loader.load() for loader in loaders]
            _order_tied_copies(con, loaders, loaded)
        finally:
            queries.run(con, "drop_table", table="ct_calling_spans")
        return [record(file) for file in loaded]
    prepared = [loader.prepare() for loader in parquet]
    for loader, ready in zip(parquet, prepared, strict=True):
        loader.keyed_rows = loader.keys(ready)
        loader.matchable_only = True
    queries.run(con, "repeated_session_keys")
    return [record(loader.finish(ready)) for loader, ready in zip(parquet, prepared, strict=True)]


def _order_tied_copies(
    con: duckdb.DuckDBPyConnection, loaders: list[_Loader], loaded: list[LoadedFile]
) -> None:
    """R9 keeps the last read of an id's copies that tie on modification time and file: the
    files loaded out of file order (CsvLoader.out_of_order) where such copies differ are
    read again with their rows numbered, replacing their entries in ``loaded``. The repeated
    ids found here (ct_session_copies) are the ones match takes (copies_ready)."""
    queries.run(con, "stored_session_keys")
    queries.run(con, "repeated_session_keys")
    queries.run(con, "session_copies")
    unordered = [
        loader.file_id
        for loader in loaders
        if isinstance(loader, CsvLoader) and loader.out_of_order and not loader.number_rows
    ]
    if not unordered:
        return
    rows = queries.run(con, "unordered_ties", {"file_ids": unordered}).fetchall()
    again = {int(r[0]) for r in rows}
    for i, loader in enumerate(loaders):
        if loader.file_id in again:
            queries.run(con, "delete_file_rows", {"file_id": loader.file_id}, table=loader.table)
            queries.run(con, "delete_file_rejects", {"file_id": loader.file_id})
            loader.number_rows = True
            loaded[i] = loader.load()


def _window(options: LoadOptions) -> int:
    """The merge window a narrow session load keeps details for (set by the run)."""
    if options.window_us is None:
        raise ValueError("a narrow session load needs the run's window (LoadOptions.window_us)")
    return options.window_us


def load_file(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    path: Path,
    *,
    file_id: int,
    options: LoadOptions,
    workdir: Path,
) -> LoadedFile:
    """Load one file: choose its profile, read it with DuckDB, locate and record its rejects."""
    return record_file(con, make_loader(con, role, path, file_id, options, workdir).load())


def file_stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time (ns), to tell a file that changed while it was
    read; None when it cannot be read (its reading says why)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def refuse_changed_since(role: Role, path: Path, stamp: tuple[int, int] | None) -> None:
    """Refuse a file whose size or modification time changed since ``stamp`` (taken before
    reading it): an export still being written, read at different moments by the passes of
    a load (its hash, DuckDB's reading, the independent count), would be recorded with
    counts that never reconcile."""
    now = file_stamp(path)
    if stamp is None or now is None or now == stamp:
        return
    grew = f" (from {stamp[0]:,} to {now[0]:,} bytes)" if now[0] != stamp[0] else ""
    raise InputError(
        f"{role} file {path} changed while calltouch read it{grew}: is the export still being "
        "written?",
        hint="Wait until the file is complete, then run the command again: this one kept "
        "nothing of what it read.",
    )


def make_loader(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    path: Path,
    file_id: int,
    options: LoadOptions,
    workdir: Path,
) -> _Loader:
    """The loader for ``path``'s format."""
    loader = ParquetLoader if file_format(path) == "parquet" else CsvLoader
    return loader(con, role, path, file_id, options, workdir)


def record_file(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> LoadedFile:
    """Record a loaded file and its counts in input_files."""
    queries.run(
        con,
        "add_input_file",
        {
            "file_id": loaded.file_id,
            "role": loaded.role,
            "path": loaded.path,
            "format": loaded.format,
            "time_zone": loaded.time_zone,
            "rows_read": loaded.rows_read,
            "rows_loaded": loaded.rows_loaded,
            "rows_rejected": loaded.rows_rejected,
            "mapping": json.dumps(loaded.mapping.as_dict()),
            "header": json.dumps(list(loaded.mapping.header)),
            "summary": json.dumps(loaded.summary(), sort_keys=True),
            "numeric": json.dumps(loaded.numeric) if loaded.numeric else None,
            "types": json.dumps(loaded.types) if loaded.types else None,
        },
    )
    return loaded


# What ct_flag (sql/session_setup.sql) stops a load with, before the value it could not read.
FLAG_STOP = "calltouch-unread-flag: "
# The spreadsheet words ct_bool reads, as a message names them.
BOOL_WORDS = (
    "Excel's TRUE and FALSE in German (WAHR/FALSCH), French, Spanish, Portuguese, Italian, "
    "Dutch, Swedish, Danish, Norwegian, Finnish, Polish, Czech, Hungarian, Turkish and Russian"
)


class UnreadFlagError(InputError):
    """A flag field (a session's HAS_FORM) holds text that is neither true nor false."""


class _Loader:
    """Shared steps of loading one file; subclasses know their format."""

    fmt = ""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        role: Role,
        path: Path,
        file_id: int,
        options: LoadOptions,
        workdir: Path,
    ) -> None:
        self.con = con
        self.role = role
        self.path = path
        self.display = str(path)
        self.stamp = file_stamp(path)  # before any reading (refuse_changed_since)
        self.file_id = file_id
        self.options = options
        self.workdir = workdir
        self.table = TABLES[role]
        # the texts of the records DuckDB's CSV reader refused in its last scan
        self.struct_texts: list[str] = []
        # text time fields read fastest with one strptime format (timeformats.fast_shape)
        self.fast: dict[str, str | None] = {}
        # the modification time's column, when the sampled rows write some of its values as
        # a date alone (read as midnight: a note says so)
        self.dated_modstamp: str | None = None
        # the file's dates showed another order than --date-order's (decide_order)
        self.order_note: str | None = None
        self.dated_year_first = False  # note_dated_modstamp: a date alone written year first
        # a filtered session load (see load_role): store only the rows that can matter, and
        # count the rows the first pass keyed
        self.matchable_only = False
        # a CSV session load reading the file again to number its rows (CsvLoader.load)
        self.number_rows = False
        # the binds and context of the last load template run (a flag read reuses them)
        self.last_read: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        self.keyed_rows = 0
        self.date_order: DateOrder | None = None  # the day/month order its times were read in
        self.utc_note: str | None = None  # detect: --tz is not UTC for a UTC profile's file
        # time_styles: the time fields some of whose sampled times lack a zone (note_zones)
        self.naive_fields: set[str] = set()
        self.utc_note_field: str | None = None  # the one field utc_note is about, if one
        self.flag_column: str | None = None  # detect: the column of a session's HAS_FORM
        self.flag_index: int | None = None  # detect: its 0-based position in the header

    # -- steps -----------------------------------------------------------------------------

    def detect(self, header: Sequence[str]) -> profiles.Detection:
        """The file's profile and mapping; the mapping's notes say when times the profile's
        tool writes in UTC are read in another zone (--tz covers both inputs: a zone meant
        for one export's local times shifts the warehouse's), and when times a Salesforce
        report writes in its user's zone are read in UTC (the default)."""
        try:
            detection = profiles.detect(
                self.role, header, self.display, self.options.overrides, self.options.profile
            )
        except InputError as exc:
            if any("\ufffd" in h for h in header):
                said = (exc.hint or "").rstrip()
                if said and not said.endswith("."):
                    said += "."  # the headers found end without one
                exc.hint = (
                    f"{said} The header holds bytes that are not UTF-8: pass --encoding "
                    "windows-1252 (or latin-1) if the file comes from Excel."
                ).lstrip()
            raise
        self.flag_column = detection.mapping.header_of("has_form")
        self.flag_index = detection.mapping.columns.get("has_form")
        if same_zone(self.con, self.options.tz, "UTC"):
            # --tasks-tz UTC says the report's user is in UTC: nothing to note then; a run's
            # --tz would shift the warehouse's UTC times too: the notes name the input's own
            per_input = self.options.per_input_tz and not self.options.workspace
            report_created = _report_created_date(detection, self.role)
            if report_created is not None and not self.options.tz_given:
                # opportunities have no profile of their own: a report is told by its label
                # (the API writes CreatedDate, with its zone); they are read in the tasks' zone
                option = "--tasks-tz" if per_input else "--tz"
                self.utc_note_field = "created_date"
                self.utc_note = (
                    f"its times without a zone are read in {self.options.tz}, from "
                    f"{report_created!r}, but a Salesforce report writes them in the time zone "
                    f"of the user who ran it: give {option} ZONE (e.g. America/New_York) "
                    "unless that is UTC"
                    + (
                        " (it places the tasks' times without a zone too; if those are UTC, "
                        "load the opportunities on their own: calltouch load opportunities "
                        "FILE --tz ZONE)"
                        if per_input
                        else ""
                    )
                )
            elif detection.profile.local and not self.options.tz_given:
                option = f"--{self.role}-tz" if per_input else "--tz"
                self.utc_note = (
                    f"its times without a zone are read in {self.options.tz}, but a Salesforce "
                    f"report ({detection.profile.name}) writes them in the time zone of the user "
                    f"who ran it: give {option} ZONE (e.g. America/New_York) unless that is UTC"
                )
            elif not detection.profile.utc and not self.options.tz_given:
                # a UTC profile's times are UTC; --tasks-tz UTC says the column is
                option = f"--{self.role}-tz" if per_input else "--tz"
                beside = _beside_utc_column(detection, header, self.role, option)
                if beside is not None:
                    self.utc_note_field, self.utc_note = beside
            return detection
        # a column whose name says UTC (Invoca's Start Time (UTC), created_at_utc)
        named = [
            column
            for column in map(detection.mapping.header_of, TIME_FIELDS)
            if column is not None and _SAYS_UTC.search(column)
        ]
        # --tz of a command reading both inputs may be meant for the other one's local times
        given = self.options.tz_option
        shared = given == "--tz" and not self.options.workspace
        check = "check the zone given to this input " + (
            "(--tz covers every input of a command)" if shared else f"({given})"
        )
        if detection.profile.utc:
            self.utc_note = (
                f"its times without a zone are read in {self.options.tz}, but the "
                f"{detection.profile.name} profile's exports write them in UTC: {check}"
            )
        elif named:
            self.utc_note = (
                f"its times without a zone are read in {self.options.tz}, but its column "
                f"{named[0]!r} says they are UTC: {check}"
            )
        return detection

    def note_zones(self, name: str, found: timeformats.TimeSample | None) -> None:
        """Remember whether a time field has values without a zone (``found``, its sample; None
        for a typed naive timestamp or date), which the input's zone (--tz) places."""
        if name in TIME_FIELDS and (found is None or found.zoned < found.values):
            self.naive_fields.add(name)

    def zone_notes(self) -> list[str]:
        """The note that --tz shifts times its profile's tool writes in UTC, when some of the
        file's times lack a zone (every value with Z or an offset: --tz changes nothing); a
        note about one field's column, when that column's times do."""
        if self.utc_note_field is not None:
            naive = self.utc_note_field in self.naive_fields
        else:
            naive = bool(self.naive_fields)
        return [self.utc_note] if self.utc_note and naive else []

    def note_dated_modstamp(self, name: str, column: str, values: Sequence[str | None]) -> None:
        """Remember the modification time's column when a sampled value is a date alone, and
        whether one is written year first (read in any day/month order)."""
        if name != "modstamp":
            return
        kinds = {_date_alone(v) for v in values if v}
        if kinds - {None}:
            self.dated_modstamp = column
            self.dated_year_first = "year_first" in kinds

    def order_notes(self) -> list[str]:
        """The note for a file whose own dates showed another order than --date-order's."""
        return [self.order_note] if self.order_note else []

    def dated_modstamp_notes(self) -> list[str]:
        """The note for a modification time written as dates alone (as a DATE column's): not
        when they are all locale dates whose day/month order the file does not tell (they are
        rejected rows then, saying why; settle_order)."""
        if self.dated_modstamp is None:
            return []
        if not self.dated_year_first and self.date_order is None:  # (--date-order sets it)
            return []
        return [
            f"{self.dated_modstamp} holds dates without a time of day: read as midnight, so "
            "copies of one id modified the same day keep the last read (R9)"
        ]

    def sample_column(
        self,
        name: str,
        idx: int,
        column: str,
        values: Sequence[str | None],
        styles: dict[str, str],
        needing: dict[str, int],
        empty: dict[str, int],
    ) -> None:
        """Judge one text time field from its sampled ``values``: its style, its fast shape,
        whether it needs the locale formats (``needing``) or is blank so far (``empty``),
        and what the notes on zones and dates alone need to know."""
        found = timeformats.sample(values)
        self.note_zones(name, found)
        self.note_dated_modstamp(name, column, values)
        self.fast[name] = timeformats.fast_shape(values, utc=self.options.tz == "UTC")
        if _locale(name, found):
            needing[name] = idx
        elif found.values == 0 and name in TIME_FIELDS:
            empty[name] = idx
        # described but for ISO-8601 times: locale ones, or values none of which is ISO-8601
        # (epoch numbers, words), which describe() calls no date-times
        described = _locale(name, found) or (found.values and not found.iso)
        styles[name] = found.describe(None) if described else "ISO-8601"

    def settle_order(
        self,
        styles: dict[str, str],
        needing: dict[str, int],
        empty: dict[str, int],
        header: Sequence[str],
        survey: Callable[[list[int]], list[tuple[Any, ...]]],
    ) -> tuple[dict[str, str], DateOrder | None]:
        """The day/month order of the locale time columns ``needing`` (field -> column
        index), from --date-order or a survey of their values, and their styles. Columns
        blank in the sample (``empty``) are read as the others. The modification time only
        orders copies (R9): it never decides the order of a file whose call times do, nor
        stops a file whose order it alone cannot tell (a few stray dates: its undecided
        locale values are rejected rows, error_message says why)."""
        stamp = needing.pop("modstamp", None)
        blank_stamp = empty.pop("modstamp", None)  # blank in the sample: not surveyed either
        order = self.options.date_order
        if needing:
            needing.update(empty)  # blank in the sample: read as the file's other times are
            # surveyed with --date-order too: it orders only dates the file does not tell
            columns = list(needing.values())
            order = self.decide_order([header[i] for i in columns], survey(columns))
            if stamp is None and blank_stamp is not None:
                stamp = blank_stamp  # read in the order the call times gave
        elif stamp is None:
            return styles, None
        elif order is None:
            try:
                order = self.decide_order([header[stamp]], survey([stamp]))
            except DateOrderError:
                styles["modstamp"] = "ISO-8601 (its locale dates' day/month order is unknown)"
                return styles, None
        if stamp is not None:
            needing["modstamp"] = stamp
        for name in needing:  # judge() said whether its values carry a zone: kept
            zoned = styles.get(name, "").endswith(" with zone")
            styles[name] = timeformats.locale_style(order) + (" with zone" if zoned else "")
        return styles, order

    def decide_order(
        self, headers: Sequence[str], survey: list[tuple[Any, ...]]
    ) -> DateOrder | None:
        """The date order from ``--date-order`` or from a survey_dates result (one row per
        surveyed column, in the order of ``headers``)."""
        dated = [(headers[int(r[0]) - 1], r) for r in survey if int(r[1])]
        given = self.options.date_order
        order = timeformats.decide_date_order(
            given,
            max((int(r[2]) for r in survey), default=0),
            max((int(r[3]) for r in survey), default=0),
            self.display,
            ", ".join(repr(name) for name, _ in dated) or repr(headers[0]),
            slash_dates=sum(int(r[1]) for r in survey),
            example=next((str(r[4]) for _, r in dated), None),
            cells=sum(int(r[5]) for _, r in dated),
            dotted=sum(int(r[6]) for r in survey),
            undotted=next((str(r[9]) for _, r in dated if r[9] is not None), None),
            orders=(
                next((str(r[7]) for _, r in dated if r[7] is not None), None),
                next((str(r[8]) for _, r in dated if r[8] is not None), None),
            ),
        )
        self.order_note = None
        if given is not None and order is not None and order != given:
            proof = 7 if order == "dmy" else 8  # a date only that order reads (survey_dates)
            shown = next(
                (str(r[proof]) for _, r in dated if r[proof] is not None),
                next((str(r[4]) for _, r in dated), ""),  # dotted dates: any of them
            )
            self.order_note = (
                f"its dates show {'day' if order == 'dmy' else 'month'} first (e.g. {shown!r}), "
                f"so they are read so, not as --date-order {given} says: that option orders "
                "only the dates a file does not tell"
            )
        return order

    def run_load(
        self, binds: dict[str, Any], context: dict[str, Any], template: str | None = None
    ) -> None:
        """Run the load template (or ``template``) in the zone naive times are read in."""
        queries.run(self.con, "set_time_zone", {"tz": self.options.tz})
        try:
            if template is None:
                template = f"load_{self.role}" if self.role in ROLES else "load_records"
            self.query_file(template, binds, **context)
        except BaseException as exc:  # Ctrl-C too: keep it, not a failure of the restore
            self._restore_time_zone()
            if isinstance(exc, UnreadableInputError) and FLAG_STOP in exc.message:
                raise self.unread_flag(exc.message.split(FLAG_STOP, 1)[1]) from None
            raise
        queries.run(self.con, "set_time_zone", {"tz": "UTC"})

    def reject_text(self, code: str, fld: str, value: str | None, mapping: ColumnMapping) -> str:
        """The rejects.csv text of a row the load flagged (error_message), told for the file:
        a call time is missing from the one column of the two the file has."""
        if (code, fld) == ("missing", "call_time"):
            date_column, created_column = (
                mapping.header_of(name) for name in ("touchpoint_date", "call_time")
            )
            if created_column is None and self.options.overrides.get("call_time") == "":
                return (
                    f"no call time: the Buyer Touchpoint Date ({date_column}) is empty, and "
                    "--map tasks.call_time= ignores the CreatedDate to fall back on"
                )
            if created_column is None:
                return (
                    f"no call time: the Buyer Touchpoint Date ({date_column}) is empty, and the "
                    "file has no CreatedDate column to fall back on (--map "
                    "tasks.call_time=COLUMN names one)"
                )
            if date_column is None:
                ignored = self.options.overrides.get("touchpoint_date") == ""
                return f"no call time: the CreatedDate ({created_column}) is empty, and " + (
                    "--map tasks.touchpoint_date= ignores the Buyer Touchpoint Date"
                    if ignored
                    else "the file has no Buyer Touchpoint Date column"
                )
        if self.role == "sessions":
            return session_error(code, fld, value, self.date_order)
        return error_message(code, fld, value, field_kind(self.role, fld), self.date_order)

    def unread_flag(self, value: str) -> UnreadFlagError:
        """The error of a HAS_FORM cell holding ``value``, neither true nor false (ct_flag
        stopped the load: a session cannot be rejected for a field run does not read)."""
        column = self.flag_column or "HAS_FORM"
        try:
            place = self.flag_place(value)
        except (OSError, ValueError, csvscan.Unreadable, CalltouchError, duckdb.Error):
            place = None  # the value stopped the load: that is the error to tell
        at = f" ({place})" if place else ""
        return UnreadFlagError(
            f"the {column} column of {self.role} file {self.display} holds {value!r}{at}, "
            "which is not true or false (whether the visit filled a web form)",
            hint=(
                f"Write it as true/false, 1/0 or yes/no ({BOOL_WORDS} are read too), or load "
                f"the file without form fills: --map {self.role}.has_form= (no session is then "
                "a Web Form touchpoint)."
            ),
        )

    def flag_place(self, value: str) -> str | None:
        """Where the first flag cell holding ``value`` is ("line 3", "row 2"), for the error
        that names it; None when it cannot be told."""
        return None

    def query_file(
        self, name: str, binds: Mapping[str, Any], **context: Any
    ) -> duckdb.DuckDBPyConnection:
        """Run template ``name``, which reads this loader's file (see :func:`query_file`)."""
        return query_file(
            self.con, name, binds, role=self.role, path=self.display, fmt=self.fmt, **context
        )

    def drop_rejects_tables(self, binds: Mapping[str, Any]) -> None:
        """Drop the tables DuckDB's CSV reader kept its rejects in (if it got to create them)."""
        for name in (binds["rejects_table"], binds["rejects_scan"]):
            queries.run(self.con, "drop_table", table=name)

    def amount_notes(self, binds: Mapping[str, Any], context: Mapping[str, Any]) -> list[str]:
        """A note when the opportunities' amounts were read as thousands for want of a cell
        showing the column's decimal mark (every amount such as 1.005 or 125.500: 1005 and
        125500): the same amounts typed DOUBLE in a Parquet file read 1.01 and 125.5, and a
        column of decimals with three places reads 1000 times too large."""
        if self.role != "opportunities":
            return []
        amount = next(f["col"] for f in context["fields"] if f["name"] == "amount")
        if amount is None or amount["kind"] not in _TEXT_KINDS:
            return []
        reading = {k: v for k, v in binds.items() if k in _READING_BINDS}
        try:
            told, grouped, example, point, comma = self.query_file(
                "amount_marks", reading, source_format=self.fmt, amount=amount
            ).fetchone() or (True, 0, None, None, None)
        finally:
            if "rejects_table" in binds:  # a CSV read keeps its rejects in tables of its own
                self.drop_rejects_tables(binds)
        if told or not grouped:
            return []
        mark = "." if "." in str(example) else ","
        read = (
            f"{grouped:,} amount{'s' if grouped != 1 else ''} such as {example!r} read as "
            f"thousands ({str(example).replace(mark, '')})"
        )
        if point is not None and comma is not None:
            return [
                f"{read}: the file's amounts disagree on the decimal mark ({point!r} shows "
                f"'.', {comma!r} shows ','), so neither is taken. Write the amounts with one "
                "decimal mark in the export"
            ]
        return [
            f"{read}: no amount in the file shows whether {mark!r} is its decimal mark or "
            "groups thousands. If it is the decimal mark, export the amounts with two "
            f"decimals, or in one file with amounts that show it (12{mark}5, 1250{mark}00)"
        ]

    def _restore_time_zone(self) -> None:
        """Back to UTC after a failed load, if the connection still can: in a workspace's
        transaction a failed statement aborts it, and the load's own error is the one to tell."""
        with contextlib.suppress(CalltouchError):
            queries.run(self.con, "set_time_zone", {"tz": "UTC"})

    def counts(self, *, row_numbers: bool = False) -> tuple[int, list[tuple[Any, ...]]]:
        """(rows in the table for this file, flagged rows with their ordinals); with
        ``row_numbers`` the ordinals are the rows' recorded numbers in the file (_ord)."""
        row = queries.run(
            self.con, "file_load_counts", {"file_id": self.file_id}, table=self.table
        ).fetchone()
        flagged = queries.run(
            self.con,
            "flagged_rows",
            {"file_id": self.file_id},
            table=self.table,
            row_numbers=row_numbers,
        ).fetchall()
        return int(row[0]) if row else 0, flagged

    def store_rejects(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        rejects.sort(key=lambda r: (r[0] is None, r[0] or 0))
        queries.run(
            self.con,
            "add_rejects",
            {
                "role": self.role,
                "file_id": self.file_id,
                "file": self.display,
                "lines": [r[0] for r in rejects],
                "columns": [r[1] for r in rejects],
                "errors": [r[2] for r in rejects],
                "raws": [r[3] for r in rejects],
            },
        )

    def time_binds(self, order: DateOrder | None) -> dict[str, Any]:
        use = order or "mdy"
        binds: dict[str, Any] = {
            "naive_formats": timeformats.naive_formats(use),
            "zoned_formats": timeformats.zoned_formats(use),
            # revenue dates; a modification time written as a date alone (ts's date_ok)
            "date_formats": timeformats.date_formats(use),
        }
        if self.role in REVENUE_ROLES:
            binds["field_names"] = [f.name for f in FIELDS[self.role]]
        return binds

    def defaults(self, detection: profiles.Detection) -> dict[str, Any]:
        if self.role != "tasks":
            return {}
        return {
            "default_task_type": detection.profile.defaults.get("task_type"),
            "salesforce_ids": detection.profile.salesforce_ids,
        }

    def load(self) -> LoadedFile:  # pragma: no cover - abstract
        raise NotImplementedError


class _DuckDBCannotRead(InputError):
    """DuckDB's CSV reader gave up on a file (the loader then uses the independent reader)."""


class CsvLoader(_Loader):
    fmt = "csv"
    dialect: CsvDialect | None = None  # the file's, once sniffed
    read_notes: Sequence[str] = ()  # the notes of the last read (a file can be read twice)

    @property
    def out_of_order(self) -> bool:
        """Whether DuckDB stores this file's rows out of file order: a one-shot run's session
        load, whose cookie checks are joins. Its rejected rows are then placed on their
        lines by a second read that keeps the order (flags_in_file_order); its rows are
        numbered (number_rows, one thread, twice the time) only when copies need their order
        for R9 (load_role) or should that read not agree with the load."""
        return self.role == "sessions" and self.options.narrow

    def load(self) -> LoadedFile:
        try:
            return self._load()
        except csvscan.Unreadable as exc:  # a .gz cut short past what sniff_csv reads
            raise cannot_read(self.role, self.path, exc.__cause__ or exc) from exc

    def flag_place(self, value: str) -> str | None:
        if self.dialect is None or self.flag_index is None:
            return None
        line = csvscan.line_holding(self.path, self.dialect, self.flag_index, value)
        return None if line is None else f"line {line}"

    def _load(self) -> LoadedFile:
        dialect = sniff_csv(self.path, self.role, self.options.encoding)
        self.dialect = dialect
        detection = self.detect(dialect.header)
        mapping = detection.mapping
        width = len(dialect.header)
        result = LoadedFile(
            self.file_id,
            self.role,
            self.display,
            "csv",
            self.options.tz,
            mapping,
            profile=detection.profile.name,
            encoding=dialect.encoding,
            delimiter=dialect.delimiter,
            notes=list(mapping.notes) + self.dialect_notes(dialect, mapping),
        )
        source = self.path
        if dialect.encoding != "utf-8":
            source = self.workdir / f"transcoded-{self.file_id}.csv"
            csvscan.transcode_to_utf8(self.path, dialect, source)

        # Fast path: DuckDB reads the file itself. Its line-level rejects are only counted;
        # the independent reader below says which lines they are and why. When that reader
        # must run anyway (task files, report exports), it runs in a thread beside DuckDB's
        # read (which releases the GIL): 1M task rows take it 1.75 s on one core.
        # A header cell holding a line break (Alt+Enter in Excel) in a file with CRs makes
        # DuckDB read no row at all, without a reject: the independent reader counts such a
        # file (an LF file DuckDB reads right, and the scan would only cost time).
        needs_scan = (
            self.role == "tasks"
            # a revenue report's footer, which Excel may have padded to full-width rows
            or (self.role in REVENUE_ROLES and csvscan.ends_with_footer(self.path, dialect))
            or detection.profile.footer
            or (any("\n" in h or "\r" in h for h in dialect.header) and _has_cr(self.path))
        )
        struct_lines: int | None
        stop = threading.Event()  # set when the read fails (or is interrupted): no waiting
        lines: Future[csvscan.RecordLines | None] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="calltouch-scan") as pool:
            early = (
                pool.submit(csvscan.scan, self.path, dialect, width, stop=stop)
                if needs_scan
                else None
            )
            try:
                try:
                    struct_lines = self.read(source, dialect.delimiter, dialect, detection, result)
                    in_table, flagged = self.counts(row_numbers=self.number_rows)
                    if flagged and early is None and struct_lines == 0:
                        # only rows with bad values, in a file DuckDB read whole: where
                        # their lines are, found beside what follows (csvscan.record_lines)
                        lines = pool.submit(csvscan.record_lines, self.path, dialect, stop)
                    if flagged and self.out_of_order and not self.number_rows:
                        # stored out of file order: a second read in order places the
                        # rejected rows on their lines
                        in_order = self.flags_in_file_order(struct_lines, in_table, flagged)
                        if in_order is not None:
                            flagged = in_order
                        else:  # the reads disagreed: load again, numbering the rows
                            queries.run(
                                self.con,
                                "delete_file_rows",
                                {"file_id": self.file_id},
                                table=self.table,
                            )
                            self.number_rows = True
                            struct_lines = self.read(
                                source, dialect.delimiter, dialect, detection, result
                            )
                            in_table, flagged = self.counts(row_numbers=True)
                except _DuckDBCannotRead:
                    queries.run(
                        self.con, "delete_file_rows", {"file_id": self.file_id}, table=self.table
                    )
                    struct_lines, in_table, flagged = None, 0, []
            except BaseException:
                stop.set()
                raise
            scan = early.result() if early is not None else None
            found = lines.result() if lines is not None else None

        spans: dict[int, tuple[int, int]] = {}
        texts: dict[tuple[int, int], str] | None = None
        if found is not None and found.records == in_table and struct_lines == 0:
            # the quote-following reading counts the rows DuckDB read; it places them if each
            # place holds its row (a quote inside an unquoted cell can shift records while
            # the count still agrees: the csv module reads the file then)
            placed = {int(r[0]): found.span(int(r[0])) for r in flagged}
            read = csvscan.line_texts(self.path, dialect, list(placed.values()))
            row = queries.run(self.con, "white_space").fetchone()
            white = str(row[0]) if row else ""
            cells = (
                csvscan.one_record(read.get(placed[int(ordinal)]), dialect, width)
                for ordinal, *_ in flagged
            )
            if all(
                _holds(row_cells, mapping, fld, code, value, white)
                for row_cells, (_, fld, code, value) in zip(cells, flagged, strict=True)
            ):
                result.rows_scanned = found.records
                spans, texts = placed, read
        # DuckDB read no row of a file whose first lines hold some: the independent reader
        # counts it too, whatever the cause
        nothing_read = in_table == 0 and bool(dialect.sample)
        if texts is None and (
            needs_scan or struct_lines is None or struct_lines or flagged or nothing_read
        ):
            wanted = {int(r[0]) for r in flagged}
            if scan is None or wanted:
                # the lines of the rows DuckDB flagged are only known now: read again
                scan = csvscan.scan(self.path, dialect, width, wanted)
            result.rows_scanned = scan.records
            spans = scan.spans
            # Equal counts do not say that both readers set the same rows aside: DuckDB reads
            # `, "Spring, Sale"` (a space before the quote) as one cell where the csv module
            # finds two, and refuses `, "Ad" v2`, which the csv module reads; one such row
            # each way agrees in number and loses a row. So a file with rows the independent
            # reader finds malformed is loaded from its reading unless DuckDB refused the
            # same records (their first lines compared; a footer alone is no doubt).
            counted = struct_lines is not None and (
                in_table == scan.good and struct_lines == len(scan.bad) + len(scan.footer)
            )
            same_rows = counted
            if counted and scan.bad:
                # one reading of the lines: the comparison's, and the rejects' when it holds
                bad_spans = [(b.first_line, b.last_line) for b in scan.bad]
                texts = csvscan.line_texts(
                    self.path, dialect, [*spans.values(), *bad_spans, *scan.footer]
                )
                same_rows = _same_records(
                    [texts.get(span) for span in bad_spans],
                    [texts.get(span) for span in scan.footer],
                    self.struct_texts,
                )
                texts = texts if same_rows else None
            if not same_rows:
                # The readers disagree (or DuckDB gave up, or set other rows aside): load what
                # the independent reader sees as good records, from a normalised copy. DuckDB
                # drops a line longer than it reads without a reject: the reader looks for
                # those again.
                queries.run(
                    self.con, "delete_file_rows", {"file_id": self.file_id}, table=self.table
                )
                target = self.workdir / f"normalised-{self.file_id}.csv"
                scan = csvscan.scan(self.path, dialect, width, normalise_to=target)
                normalised = scan.normalised
                self.number_rows = self.number_rows or self.out_of_order
                try:
                    self.read(target, ",", dialect, detection, result)
                except _DuckDBCannotRead as exc:
                    raise UnreadableInputError(exc.message, hint=exc.hint) from None
                result.reader = (
                    "python (DuckDB's reader set other rows aside than the independent one)"
                    if counted
                    else "python (DuckDB's reading disagreed with the independent count)"
                )
                in_table, flagged = self.counts(row_numbers=self.number_rows)
                spans = {int(r[0]): normalised[int(r[0])] for r in flagged}

        bad = scan.bad if scan is not None else []
        if texts is None:
            texts = csvscan.line_texts(
                self.path, dialect, [*spans.values(), *((b.first_line, b.last_line) for b in bad)]
            )
        rejects: list[Reject] = [
            (b.first_line, b.column, b.error, texts.get((b.first_line, b.last_line))) for b in bad
        ]
        for ordinal, fld, code, value in flagged:
            span = spans.get(int(ordinal))
            raw = texts.get(span) if span else None
            error = self.reject_text(code, fld, value, mapping)
            if raw is not None and span is not None:
                error = self.repeated_header(span[0], raw, dialect, width) or error
            rejects.append((span[0] if span else None, reject_column(mapping, fld), error, raw))
        self.store_rejects(rejects)
        result.rows_loaded = in_table - len(flagged)
        result.rows_rejected = len(rejects)
        result.rows_footer = len(scan.footer) if scan is not None else 0
        undecodable = sum(b.error == csvscan.undecodable_text(dialect) for b in bad)
        if undecodable:
            # the file's encoding, not a row's fault: said where the user looks, not only in
            # rejects.csv (a run under --max-rejects exits 0 with its calls lost)
            result.notes.append(
                f"{undecodable:,} {'row holds' if undecodable == 1 else 'rows hold'} bytes "
                f"that are not {dialect.encoding} and {'was' if undecodable == 1 else 'were'} "
                f"rejected: {csvscan.undecodable_text(dialect).split('; ', 1)[1]}"
            )
        if scan is not None and scan.blank:
            result.notes.append(
                f"{scan.blank:,} {'line' if scan.blank == 1 else 'lines'} of empty cells only "
                "(delimiters alone, as Excel leaves below a sheet's data) skipped as blank "
                "lines"
            )
        return result

    def read(
        self,
        source: Path,
        delimiter: str,
        dialect: CsvDialect,
        detection: profiles.Detection,
        result: LoadedFile,
    ) -> int:
        """Survey timestamp styles and load ``source`` into the table; return how many lines
        DuckDB's reader rejected. Raises _DuckDBCannotRead when DuckDB gives up on the file.
        Read again (a normalised copy), the file's notes are this reading's, not both."""
        mapping = detection.mapping
        width = len(dialect.header)
        styles, order = self.time_styles(dialect, mapping, source, delimiter)
        result.time_styles, self.date_order = styles, order
        result.notes = [note for note in result.notes if note not in self.read_notes]
        self.read_notes = self.zone_notes() + self.dated_modstamp_notes() + self.order_notes()
        result.notes.extend(self.read_notes)
        cols = {
            name: None
            if idx is None
            else {
                "name": f"c{idx}",
                "kind": "varchar",
                "formats": _needs_formats(styles, name),
                "utc": self.options.tz == "UTC",
                "fast": self.fast.get(name),
                "date_ok": name == "modstamp",
            }
            for name, idx in mapping.columns.items()
        }
        context = self.context(cols, [{"name": f"c{i}", "kind": "varchar"} for i in range(width)])
        binds = self.csv_binds(source, delimiter, width)
        binds.update(self.time_binds(order))
        binds.update(self.defaults(detection))
        binds["file_id"] = self.file_id
        if context.get("details") == "raw":
            binds["window_us"] = _window(self.options)
        self.last_read = (binds, context)
        try:
            self.run_load(binds, context)
        except UnreadFlagError:
            raise  # the file read well: a value stopped it, which no other reader changes
        except InputError as exc:
            self.gave_up(binds, exc)
            raise _DuckDBCannotRead(exc.message, hint=exc.hint) from exc
        rejected = self.harvest_struct(binds)
        amounts = self.amount_notes(binds, context)
        self.read_notes = [*self.read_notes, *amounts]
        result.notes.extend(amounts)
        return rejected

    def flags_in_file_order(
        self, struct_lines: int, in_table: int, flagged: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]] | None:
        """The flagged rows of a load stored out of file order (out_of_order), with their
        positions in the file, from a second read that keeps the order (session_flags: on
        every thread, where numbering the load's rows reads on one; 10M rows with two bad
        times, BENCHMARKS.md). None when that read does not find what the load found (the
        same lines rejected, rows read and flagged rows): the caller then numbers the rows."""
        binds, context = self.last_read
        declared = queries.info("session_flags").binds
        flag_binds = {key: value for key, value in binds.items() if key in declared}
        try:
            self.run_load(flag_binds, {"cols": context["cols"]}, template="session_flags")
        except InputError as exc:
            self.gave_up(flag_binds, exc)
            return None
        try:
            lines = self.harvest_struct(flag_binds)
            row = queries.run(
                self.con, "file_load_counts", {"file_id": self.file_id}, table=FLAGS_TABLE
            ).fetchone()
            in_order = queries.run(
                self.con,
                "flagged_rows",
                {"file_id": self.file_id},
                table=FLAGS_TABLE,
                row_numbers=False,
            ).fetchall()
        finally:
            queries.run(self.con, "drop_table", table=FLAGS_TABLE)
        same = (
            lines == struct_lines
            and row is not None
            and int(row[0]) == in_table
            and Counter(r[1:] for r in in_order) == Counter(r[1:] for r in flagged)
        )
        return in_order if same else None

    def repeated_header(self, line: int, raw: str, dialect: CsvDialect, width: int) -> str | None:
        """The rejects.csv text of a rejected record that repeats the header (exports pasted
        into one file: its time cell is a column's name), None for any other record. A header
        repeated with its columns in another order is refused: the rows after it were read
        under the first header's columns (Type as Subject, or a BizibleId as a WhoId)."""
        cells = csvscan.one_record(raw, dialect, width)
        if cells is None:
            return None
        # compared as headers are matched (SPEC 3: in any case, BOM and white space aside)
        found, names = (
            [normalise_header(c).casefold() for c in cs] for cs in (cells, dialect.header)
        )
        if found == names:
            return REPEATED_HEADER
        if sorted(found) != sorted(names):
            return None
        raise UnreadableInputError(
            f"line {line:,} of {self.role} file {self.display} repeats the header with its "
            "columns in another order: two exports pasted into one file, and the rows after "
            "that line would be read under the first header's columns",
            hint=f"Split the file at line {line:,} into two files (a folder holding both, or "
            "a glob, reads them as one input), or export both parts with the same columns.",
        )

    def gave_up(self, binds: dict[str, Any], failure: InputError) -> None:
        """Clean up after DuckDB gave up reading the file, for the independent reader to take
        over. In a transaction (a workspace load) the failed read aborted it and nothing more
        can run: then the read's own error stops the load."""
        try:
            self.drop_rejects_tables(binds)
        except QueryError as exc:
            if not isinstance(exc.__cause__, duckdb.TransactionException):
                raise
            hint = failure.hint
            if "Invalid Input Error" in failure.message:  # the parser, not the file's bytes
                reads = (
                    "calltouch run"
                    if self.role in ROLES
                    else f"calltouch attribute (--{self.role.replace('_', '-')} FILE)"
                )
                hint = (
                    "DuckDB's reader gave up on this file (mixed line endings or an odd "
                    "dialect can do it), and inside a workspace load calltouch's own reader "
                    f"cannot take over: {reads} reads it; or save the file again (one kind of "
                    "line ending, UTF-8) and load that."
                )
            raise UnreadableInputError(failure.message, hint=hint) from failure

    def context(self, cols: dict[str, Any], raw_columns: list[dict[str, str]]) -> dict[str, Any]:
        context = role_context(self.role, "csv", cols, raw_columns, narrow=self.options.narrow)
        if self.role == "sessions":
            context["number_rows"] = self.number_rows
        return context

    def csv_binds(self, source: Path, delimiter: str, width: int) -> dict[str, Any]:
        return {
            "path": str(source),
            "csv_columns": {f"c{i}": "VARCHAR" for i in range(width)},
            "delim": delimiter,
            "rejects_table": f"ct_rejects_{self.file_id}",
            "rejects_scan": f"ct_rejects_scan_{self.file_id}",
        }

    def harvest_struct(self, binds: dict[str, Any]) -> int:
        """Lines DuckDB's reader rejected in the last scan (their texts kept in
        ``struct_texts``); drops its reject tables."""
        row = queries.run(self.con, "scan_rejects", rejects_table=binds["rejects_table"]).fetchone()
        self.drop_rejects_tables(binds)
        self.struct_texts = [str(text) for text in row[1]] if row else []
        return int(row[0]) if row else 0

    def dialect_notes(self, dialect: CsvDialect, mapping: ColumnMapping) -> list[str]:
        """What the reading chose, or the first rows show, that the user may not expect (load
        and inspect say it)."""
        notes = whole_id_notes(dialect, mapping)
        if dialect.encoding == "utf-8" and any("\ufffd" in h for h in dialect.header):
            notes.append(
                "its header holds bytes that are not UTF-8, shown as \ufffd in the column "
                "names carried to the outputs: if it comes from Excel, read it with "
                f"--encoding {self.role}=windows-1252"
            )
        if (
            dialect.encoding != "utf-8"
            and self.options.encoding == dialect.encoding
            and csvscan.is_clean_utf8(self.path, beyond_ascii=True)
        ):
            again = (
                "load it into a new workspace (--db) without --encoding (a workspace keeps "
                "one reading of a file)"
                if self.options.workspace
                else "give --encoding only to the inputs that need it (--encoding "
                "tasks=ENCODING or sessions=ENCODING); files of one input in different "
                "encodings load into a workspace one by one, each with its own (calltouch "
                "load tasks FILE --encoding ENCODING)"
            )
            notes.append(
                f"read as {dialect.encoding} (--encoding), though the whole file is "
                "valid UTF-8 text beyond ASCII, which it most likely is: if accents look "
                f"wrong (é as Ã©), read it as UTF-8: {again}"
            )
        return notes

    def time_styles(
        self, dialect: CsvDialect, mapping: ColumnMapping, source: Path, delimiter: str
    ) -> tuple[dict[str, str], DateOrder | None]:
        """Each time field's style from the sampled records, and the date order if needed. A
        column blank throughout the sample (a Buyer Touchpoint Date the vendor began filling
        later in the file) reads as the file's other times do: with the locale formats when
        one of them needs them (it had been taken for ISO-8601, its later values rejected)."""
        styles: dict[str, str] = {}
        needing: dict[str, int] = {}
        empty: dict[str, int] = {}
        for name in TIME_FIELDS + DATE_FIELDS:
            idx = mapping.columns.get(name)
            if idx is None:
                continue
            values = [row[idx] for row in dialect.sample if idx < len(row)]
            self.sample_column(name, idx, mapping.header[idx], values, styles, needing, empty)

        def survey(columns: list[int]) -> list[tuple[Any, ...]]:
            binds = self.csv_binds(source, delimiter, len(dialect.header))
            try:
                rows = self.query_file(
                    "survey_dates",
                    binds,
                    source_format="csv",
                    columns=[f"c{idx}" for idx in columns],
                ).fetchall()
            except InputError as exc:
                self.gave_up(binds, exc)
                raise _DuckDBCannotRead(exc.message, hint=exc.hint) from exc
            except BaseException:
                with contextlib.suppress(CalltouchError):  # the error to tell is this one
                    self.drop_rejects_tables(binds)
                raise
            self.drop_rejects_tables(binds)
            return rows

        return self.settle_order(styles, needing, empty, mapping.header, survey)


class ParquetLoader(_Loader):
    fmt = "parquet"
    nanos: frozenset[str] | set[str] = frozenset()  # TIMESTAMP(TZ)_NS columns (describe)
    numeric: list[int]  # 1-based positions of the columns typed as numbers (describe)
    column_types: list[str]  # every column's type, in order (describe)
    floats: dict[str, str]  # the columns typed FLOAT or DOUBLE, and which (describe)
    nested: dict[str, str]  # the columns of lists, structs, maps or unions, and their types

    def load(self) -> LoadedFile:
        return self.finish(self.prepare())

    def flag_place(self, value: str) -> str | None:
        if self.flag_column is None:
            return None
        # a connection of its own: in a workspace the failed load aborted the transaction; in
        # the zone the load read the file in (a typed timestamp's text depends on it)
        with duckdb.connect() as con:
            queries.run(con, "set_time_zone", {"tz": self.options.tz})
            row = queries.run(
                con,
                "parquet_flag_row",
                {"path": str(self.path), "value": value},
                column=self.flag_column,
                numeric=_is_number(self.types.get(self.flag_column, "")),
            ).fetchone()
        return None if row is None or row[0] is None else f"row {int(row[0]) + 1}"

    def prepare(self) -> tuple[LoadedFile, dict[str, Any], dict[str, Any]]:
        """Read the file's schema and choose how to load it: (result so far, context, binds)."""
        header, kinds = self.describe()
        detection = self.detect(header)
        mapping = detection.mapping
        result = LoadedFile(
            self.file_id,
            self.role,
            self.display,
            "parquet",
            self.options.tz,
            mapping,
            profile=detection.profile.name,
            notes=list(mapping.notes) + self.schema_notes(header, mapping, kinds),
            numeric=self.numeric,
            types=self.column_types,
        )
        styles, order = self.time_styles(mapping, kinds)
        result.time_styles, self.date_order = styles, order
        result.notes.extend(self.zone_notes() + self.dated_modstamp_notes() + self.order_notes())
        cols = {
            name: None
            if idx is None
            else {
                "name": header[idx],
                "kind": kinds[idx],
                "formats": _needs_formats(styles, name),
                "utc": self.options.tz == "UTC",
                "fast": self.fast.get(name),
                "nanos": header[idx] in self.nanos,
                "date_ok": name == "modstamp",
            }
            for name, idx in mapping.columns.items()
        }
        raw = [
            {"name": h, "kind": k, "nanos": h in self.nanos}
            for h, k in zip(header, kinds, strict=True)
        ]
        context = role_context(self.role, "parquet", cols, raw, narrow=self.options.narrow)
        if context.get("details") == "none":
            result.details_source = {
                "path": str(self.path),
                "cols": cols,
                "split_channel": context["split_channel"],
            }
        binds: dict[str, Any] = {"path": str(self.path), "file_id": self.file_id}
        binds.update(self.time_binds(order))
        binds.update(self.defaults(detection))
        return result, context, binds

    def keys(self, prepared: tuple[LoadedFile, dict[str, Any], dict[str, Any]]) -> int:
        """Key every session id into ct_session_keys (the first pass of a filtered load);
        the number of rows read."""
        row = self.query_file(
            "session_keys", {"path": str(self.path)}, cols=prepared[1]["cols"]
        ).fetchone()
        return int(row[0]) if row else 0

    def finish(self, prepared: tuple[LoadedFile, dict[str, Any], dict[str, Any]]) -> LoadedFile:
        """Load the rows, then locate and record the rejects."""
        result, context, binds = prepared
        mapping = result.mapping
        if self.role == "sessions":
            context = {**context, "matchable_only": self.matchable_only}
        self.run_load(binds, context)
        result.notes.extend(self.amount_notes(binds, context))
        in_table, flagged = self.counts(row_numbers=context.get("details") == "none")
        raws: dict[int, str] = {}
        if flagged:
            rows = self.query_file(
                "parquet_rows",
                {"path": str(self.path), "row_numbers": [int(r[0]) for r in flagged]},
            ).fetchall()
            raws = {int(n): str(text) for n, text in rows}
        rejects: list[Reject] = [
            (
                int(ordinal) + 1,
                reject_column(mapping, fld),
                self.reject_text(code, fld, value, mapping),
                raws.get(int(ordinal)),
            )
            for ordinal, fld, code, value in flagged
        ]
        self.store_rejects(rejects)
        if self.role in ("tasks", "sessions"):
            # the footer's count: a filtered session load counts rows it does not store, and
            # this checks that count independently
            row = self.query_file("parquet_row_count", {"path": str(self.path)}).fetchone()
            result.rows_scanned = int(row[0]) if row else 0
        if self.matchable_only:
            in_table = self.keyed_rows  # every row read, stored or not
        result.rows_loaded = in_table - len(flagged)
        result.rows_rejected = len(rejects)
        return result

    def describe(self) -> tuple[tuple[str, ...], list[str]]:
        found = not_parquet(self.path)
        if found is not None:  # DuckDB would say "No magic bytes found", and advise re-export
            kind, fix = found
            raise UnreadableInputError(
                f"cannot read {self.role} file {self.display} as Parquet: it is {kind}", hint=fix
            )
        rows = self.query_file("describe_parquet", {"path": str(self.path)}).fetchall()
        # nanosecond timestamps are cut to the microsecond, as the digits of text times are
        # (a zoned one, TIMESTAMPTZ_NS, is what pandas writes for a column with a zone)
        self.nanos = {
            str(r[0]) for r in rows if str(r[1]).upper() in ("TIMESTAMP_NS", "TIMESTAMPTZ_NS")
        }
        self.numeric = [i for i, r in enumerate(rows, start=1) if _is_number(str(r[1]))]
        self.floats = {str(r[0]): str(r[1]).upper() for r in rows if _is_float(str(r[1]))}
        self.nested = {str(r[0]): str(r[1]) for r in rows if _is_nested(str(r[1]))}
        self.types = {str(r[0]): str(r[1]) for r in rows}
        self.column_types = [str(r[1]) for r in rows]
        reserved = [str(r[0]) for r in rows if str(r[0]).casefold().startswith(RESERVED_PREFIX)]
        if reserved:
            # the load templates name their working columns ct__...: a file's own column of
            # such a name would be read in their place (a CSV's columns are read as c0, c1...)
            raise UnreadableInputError(  # whatever the role: inspect says it once
                f"{self.display}: column {reserved[0]!r} starts with "
                f"'{RESERVED_PREFIX}', the prefix calltouch keeps for its own working columns",
                hint="Rename that column in the export (or leave it out of it).",
            )
        header = tuple(str(r[0]) for r in rows)
        clash = row_number_clash(self.display, header)
        if self.role == "sessions" and self.options.narrow and clash is not None:
            raise clash
        return header, [_kind(str(r[1])) for r in rows]

    def schema_notes(
        self, header: Sequence[str], mapping: ColumnMapping, kinds: list[str]
    ) -> list[str]:
        """What the file's schema makes the reading do that the user may not expect (load and
        inspect say it); raises InputError for a field read from a column of lists, structs,
        maps or unions, of numbers or times of day where a date-time is read, and for a DATE
        column that must place a call."""
        self.refuse_nested(mapping)
        self.refuse_number_times(mapping)
        self.refuse_time_of_day(mapping)
        return (
            self.folder_note(header)
            + self.duplicate_note(header)
            + self.refuse_date_only(mapping, kinds)
            + self.float_id_notes(mapping)
            + self.undecodable_notes(header, kinds)
        )

    def undecodable_notes(self, header: Sequence[str], kinds: list[str]) -> list[str]:
        """A note for each column of bytes (BLOB) holding cells that are not UTF-8 text: they
        are read as DuckDB escapes them (Caf\\xE9), which --encoding (CSV only) cannot
        change. A column stored as bytes with its text in UTF-8 reads as that text."""
        notes = []
        for column, kind in zip(header, kinds, strict=True):
            if kind != "blob":
                continue
            count, example = self.query_file(
                "parquet_undecodable", {"path": str(self.path)}, column=column
            ).fetchone() or (0, None)
            if count:
                shown = printable(str(example)[:60])
                notes.append(
                    f"{column} holds {count:,} cell{'s' if count > 1 else ''} of bytes that "
                    f"are not UTF-8 text (e.g. '{shown}'), read as DuckDB escapes them: "
                    "write the column as UTF-8 text (a string column, not binary)"
                )
        return notes

    def folder_note(self, header: Sequence[str]) -> list[str]:
        """The note for key=value folders naming a field the role reads that the file has no
        column for: a partitioned export (CHANNEL=Email/part-0.parquet) leaves the key's
        column out of its files, and calltouch reads a file's own columns only."""
        own = {h.casefold() for h in header}
        names = {a.casefold() for f in FIELDS[self.role] for a in (f.name, *f.aliases)}
        lost = [
            m.group(0)
            for part in Path(self.display).parts[:-1]
            if (m := _FOLDER_KEY.fullmatch(part))
            and m.group(1).casefold() in names
            and m.group(1).casefold() not in own
        ]
        if not lost:
            return []
        return [
            f"its folders {', '.join(lost)} are not read: calltouch reads a file's own "
            "columns only; export those columns in the files (a partitioned export leaves "
            "its keys out of them)"
        ]

    def refuse_number_times(self, mapping: ColumnMapping) -> None:
        """Refuse a time or date field read from a column typed as numbers (an epoch count,
        20260302): its text is no date-time, so every row was rejected ('1772955000000' is
        not a date-time), and its unit (seconds, milliseconds ...) is not calltouch's to
        guess. A column with no value at all is blank, whatever its type (a Buyer Touchpoint
        Date never filled, which pandas writes as DOUBLE)."""
        for name, idx in mapping.columns.items():
            if idx is None or name not in TIME_FIELDS + DATE_FIELDS or idx + 1 not in self.numeric:
                continue
            column = mapping.header[idx]
            row = self.query_file("parquet_values", {"path": str(self.path)}, column=column)
            if not (row.fetchone() or (0,))[0]:
                continue  # empty throughout (pandas types a blank column DOUBLE): blank times
            if name in DATE_FIELDS:  # a close date: a day, not an instant
                wanted, hint = (
                    "dates",
                    (
                        "Export it as a DATE or as text (2026-03-31, or 3/31/2026 with "
                        "--date-order); a number such as 20260331 or a day count is not "
                        "calltouch's to guess. --map names another column."
                    ),
                )
            else:
                wanted, hint = (
                    "date-times",
                    (
                        "Export it as a timestamp (TIMESTAMP or TIMESTAMP WITH TIME ZONE) or as "
                        "ISO-8601 text (2026-03-02T12:17:00Z); an epoch number's unit (seconds, "
                        "milliseconds ...) is not calltouch's to guess. --map names another column."
                    ),
                )
            raise InputError(
                f"{self.role} file {self.display}: column {column!r} ({name}) holds numbers "
                f"({self.types[column]}), not {wanted}",
                hint=hint,
            )

    def refuse_time_of_day(self, mapping: ColumnMapping) -> None:
        """Refuse a time or date field read from a column typed TIME (a time of day without
        its date): every row was rejected ('12:10:00' is not a date-time), exit 3, with
        advice about --encoding and --date-order, which cannot help."""
        for name, idx in mapping.columns.items():
            if idx is None or name not in TIME_FIELDS + DATE_FIELDS:
                continue
            column = mapping.header[idx]
            duck_type = self.types.get(column, "").upper()
            if not duck_type.startswith("TIME") or duck_type.startswith("TIMESTAMP"):
                continue
            raise InputError(
                f"{self.role} file {self.display}: column {column!r} ({name}) holds times of "
                f"day without their dates ({self.types[column]})",
                hint=f"Export {column} as a timestamp (TIMESTAMP or TIMESTAMP WITH TIME ZONE) "
                "or as ISO-8601 text (2026-03-02T12:17:00Z); --map names another column.",
            )

    def refuse_nested(self, mapping: ColumnMapping) -> None:
        """Refuse a field calltouch reads (an id, a cookie, a time, a channel...) from a column
        whose values are lists, structs, maps or unions: each value's printed form (``[abc]``,
        ``{'c': Paid Search}``) would be taken for the id or the text, and never match. The
        columns a file carries through untouched may be of any type."""
        for name, idx in mapping.columns.items():
            column = None if idx is None else mapping.header[idx]
            if column is not None and column in self.nested:
                raise InputError(
                    f"{self.role} file {self.display}: column {column!r} ({name}) holds "
                    f"{self.nested[column]} values, not one value per row",
                    hint=f"Export {column} as a plain column (text, a number or a time), or "
                    f"map {name} to another column with --map {self.role}.{name}=COLUMN.",
                )

    def float_id_notes(self, mapping: ColumnMapping) -> list[str]:
        """A note for each id field read from a FLOAT or DOUBLE column: its whole numbers
        are read as the ids they write (5.0 is 5), but such a column keeps only 7 or 15
        significant digits, so longer ids may already have lost theirs in the file."""
        notes = []
        for name, idx in mapping.columns.items():
            column = None if idx is None else mapping.header[idx]
            if column in self.floats and name.endswith("_id"):
                digits = 7 if self.floats[column] == "FLOAT" else 15
                notes.append(
                    f"{column} ({name}) holds ids as {self.floats[column]} numbers, exact "
                    f"to {digits} digits only: export ids as text or integers"
                )
        return notes

    def duplicate_note(self, header: Sequence[str]) -> list[str]:
        """The note for columns named alike (in any case), as a CSV header's duplicates get
        one: DuckDB reads the first under its name and renames the others (Id_1)."""
        schema = self.query_file("parquet_columns", {"path": str(self.path)}).fetchall()
        written = _top_level_names([(str(n), c) for n, c in schema])
        if len(written) != len(header):
            return []
        seen: set[str] = set()
        repeated: list[str] = []
        for name, read_as in zip(written, header, strict=True):
            if name.lower() in seen and name.strip():
                repeated.append(name if name == read_as else f"{name} (read as {read_as})")
            seen.add(name.lower())
        return [duplicate_headers_note(self.role, repeated)] if repeated else []

    def refuse_date_only(self, mapping: ColumnMapping, kinds: list[str]) -> list[str]:
        """Refuse a time field typed DATE that places something (a call, a session's start);
        return the notes for one that only orders copies (the modification time, R9), read as
        midnight in the input's zone."""
        notes: list[str] = []
        for name, idx in mapping.columns.items():
            if idx is None or name not in TIME_FIELDS or kinds[idx] != "date":
                continue
            column = mapping.header[idx]
            if name == "modstamp":
                notes.append(
                    f"{column} holds dates without a time of day: read as midnight, so copies "
                    "of one id modified the same day keep the last read (R9)"
                )
                continue
            raise InputError(
                f"{self.role} file {self.display}: column {column!r} ({name}) holds dates "
                "without a time of day",
                hint=_DATE_ONLY_HINTS.get(name, f"Export {column} with its time of day."),
            )
        return notes

    def time_styles(
        self, mapping: ColumnMapping, kinds: list[str]
    ) -> tuple[dict[str, str], DateOrder | None]:
        styles: dict[str, str] = {}
        text_cols = {
            name: idx
            for name in TIME_FIELDS + DATE_FIELDS
            if (idx := mapping.columns.get(name)) is not None
            and kinds[idx] in {"varchar", "number", "blob", "other"}
        }
        for name in TIME_FIELDS + DATE_FIELDS:
            idx = mapping.columns.get(name)
            if idx is not None and name not in text_cols:
                if kinds[idx] != "timestamptz":
                    self.note_zones(name, None)
                styles[name] = {
                    "timestamptz": "TIMESTAMP WITH TIME ZONE",
                    # a date field's date is the date; a time field's is its midnight
                    "date": "DATE"
                    if name in DATE_FIELDS
                    else "DATE (midnight in the input's zone)",
                }.get(kinds[idx], "TIMESTAMP (read in the input's zone)")
        if not text_cols:
            return styles, None
        wanted = [{"name": mapping.header[i], "kind": kinds[i]} for i in text_cols.values()]
        rows = self.query_file(
            "parquet_sample", {"path": str(self.path), "limit": SAMPLE_LIMIT}, columns=wanted
        ).fetchall()
        needing: dict[str, int] = {}
        empty: dict[str, int] = {}  # blank in the sample: read as the other times (CsvLoader)
        for pos, (name, idx) in enumerate(text_cols.items()):
            values = [None if r[pos] is None else str(r[pos]) for r in rows]
            self.sample_column(name, idx, mapping.header[idx], values, styles, needing, empty)

        def survey(columns: list[int]) -> list[tuple[Any, ...]]:
            return self.query_file(
                "survey_dates",
                {"path": str(self.path)},
                source_format="parquet",
                columns=[mapping.header[i] for i in columns],
            ).fetchall()

        return self.settle_order(styles, needing, empty, mapping.header, survey)


def _top_level_names(schema: Sequence[tuple[str, int | None]]) -> list[str]:
    """The names of a Parquet schema's top-level columns, from its elements in file order
    (the root first, each group followed by its children, num_children telling how many)."""
    names: list[str] = []
    wanted = (schema[0][1] or 0) if schema else 0
    i = 1
    while i < len(schema) and len(names) < wanted:
        names.append(schema[i][0])
        pending = 1  # elements of this column's subtree still to pass
        while pending and i < len(schema):
            pending += (schema[i][1] or 0) - 1
            i += 1
    return names


# What to export instead when a time field's column holds dates only (refuse_date_only).
_PLACES = "Only a date-time places a call within minutes of a web session: "
_DATE_ONLY_HINTS = {
    "touchpoint_date": _PLACES + "export the Buyer Touchpoint Date with its time of day, or "
    "leave it out (--map tasks.touchpoint_date=) to place calls by CreatedDate.",
    "call_time": _PLACES + "export CreatedDate with its time of day (not ActivityDate, which "
    "has none).",
    "session_start": _PLACES + "export the session's start with its time of day (EVENT_DATE "
    "in the Marketo Measure warehouse).",
    "created_date": "The creation time tells which touchpoints came before the opportunity: "
    "export CreatedDate with its time of day.",
}


def _has_cr(path: Path) -> bool:
    """Whether the first 64 KiB of ``path`` hold a CR (CRLF or CR line ends); True when they
    cannot be read, for the independent reader to say why."""
    try:
        with open_bytes(path) as handle:
            return b"\r" in handle.read(1 << 16)
    except (OSError, *BROKEN_GZIP):
        return True


def _same_records(
    refused: Sequence[str | None], footer: Sequence[str | None], struct_texts: Sequence[str]
) -> bool:
    """Whether the records DuckDB's reader refused (``struct_texts``) are those the
    independent reader refused (``refused``: their texts) plus the report footer's lines,
    compared by their first lines as a multiset (DuckDB keeps a record's text whole, and
    refuses the footer's lines one by one)."""
    ours = [*refused, *footer]
    if any(text is None for text in ours):
        return False
    return Counter(_first_line(str(t)) for t in ours) == Counter(map(_first_line, struct_texts))


def _first_line(text: str) -> str:
    """A record's first physical line (a CR, an LF or both end it)."""
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def _holds(
    cells: list[str] | None,
    mapping: ColumnMapping,
    fld: str,
    code: str,
    value: str | None,
    white: str,
) -> bool:
    """Whether ``cells`` (the record found for a flagged row, None when the lines found are not
    one record of the file's width) hold in ``fld`` what made the row unusable: blank for a
    missing value, the unreadable ``value`` for a bad one, once trimmed of ``white`` as
    ct_tidy trims; never for a record of empty cells only."""
    idx = mapping.columns.get(fld)
    if cells is None or idx is None or not any(c.strip() for c in cells):
        # a record of empty cells (',,,,') is a blank line to the independent reader
        # (csvscan.scan), which the file is then read by
        return False
    cell = cells[idx].strip(white)
    if code == "missing":
        return not cell
    return cell == value


def role_context(
    role: Role,
    source_format: str,
    cols: dict[str, Any],
    raw_columns: list[dict[str, str]],
    *,
    narrow: bool = False,
) -> dict[str, Any]:
    """The template context that loads one file of ``role``."""
    if role == "tasks":
        return {"source_format": source_format, "cols": cols, "raw_columns": raw_columns}
    if role == "sessions":
        return {
            "source_format": source_format,
            "cols": cols,
            "split_channel": cols.get("subchannel") is None,
            # a one-shot run: Parquet rows are read again by row number for their details,
            # CSV ones cannot be: their details are kept raw, for sessions that may merge
            "details": "all" if not narrow else ("none" if source_format == "parquet" else "raw"),
            "check_calling": narrow,
            "matchable_only": False,  # a filtered load sets it (ParquetLoader.finish)
            "number_rows": False,  # a CSV load reading a file again in order sets it
        }
    return {
        "source_format": source_format,
        "table": TABLES[role],
        "fields": [
            {
                "name": f.name,
                "kind": f.kind,
                "required": f.required,
                "unused": f.unused,
                "col": cols[f.name],
            }
            for f in FIELDS[role]
        ],
    }


def _locale(name: str, found: timeformats.TimeSample) -> bool:
    """Whether a sampled time (or date) column needs the locale formats (a modification time
    may be written as locale dates alone, read as midnight: ts in _load.sql.j2)."""
    if name in DATE_FIELDS or name == "modstamp":
        return found.slash > 0 or found.needs_formats
    return found.needs_formats


def _needs_formats(styles: Mapping[str, str], name: str) -> bool:
    """True when a text time field needs the locale formats besides ISO-8601."""
    style = styles.get(name)
    return style is not None and not style.startswith(("ISO-8601", "TIMESTAMP"))


_FLOAT_TYPES = frozenset(["FLOAT", "DOUBLE"])  # DuckDB's names (DESCRIBE) for REAL, FLOAT8 ...
_NUMBER_TYPES = _FLOAT_TYPES | frozenset(
    [
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    ]
)


def _is_float(duck_type: str) -> bool:
    """Whether a DuckDB column type is a binary floating-point number (FLOAT or DOUBLE)."""
    return duck_type.upper() in _FLOAT_TYPES


def _is_number(duck_type: str) -> bool:
    """Whether a DuckDB column type is a number (integer, fractional or decimal)."""
    t = duck_type.upper()
    return t in _NUMBER_TYPES or t.startswith("DECIMAL")


def row_number_clash(display: str, header: Sequence[str]) -> UnreadableInputError | None:
    """The error for a session Parquet file with a column named as the row numbers DuckDB adds
    (file_row_number), which a one-shot run reads (run stops on it, inspect says so)."""
    taken = [name for name in header if name.casefold() == "file_row_number"]
    if not taken:
        return None
    return UnreadableInputError(
        f"{display}: column {taken[0]!r} has the name DuckDB gives the row numbers calltouch "
        "run reads",
        hint="Rename that column in the export, or load the file into a workspace (calltouch "
        "load), which does not read the row numbers.",
    )


def _is_nested(duck_type: str) -> bool:
    """Whether a DuckDB type (as DESCRIBE writes it) holds several values per row: a list
    (``VARCHAR[]``), an array (``INTEGER[3]``), a struct, a map or a union."""
    t = duck_type.upper()
    return t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION"))


def _amount_error(value: str | None) -> str:
    """The rejects.csv text of an amount that cannot be read: one too large for DECIMAL(18, 2)
    (1E+20, a float dump's 99999999999999999.99, EUR 99.999.999.999.999.999) is told so, not
    taken for a malformed one: more than 16 digits before the decimals, or an exponent form
    past 10^16."""
    text = value or ""
    # a number, its currency and grouping aside: a date-time (2026-02-01 12:00:00.123456) or
    # a phone number is no amount at all, whatever its digits
    bare = re.sub(r"[A-Z]{3}|[$€£¥₹'\s\u00a0\u202f()]", "", text)
    number = re.fullmatch(r"[+-]?([\d.,]+?)([.,]\d{1,2})?([eE][+-]?\d+)?", bare)
    if number is None:
        large = False
    elif number.group(3):  # the exponent form: its value
        try:
            large = abs(float(bare.replace(",", ""))) >= 1e16
        except ValueError:
            large = False
    else:  # the digits before the decimals (a last mark followed by one or two digits)
        large = len(re.sub(r"\D", "", number.group(1))) > 16
    if large:
        return (
            f"{value!r} is larger than any amount calltouch reads (16 digits before the "
            "decimal mark at most)"
        )
    return f"{value!r} is not an amount (expected e.g. 12500 or 12,500.00)"


_WHOLE_ID = re.compile(r"-?\d+\.0")


def whole_id_notes(dialect: CsvDialect, mapping: ColumnMapping) -> list[str]:
    """A note for each id field of which a sampled value is a whole number written with '.0'
    (9001.0), as pandas and polars write an integer column holding a blank. Ids compare as
    written (R2), so 9001.0 is not the cookie 9001; a Parquet file of the same frame types
    them DOUBLE, which reads as 9001."""
    notes = []
    for name, idx in mapping.columns.items():
        if idx is None or not name.endswith("_id"):
            continue
        values = (row[idx].strip() for row in dialect.sample if idx < len(row))
        example = next((v for v in values if _WHOLE_ID.fullmatch(v)), None)
        if example is not None:
            notes.append(
                f"{mapping.header[idx]} ({name}) holds ids written as whole numbers with '.0' "
                f"({example}), as pandas and polars write an integer column holding a blank: "
                f"ids compare as written, so {example} is not the id {example[:-2]}; write the "
                "column as integers or text (in pandas, .astype('Int64') before to_csv), or "
                "save it as Parquet"
            )
    return notes


def _kind(duck_type: str) -> str:
    """Allow-list a DuckDB type into the conversion kinds the load templates know."""
    t = duck_type.upper()
    if t == "VARCHAR":
        return "varchar"
    if t in {"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMPTZ_NS"}:
        return "timestamptz"
    if t in {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATETIME"}:
        return "timestamp"
    if t == "DATE":
        return "date"
    if t in _FLOAT_TYPES or t.startswith("DECIMAL"):
        return "number"  # text as a person writes it: 5.0 and 5.00 are "5" (ct_number_text)
    if t == "BLOB":
        return "blob"  # text some writers store without its UTF-8 annotation (as_text)
    return "other"


def query_file(
    con: duckdb.DuckDBPyConnection,
    name: str,
    binds: Mapping[str, Any],
    *,
    role: Role,
    path: str,
    fmt: str,
    **context: Any,
) -> duckdb.DuckDBPyConnection:
    """Run template ``name``, which reads the user's file ``path`` (of ``role``, in ``fmt``).

    A failure the file can cause (damaged, cut short, not in its format) becomes an
    UnreadableInputError naming the file and how to fix it; a failure of the SQL itself (a
    bug) stays a QueryError. Every query that reads an input file runs through here."""
    try:
        return queries.run(con, name, binds, **context)
    except QueryError as exc:
        if not queries.failed_on_data(exc):
            raise
        as_format = " as Parquet" if fmt == "parquet" else ""
        reason = _reason(exc)
        raise UnreadableInputError(
            f"cannot read {role} file {path}{as_format}: {reason}", hint=_read_hint(fmt, reason)
        ) from exc


# A folder name that partitions an export: KEY=VALUE (Hive's layout, which Spark, DuckDB and
# warehouse unloads write).
_FOLDER_KEY = re.compile(r"([^=/\\]+)=([^/\\]*)")


def _reason(exc: QueryError) -> str:
    """DuckDB's reason without the SQL it quotes (LINE n: ... and the caret line)."""
    text = exc.message.split(": ", 1)[-1]
    text = re.split(r"\s+LINE \d+:", text)[0]
    return text.strip().rstrip(".") or "unreadable"


def _read_hint(fmt: str, reason: str) -> str:
    if fmt == "parquet" and "invalid string encoding" in reason.lower():
        # a column typed as text whose bytes are not UTF-8: DuckDB stops the read
        return (
            "A text column holds bytes that are not UTF-8 text: re-export it as UTF-8 text, "
            "or leave that column out of the export."
        )
    if fmt == "parquet":
        return "Check that the file is a complete Parquet file (re-export it if it was cut short)."
    if "gzip" in reason.lower():
        return BROKEN_FILE_HINT
    return "Check the file's encoding and delimiter (calltouch inspect shows what it detected)."


def field_kind(role: Role, name: str) -> str:
    """The kind of value a field holds (text, id, time, date, bool, amount)."""
    return next((f.kind for f in FIELDS[role] if f.name == name), "text")


# a date-time past the years 1-9999 as DuckDB writes one (0001-06-01 (BC), 10000-01-01 ...)
_PAST_YEARS = re.compile(r"\s*(\d{5,}|0000)-\d{2}-\d{2}(?!\d)|.*\(BC\)")


def _outside_years(value: str) -> bool:
    """Whether ``value`` is a date-time that only its year range made unreadable: written past
    the years 1-9999, or an ISO-8601 time of the year 1 or 9999 that its offset or the input's
    zone moves out (a readable one of another year is never rejected)."""
    if _PAST_YEARS.match(value):
        return True
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.year in (1, 9999)


# An ISO date alone, as a text modification time may be written (read as its midnight).
_DATE_ALONE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")  # year first: 2026-03-02
# A locale date alone (3/26/2026, 26.03.2026): also no time of day, its order the file's.
_LOCALE_DATE_ALONE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")

# A column name that says its times are UTC: Start Time (UTC), start_time_utc, UTC Time.
_SAYS_UTC = re.compile(r"(?<![A-Za-z])utc(?![A-Za-z])", re.IGNORECASE)
# A column's name that says it holds a time (Start Time (UTC), created_at_utc, Date (UTC),
# Session Start (UTC)), not an offset, a zone or a flag (utc_offset, Timezone (UTC),
# time_zone_utc, Is UTC), nor a modification (Last Update (UTC), Last Modified Date (UTC))
_CALL_TIME = re.compile(
    r"^(?!.*(?:modif|updat|chang|edit|time[\s_-]*zone))"
    r".*(?:time|date|start|(?<![A-Za-z])at(?![a-z])|stamp)",
    re.IGNORECASE,
)


def _report_created_date(detection: profiles.Detection, role: Role) -> str | None:
    """The column of an opportunities file's creation time when it is a Salesforce report's
    label (`Created Date`), whose times are in the zone of the user who ran the report."""
    if role != "opportunities":
        return None
    column = detection.mapping.header_of("created_date")
    return column if column is not None and column.strip().lower() == "created date" else None


def _beside_utc_column(
    detection: profiles.Detection, header: Sequence[str], role: Role, option: str
) -> tuple[str, str] | None:
    """The note for times read in UTC from a column whose name does not say so, beside one
    whose name does (Invoca's Call Start Time and Start Time (UTC)): the one read is likely
    in another zone."""
    mapped = {detection.mapping.header_of(name) for name in TIME_FIELDS}
    # the times a call or a session is placed by (not a modification time)
    for name in ("touchpoint_date", "call_time", "session_start"):
        column = detection.mapping.header_of(name)
        if column is None or _SAYS_UTC.search(column):
            continue
        utc = next(
            (h for h in header if h not in mapped and _SAYS_UTC.search(h) and _CALL_TIME.search(h)),
            None,
        )
        if utc is not None:
            return name, (
                f"its times without a zone are read in UTC, from {column!r}, but beside it "
                f"{utc!r} says it is UTC: {column!r} is likely in another zone; give "
                f"{option} ZONE, or, if {utc!r} is the same time, read it with --map "
                f"'{role}.{name}={utc}'"
            )
    return None


# A time whose zone is letters other than Z, UTC or GMT (10:22:00 PST, 10:22 AM PST), as
# ct_zone_ok finds it (the strptime formats of locale times read no letters but AM/PM).
_ZONE_LETTERS = re.compile(r"(?:[0-9.]|\b[AaPp]\.?[Mm]\.?)\s*([A-Za-z]+)$")

# A date-time of a locale calltouch does not read: year first with dots and spaces
# (Hungarian 2026. 03. 14. 10:22, Korean 2026. 3. 14. 오전 10:22), or a day/month date whose
# time is written with a dot (Danish 14.03.2026 10.22) or after a word (Finnish 14.3.2026
# klo 10.22, 12/03/2026 à 10:22); not a form it reads with a wrong number (2026-13-45)
_DATE_LIKE = re.compile(
    r"^\s*(\d{4}\.\s?\d{1,2}\.\s?\d{1,2}\."
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(,?\s+\D+\s+\d|\s+\d{1,2}\.\d{2}\b))"
)

# A time cut short, as ct_cut_short (session_setup.sql) finds it: 00:3, 08:, 08:00:00.
_CUT_SHORT = re.compile(r"(:.?|(?<![mM])\.)$")

# A UTC offset no place has, as ct_offset_ok (session_setup.sql) finds it: +25:00, +18:30.
_NO_PLACE_OFFSET = re.compile(
    r"[0-9 CTct][+-]((19|[2-9][0-9])[0-9:]*|[0-9]{2}:?[6-9][0-9](:?[0-9]{2})?|[0-9]{2}:?[0-9]{2}:?"
    r"[6-9][0-9]|18:?(0[1-9]|[1-5][0-9])(:?[0-9]{2})?|18:?00:?(0[1-9]|[1-5][0-9]))$"
)

# A locale date's first two numbers (3/25/2026, 25.03.2026): which is the month depends on
# the file's day/month order.
_DAY_MONTH = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}\b")


def _date_alone(value: str) -> str | None:
    """Whether ``value`` is a date without a time of day: 'year_first' (2026-03-02, read
    whatever the file's order), 'locale' (3/2/2026, read in the file's order) or None."""
    text = value.strip()
    if _DATE_ALONE.fullmatch(text):
        return "year_first"
    return "locale" if _LOCALE_DATE_ALONE.fullmatch(text) else None


def reject_column(mapping: ColumnMapping, fld: str) -> str:
    """The rejects.csv column of a row the load flagged for field ``fld``: the field's header
    cell; for a call time, the Buyer Touchpoint Date's when the file has no CreatedDate."""
    if fld == "call_time" and mapping.header_of(fld) is None:
        return mapping.header_of("touchpoint_date") or fld
    return mapping.header_of(fld) or fld


def session_error(code: str, fld: str, value: str | None, order: DateOrder | None = None) -> str:
    """The rejects.csv text of a session row the load flagged (see error_message)."""
    if (code, fld) == ("deleted", "is_deleted"):
        return SESSION_DELETED
    return error_message(code, fld, value, field_kind("sessions", fld), order)


def error_message(
    code: str, fld: str, value: str | None, kind: str = "text", order: DateOrder | None = None
) -> str:
    """The rejects.csv text for an unusable row flagged by the load templates; ``order`` is
    the day/month order the file's locale times were read in, if any."""
    if code == "bad_time":
        found_date = _DATE_ALONE.fullmatch(value.strip()) if value is not None else None
        if found_date:
            try:
                date(*(int(part) for part in found_date.groups()))
            except ValueError:
                return f"{value!r} is not a date (no such day)"
            return f"{value!r} is a date without a time of day"
        # the offset of a time of day only, as ct_ts and ct_ts_formats check it (25-03-2026
        # is not a time at -2026)
        if value is not None and ":" in value and _NO_PLACE_OFFSET.search(value.strip()):
            return (
                f"{value!r} has a UTC offset no place has (beyond 18 hours, or minutes or "
                "seconds beyond 59)"
            )
        zone = _ZONE_LETTERS.search(value.strip()) if value is not None else None
        if zone and zone.group(1).upper() not in ("Z", "UTC", "GMT", "AM", "PM"):
            return (
                f"{value!r} gives its zone as an abbreviation ({zone.group(1)!r}), which "
                "calltouch does not read: abbreviations are ambiguous (CST is Chicago's or "
                "China's, IST India's, Ireland's or Israel's): export the times with an offset "
                "(-08:00), in UTC (Z), or with the zone's name (America/Los_Angeles)"
            )
        if value is not None and ":" in value and _CUT_SHORT.search(value.strip()):
            return (
                f"{value!r} is a time cut short (its last digits are missing: does the file "
                "end mid-row, or was it cut while being written?)"
            )
        if value is not None and _outside_years(value):
            return f"{value!r} is not a date-time within the years 1-9999 (in UTC)"
        found = _DAY_MONTH.match(value or "")
        if order is not None and found:
            month = int(found.group(1 if order == "mdy" else 2))
            if month > 12:
                words = "month/day" if order == "mdy" else "day/month"
                return (
                    f"{value!r} is not a date-time in this file's {words} order: {month} "
                    "cannot be a month (is the file in the other order? see --date-order)"
                )
        if value is not None and _LOCALE_DATE_ALONE.fullmatch(value.strip()):
            if fld != "modstamp":
                return f"{value!r} is a date without a time of day"
            # a date alone is read there (as midnight) when the file's day/month order is known
            if order is None:  # (a locale date-time there is told below, as for any field)
                return (
                    f"{value!r} is a date in a day/month order this file does not tell (its "
                    "first rows show no such date, or none past 12): --date-order reads it"
                )
            return f"{value!r} is not a date (no such day)"
        if order is None and found and fld == "modstamp":
            # the modification time never decides the order (settle_order): none was known
            return (
                f"{value!r} is a date-time in a day/month order this file does not tell (its "
                "first rows show no such time, or none past 12): --date-order reads it"
            )
        if value is not None and _DATE_LIKE.match(value):
            # a locale calltouch does not read (14.03.2026 10.22, 2026. 03. 14. 10:22): no
            # reading option helps, the export's format does
            return (
                f"{value!r} is a date-time in a form calltouch does not read: it reads "
                "ISO-8601 (2026-03-02T12:17:00Z) and locale forms such as 3/2/2026, 12:17 PM, "
                "02/03/2026 12:17, 02.03.2026 12:17 and 2026/03/02 12:17; export the times in "
                "one of them"
            )
        return f"{value!r} is not a date-time (expected e.g. 2026-03-02T12:17:00Z)"
    if code == "nul":
        return f"the {fld} holds a NUL byte (is the file binary or corrupted?)"
    if code == "bad":
        if kind == "time" and value is not None and _date_alone(value):
            # an opportunity report's Created Date column: the date alone
            return (
                f"{value!r} is a date without a time of day: export it with its time (Data "
                "Loader, or the report column formatted as a date-time)"
            )
        return {
            "time": f"{value!r} is not a date-time (expected e.g. 2026-03-02T12:17:00Z)",
            "date": f"{value!r} is not a date (expected e.g. 2026-03-31)",
            "bool": f"{value!r} is not true or false",
            "amount": _amount_error(value),
        }.get(kind, f"{value!r} cannot be read")
    if code == "missing":
        return _ERROR_TEXT.get((code, fld), f"the {fld} is empty")
    return _ERROR_TEXT.get((code, fld), f"{fld}: {code}")

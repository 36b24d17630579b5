"""Load task and session files into DuckDB, accounting for every row.

For each input file this module promises:

* every data row ends up either in ``task_rows``/``session_rows`` (usable) or in ``rejects``
  with its file, 1-based physical line (CSV) or row number (Parquet), column, error and raw text;
* timestamps without a zone are read in the zone given for that input (R8), and the connection
  is back in UTC afterwards, whatever happens;
* for task CSV files, a second, independent pass (Python's csv module) counts the data rows, so
  rows that DuckDB's reader dropped without a word are caught (``rows_scanned``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb

from calltouch import queries
from calltouch.errors import InputError, QueryError, UsageError
from calltouch.inputs import (
    ColumnMapping,
    CsvDialect,
    Role,
    file_format,
    map_columns,
    open_bytes,
    python_codec,
    resolve,
    sniff_csv,
)

_TIME_FIELDS = {"touchpoint_date", "call_time", "modstamp", "session_start"}
_ERROR_TEXT = {
    ("missing", "task_id"): "the task id is empty",
    ("missing", "session_id"): "the session id is empty",
    (
        "missing",
        "call_time",
    ): "no call time: both the Buyer Touchpoint Date and CreatedDate are empty",
    ("missing", "session_start"): "the session start is empty",
}
TABLES: dict[Role, str] = {"tasks": "task_rows", "sessions": "session_rows"}


@dataclass
class LoadedFile:
    """What loading one file did."""

    file_id: int
    role: Role
    path: str
    format: str
    time_zone: str
    mapping: ColumnMapping
    rows_loaded: int = 0  # usable rows
    rows_rejected: int = 0
    rows_scanned: int | None = None  # the independent count (task CSV files)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Data rows in the file as calltouch read them: usable + rejected."""
        return self.rows_loaded + self.rows_rejected


def check_time_zone(con: duckdb.DuckDBPyConnection, tz: str, option: str) -> str:
    """The canonical IANA name of ``tz``, or a UsageError naming the option."""
    row = queries.run(con, "check_time_zone", {"tz": tz}).fetchone()
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
    *,
    tz: str,
    overrides: dict[str, str] | None = None,
    first_file_id: int = 0,
) -> list[LoadedFile]:
    """Load every file that ``spec`` names for ``role``; file ids count up from first_file_id."""
    loaded = []
    for offset, path in enumerate(resolve(spec, role)):
        loaded.append(
            load_file(con, role, path, file_id=first_file_id + offset, tz=tz, overrides=overrides)
        )
    return loaded


def load_file(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    path: Path,
    *,
    file_id: int,
    tz: str,
    overrides: dict[str, str] | None = None,
) -> LoadedFile:
    """Load one file: map its columns, read it with DuckDB, harvest and locate its rejects."""
    fmt = file_format(path)
    display = str(path)
    if fmt == "parquet":
        header, kinds = _describe_parquet(con, path, role)
        mapping = map_columns(role, header, display, overrides)
        cols = {
            name: None if idx is None else {"name": header[idx], "kind": kinds[idx]}
            for name, idx in mapping.columns.items()
        }
        _refuse_date_only(role, display, mapping, kinds)
        binds: dict[str, Any] = {"path": str(path)}
        raw_columns: Sequence[str] = header
        dialect = None
    else:
        dialect = sniff_csv(path, role)
        mapping = map_columns(role, dialect.header, display, overrides)
        cols = {
            name: None if idx is None else {"name": f"c{idx}", "kind": "varchar"}
            for name, idx in mapping.columns.items()
        }
        rejects_table = f"ct_rejects_{file_id}"
        binds = {
            "path": str(path),
            "csv_columns": {f"c{i}": "VARCHAR" for i in range(len(dialect.header))},
            "delim": dialect.delimiter,
            "encoding": dialect.encoding,
            "rejects_table": rejects_table,
            "rejects_scan": f"ct_rejects_scan_{file_id}",
        }
        raw_columns = [f"c{i}" for i in range(len(dialect.header))]
    binds["file_id"] = file_id
    result = LoadedFile(file_id, role, display, str(fmt), tz, mapping, notes=list(mapping.notes))
    context: dict[str, Any] = {"source_format": fmt, "cols": cols}
    if role == "tasks":
        context["raw_columns"] = raw_columns
    else:
        context["split_channel"] = mapping.columns["subchannel"] is None
    queries.run(con, "set_time_zone", {"tz": tz})
    try:
        queries.run(con, f"load_{role}", binds, **context)
    except QueryError as exc:
        raise InputError(
            f"cannot read {role} file {display}: {exc.message.split(': ', 1)[-1]}",
            hint=_read_hint(fmt),
        ) from exc
    finally:
        queries.run(con, "set_time_zone", {"tz": "UTC"})

    table = TABLES[role]
    in_table, flagged = queries.run(
        con, "file_load_counts", {"file_id": file_id}, table=table
    ).fetchone() or (0, 0)
    flagged_rows = queries.run(con, "flagged_rows", {"file_id": file_id}, table=table).fetchall()
    structural: list[tuple[Any, ...]] = []
    if dialect is not None:
        structural = queries.run(
            con, "scan_rejects", rejects_table=binds["rejects_table"]
        ).fetchall()
        for name in (binds["rejects_table"], binds["rejects_scan"]):
            queries.run(con, "drop_table", table=name)
    scan = None
    if dialect is not None and (role == "tasks" or flagged_rows or structural):
        wanted = {int(r[0]) for r in flagged_rows}
        scan = _scan(path, dialect, len(dialect.header), wanted)
    rejects = _describe_rejects(path, dialect, mapping, flagged_rows, structural, scan)
    result.rows_loaded = int(in_table) - int(flagged)
    result.rows_rejected = int(flagged) + len(structural)
    if scan is not None and role == "tasks":
        result.rows_scanned = scan.records
    if rejects:
        queries.run(
            con,
            "add_rejects",
            {
                "role": role,
                "file_id": file_id,
                "file": display,
                "lines": [r[0] for r in rejects],
                "columns": [r[1] for r in rejects],
                "errors": [r[2] for r in rejects],
                "raws": [r[3] for r in rejects],
            },
        )
    queries.run(
        con,
        "add_input_file",
        {
            "file_id": file_id,
            "role": role,
            "path": display,
            "format": fmt,
            "time_zone": tz,
            "rows_read": result.rows_read,
            "rows_loaded": result.rows_loaded,
            "rows_rejected": result.rows_rejected,
            "mapping": json.dumps(mapping.as_dict()),
            "header": json.dumps(list(mapping.header)),
        },
    )
    return result


def _read_hint(fmt: str | None) -> str:
    if fmt == "parquet":
        return "Check that the file is a complete Parquet file (re-export it if it was cut short)."
    return "Check the file's encoding and delimiter (calltouch inspect shows what it detected)."


def _describe_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, role: Role
) -> tuple[tuple[str, ...], list[str]]:
    try:
        rows = queries.run(con, "describe_parquet", {"path": str(path)}).fetchall()
    except QueryError as exc:
        raise InputError(
            f"cannot read {role} file {path} as Parquet: {exc.message.split(': ', 1)[-1]}",
            hint=_read_hint("parquet"),
        ) from exc
    return tuple(str(r[0]) for r in rows), [_kind(str(r[1])) for r in rows]


def _kind(duck_type: str) -> str:
    """Allow-list a DuckDB type into the conversion kinds the load templates know."""
    t = duck_type.upper()
    if t == "VARCHAR":
        return "varchar"
    if t in {"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"}:
        return "timestamptz"
    if t in {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATETIME"}:
        return "timestamp"
    if t == "DATE":
        return "date"
    return "other"


def _refuse_date_only(role: Role, file: str, mapping: ColumnMapping, kinds: list[str]) -> None:
    for name, idx in mapping.columns.items():
        if idx is not None and name in _TIME_FIELDS and kinds[idx] == "date":
            raise InputError(
                f"{role} file {file}: column {mapping.header[idx]!r} ({name}) holds dates "
                "without a time of day",
                hint="A call can only be placed in a 30-minute window by a date-time; "
                "export CreatedDate or the Buyer Touchpoint Date, not ActivityDate.",
            )


def _error_message(code: str, fld: str, value: str | None) -> str:
    if code == "bad_time":
        if value is not None and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
            return f"{value!r} is a date without a time of day"
        return f"{value!r} is not a date-time (expected e.g. 2026-03-02T12:17:00Z)"
    return _ERROR_TEXT.get((code, fld), f"{fld}: {code}")


def _describe_rejects(
    path: Path,
    dialect: CsvDialect | None,
    mapping: ColumnMapping,
    flagged: list[tuple[Any, ...]],
    structural: list[tuple[Any, ...]],
    scan: _Scan | None,
) -> list[tuple[int | None, str | None, str, str | None]]:
    """(line, column, error, raw) for every rejected row of one file, in file order."""
    if not flagged and not structural:
        return []
    out: list[tuple[int | None, str | None, str, str | None]] = []
    if dialect is None or scan is None:  # Parquet: the line is the 1-based row number
        for ordinal, fld, code, value in flagged:
            column = mapping.header_of(fld) or fld
            out.append((int(ordinal) + 1, column, _error_message(code, fld, value), None))
        return out
    spans = scan.spans
    texts = _line_texts(path, dialect, list(spans.values()) + scan.bad)
    for ordinal, fld, code, value in flagged:
        span = spans.get(int(ordinal))
        out.append(
            (
                span[0] if span else None,
                mapping.header_of(fld) or fld,
                _error_message(code, fld, value),
                texts.get(span) if span else None,
            )
        )
    # Pair DuckDB's structural rejects with the bad records the independent scan found, in order.
    for idx, (_line, _pos, column, error_type, csv_line, message) in enumerate(structural):
        span = scan.bad[idx] if idx < len(scan.bad) else None
        error = _structural_text(str(error_type), str(message))
        out.append(
            (
                span[0] if span else None,
                _column_header(column, dialect),
                error,
                texts.get(span) if span else (None if csv_line is None else str(csv_line)),
            )
        )
    out.sort(key=lambda r: (r[0] is None, r[0] or 0))
    return out


def _column_header(column: object, dialect: CsvDialect) -> str | None:
    if isinstance(column, str) and re.fullmatch(r"c\d+", column):
        idx = int(column[1:])
        if idx < len(dialect.header):
            return dialect.header[idx]
    return None


def _structural_text(error_type: str, message: str) -> str:
    if error_type == "MISSING COLUMNS" or error_type == "TOO MANY COLUMNS":
        found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
        if found:
            return (
                f"{'too few' if error_type == 'MISSING COLUMNS' else 'too many'} columns: "
                f"expected {found.group(1)}, found {found.group(2)}"
            )
    if error_type == "INVALID ENCODING" or error_type == "INVALID UNICODE":
        return (
            "invalid text encoding (not UTF-8): pass --encoding latin-1 if this is an Excel export"
        )
    if error_type == "UNQUOTED VALUE":
        return "a quote inside an unquoted value"
    if error_type == "LINE SIZE OVER MAXIMUM":
        return "line longer than 16 MiB"
    return f"{error_type.lower()}: {message.splitlines()[0] if message else ''}".strip()


@dataclass
class _Scan:
    records: int
    spans: dict[int, tuple[int, int]]  # ordinal among good records -> (first line, last line)
    bad: list[tuple[int, int]]  # spans of records with the wrong number of fields


def _text_stream(path: Path, dialect: CsvDialect) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        open_bytes(path), encoding=python_codec(dialect.encoding), errors="replace", newline=""
    )


def _scan(path: Path, dialect: CsvDialect, width: int, wanted: set[int]) -> _Scan:
    """Count the data records of a CSV file independently of DuckDB, locating some of them."""
    records = 0
    good = 0
    spans: dict[int, tuple[int, int]] = {}
    bad: list[tuple[int, int]] = []
    with _text_stream(path, dialect) as stream:
        reader = csv.reader(stream, delimiter=dialect.delimiter, quotechar='"')
        try:
            next(reader)
        except StopIteration:
            return _Scan(0, spans, bad)
        last = reader.line_num
        for row in reader:
            first, last = last + 1, reader.line_num
            if not row:
                continue
            records += 1
            if len(row) == width:
                if good in wanted:
                    spans[good] = (first, last)
                good += 1
            else:
                bad.append((first, last))
    return _Scan(records, spans, bad)


def _line_texts(
    path: Path, dialect: CsvDialect, spans: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """The raw text of each span of physical lines (1-based, inclusive), without line ends."""
    if not spans:
        return {}
    ordered = sorted(set(spans))
    out: dict[tuple[int, int], str] = {}
    with _text_stream(path, dialect) as stream:
        lines: Iterator[str] = iter(stream)
        position = 0  # lines consumed so far
        for first, last in ordered:
            if first <= position:
                continue  # overlapping spans cannot happen for distinct records
            skipped = first - 1 - position
            if skipped:
                next(islice(lines, skipped - 1, skipped), None)
            chunk = list(islice(lines, last - first + 1))
            position = first - 1 + len(chunk)
            out[(first, last)] = "".join(chunk).rstrip("\r\n").lstrip("\ufeff")
    return out

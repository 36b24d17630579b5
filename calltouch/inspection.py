"""``calltouch inspect``: what calltouch detects in a file, and which rows a run would reject.

Promise: the description comes from the same code that loads files (sniffing, profile
detection, timestamp styles, the independent record count, and a load of the file into a
scratch database that is kept nowhere), so what ``inspect`` says is what ``run`` will do.
Nothing here imports typer or rich; the CLI renders the returned dicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb

from calltouch import csvscan, profiles, queries
from calltouch.errors import DateOrderError, InputError, MissingFieldError, UnreadableInputError
from calltouch.inputs import (
    ROLES,
    Role,
    cannot_read,
    file_format,
    folder_notes,
    resolve,
    sniff_csv,
)
from calltouch.load import (
    CsvLoader,
    LoadOptions,
    ParquetLoader,
    UnreadFlagError,
    load_role,
    row_number_clash,
)
from calltouch.outputs import column_keys
from calltouch.pipeline import RejectedLines, RejectLimit, fields_dropped, first_rejects

FIRST_ROWS = 5


def inspect_path(
    con: duckdb.DuckDBPyConnection,
    spec: str,
    role: Role | None,
    options: dict[Role, LoadOptions],
    workdir: Path,
) -> list[dict[str, Any]]:
    """Describe every file ``spec`` names (a file, folder or glob). A file (or spec) that
    cannot be described is an entry with ``error`` and ``hint``: one bad file does not hide
    the others."""
    try:
        files = resolve(spec, role)
    except InputError as exc:
        return [failed(spec, exc)]
    queries.run(con, "create_schema", packed_details=False)  # the tables _run_rejects loads
    row = queries.run(con, "next_file_id").fetchone()
    since = int(row[0]) if row else 0  # the first file of this input
    described = []
    for path in files:
        try:
            described.append(inspect_file(con, path, role, options, workdir))
        except InputError as exc:
            described.append(failed(str(path), exc))
    for item in described:
        loaded = item.pop("_loaded", None)
        unread = item.pop("_unread", set())  # left out of its reading on purpose
        if loaded is not None:  # as run says it of a folder's files, compared among them
            item["notes"].extend(fields_dropped(con, loaded, since=since, unread=unread))
    _judge_rejects(spec, described)
    # the files of a folder or glob a run leaves out, as its first file's notes say them
    skipped = folder_notes(spec)
    if skipped and "error" not in described[0]:
        described[0]["notes"] = [*skipped, *described[0].get("notes", [])]
    return [displayable(item) for item in described]


def displayable(value: Any) -> Any:
    """``value`` (an inspection, nested lists and dicts) with every byte a file's encoding
    could not decode (a lone surrogate, see inputs.UNDECODABLE) shown as U+FFFD, as run's
    rejects show it: printed, a surrogate became the raw byte, and the JSON was no UTF-8."""
    if isinstance(value, str):
        return csvscan.SURROGATES.sub("\ufffd", value)
    if isinstance(value, list):
        return [displayable(v) for v in value]
    if isinstance(value, dict):
        return {k: displayable(v) for k, v in value.items()}
    return value


# What _run_rejects counts for _judge_rejects: rows read, rejected, the lines rejected rows
# span beyond their first, and the deleted records (not counted); removed once judged.
_COUNTS = ("_read", "_rejected", "_extra_lines", "_deleted")


def _judge_rejects(spec: str, described: list[dict[str, Any]]) -> None:
    """Add the problem of too many rejected rows to the files of ``spec`` that have them,
    judged as run judges them: --max-rejects (1% by default) is of an input's rows, and the
    files a folder or glob names are one input (a file of 50 rows with one bad row does not
    stop a run of 1,050 rows)."""
    for role in ROLES:
        mine = [item for item in described if item.get("role") == role and "_read" in item]
        read = sum(item["_read"] for item in mine)
        rejected = sum(item["_rejected"] for item in mine)
        lines = RejectedLines(
            extra=sum(item["_extra_lines"] for item in mine),
            deleted=sum(item["_deleted"] for item in mine),
        )
        if RejectLimit(share=Fraction(1, 100)).exceeded(rejected, read, lines):
            whole = (
                f"; with the other {len(mine) - 1} file(s) of {spec}, one input to run, "
                f"{rejected - lines.deleted} of {read - lines.deleted} rows"
                if len(mine) > 1
                else ""
            )
            for item in mine:
                bad = item["_rejected"] - item["_deleted"]
                if bad:
                    aside = (
                        f" (besides {item['_deleted']} deleted records, not counted)"
                        if item["_deleted"]
                        else ""
                    )
                    item.setdefault("problems", []).append(
                        f"run would reject {bad} of {item['_read'] - item['_deleted']} rows"
                        f"{aside} (first above){whole}, more than its default --max-rejects 1% "
                        "allows: it "
                        "would stop (exit 3). Fix the rows or the reading (--encoding, "
                        "--profile, --date-order, --map) or, if the rows are bad, pass run a "
                        "higher --max-rejects"
                    )
    for item in described:
        for key in _COUNTS:
            item.pop(key, None)


def failed(file: str, exc: InputError) -> dict[str, Any]:
    """The entry of a file ``inspect`` could not describe."""
    return {"file": file, "error": exc.message, "hint": exc.hint}


def stops_a_run(item: dict[str, Any]) -> bool:
    """Whether what ``inspect`` found in a file would stop ``run``: the file could not be
    described or its dates need --date-order (exit 2), or more of its rows are malformed than
    the default --max-rejects allows (exit 3)."""
    return "error" in item or bool(item.get("problems"))


def inspect_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    role: Role | None,
    options: dict[Role, LoadOptions],
    workdir: Path,
) -> dict[str, Any]:
    """Describe one file: role, profile, mapping, dialect, timestamp styles, counts, first rows."""
    roles: tuple[Role, ...] = (role,) if role else _roles_by_fit(con, path, options, workdir)
    failures: list[InputError] = []
    for candidate in roles:
        try:
            return _describe(con, path, candidate, options[candidate], workdir, role is None)
        except UnreadableInputError:
            raise  # a damaged file reads as no role: say what is wrong with it
        except InputError as exc:
            failures.append(exc)
    if len(failures) == 1:
        raise failures[0]
    # a role whose columns were all found failed later, on its data: that is the one to tell
    fitting = [f for f in failures if not isinstance(f, MissingFieldError)]
    if len(fitting) == 1:
        raise fitting[0]
    # each role's advice: one role's alone led to mapping a session export's columns as a
    # task's (a --map names one role for every file given, so it cannot choose for this one)
    raise InputError(
        f"{path} is neither a task nor a session export calltouch recognises: "
        + " / ".join(f.message for f in failures),
        hint=" ".join(
            f"As {_AS[candidate]}: {f.hint}"
            for candidate, f in zip(roles, failures, strict=True)  # every role failed
        )
        + " Or say which it is: --role tasks or --role sessions.",
    )


_AS: dict[Role, str] = {"tasks": "a task export", "sessions": "a session export"}


def _roles_by_fit(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: dict[Role, LoadOptions],
    workdir: Path,
) -> tuple[Role, ...]:
    """The roles to try for a file of unknown role, the one whose columns its header fits
    best first (ties: tasks). Both can fit: a session export named as SPEC §3 allows (ID,
    BizibleId, start_time, channel, subchannel) also fits CallRail's call log (id,
    start_time), which tasks, tried first, took."""
    fit: dict[Role, int] = {}
    headers: dict[str | None, Sequence[str]] = {}  # by encoding: read once unless they differ
    parquet = file_format(path) == "parquet"
    for candidate in ROLES:
        encoding = None if parquet else options[candidate].encoding
        try:
            if encoding not in headers:
                if parquet:
                    loader = ParquetLoader(con, candidate, path, 0, options[candidate], workdir)
                    headers[encoding] = loader.describe()[0]
                else:
                    headers[encoding] = sniff_csv(path, candidate, encoding).header
            header = headers[encoding]
            detection = profiles.detect(
                candidate,
                header,
                str(path),
                options[candidate].overrides,
                options[candidate].profile,
            )
        except InputError:
            fit[candidate] = -1
            continue
        columns = detection.mapping.columns
        fit[candidate] = sum(columns.get(name) is not None for name in _TELLING[candidate])
    return tuple(sorted(ROLES, key=lambda r: -fit[r]))  # sorted is stable: tasks on a tie


# The fields that tell a task export from a session export. The marketing fields both kinds
# of file carry (a CallRail call log has source, medium, campaign, landing page and keywords,
# as a session export does) tell nothing, nor does the modification time.
_TELLING: dict[Role, tuple[str, ...]] = {
    "tasks": (
        "task_id", "bizible_id", "call_time", "touchpoint_date", "task_type", "who_id",
        "contact_id", "lead_id", "subject",
    ),
    "sessions": (
        "session_id", "cookie_id", "session_start", "visitor_id", "channel", "subchannel",
        "has_form",
    ),
}  # fmt: skip


def _describe(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    role: Role,
    options: LoadOptions,
    workdir: Path,
    guessed: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {"file": str(path), "role": role, "role_detected": guessed}
    if file_format(path) == "parquet":
        loader = ParquetLoader(con, role, path, 0, options, workdir)
        header, kinds = loader.describe()
        clash = row_number_clash(str(path), header)
        if role == "sessions" and clash is not None:  # a workspace load reads it, run does not
            out.setdefault("problems", []).append(f"{clash.message}. {clash.hint}")
        detection = loader.detect(header)
        try:
            notes = loader.schema_notes(header, detection.mapping, kinds)
        except InputError as exc:  # a DATE call time: run stops on it, inspect describes it
            notes = []
            out.setdefault("problems", []).append(f"{exc.message}. {exc.hint}")
        try:
            styles, order = loader.time_styles(detection.mapping, kinds)
        except DateOrderError as exc:  # described, not fatal here: --date-order decides
            styles, order = {}, None
            out.setdefault("problems", []).append(f"{exc.message}. {exc.hint}")
        count = loader.query_file("parquet_row_count", {"path": str(path)}).fetchone()
        rows = loader.query_file(
            "parquet_sample",
            {"path": str(path), "limit": FIRST_ROWS},
            columns=[{"name": h, "kind": k} for h, k in zip(header, kinds, strict=True)],
        ).fetchall()
        out.update(
            format="parquet",
            columns={h: k for h, k in zip(header, kinds, strict=True)},
            rows={"data": int(count[0]) if count else 0},
        )
        first_rows = [list(r) for r in rows]
    else:
        dialect = sniff_csv(path, role, options.encoding)
        loader = CsvLoader(con, role, path, 0, options, workdir)
        detection = loader.detect(dialect.header)
        notes = loader.dialect_notes(dialect, detection.mapping)
        source = path
        try:
            if dialect.encoding != "utf-8":
                source = workdir / f"inspect-{path.name}.csv"
                csvscan.transcode_to_utf8(path, dialect, source)
            try:
                styles, order = loader.time_styles(
                    dialect, detection.mapping, source, dialect.delimiter
                )
            except DateOrderError as exc:  # described, not fatal here: --date-order decides
                styles, order = {}, None
                out["problems"] = [f"{exc.message}. {exc.hint}"]
            scan = csvscan.scan(path, dialect, len(dialect.header))
        except csvscan.Unreadable as exc:  # a .gz cut short past what sniff_csv reads
            raise cannot_read(role, path, exc.__cause__ or exc) from exc
        out.update(
            format="csv",
            encoding=dialect.encoding,
            bom=dialect.bom,
            delimiter=dialect.delimiter,
            rows={
                "data": scan.good + len(scan.bad),
                "readable": scan.good,
                "unreadable": len(scan.bad),
                "footer": len(scan.footer),
            },
        )
        if scan.bad:
            out["first_unreadable"] = [
                {"line": b.first_line, "error": b.error} for b in scan.bad[:FIRST_ROWS]
            ]
        header = dialect.header
        # the data records only: a short report's footer (Grand Totals ...) is no row
        records = scan.good + len(scan.bad)
        first_rows = [list(r) for r in dialect.sample[: min(FIRST_ROWS, records)]]
    mapping = detection.mapping
    loader.date_order = order  # as a load sets it: the notes below read it
    out.update(
        profile=detection.profile.name,
        profile_description=detection.profile.description,
        profile_forced=detection.forced,
        mapping={k: v for k, v in mapping.as_dict().items() if v is not None},
        # as unmatched names them: a blank header column_2, a repeated one ID_2
        unmapped_columns=[
            key
            for i, key in enumerate(column_keys([str(h) for h in header]))
            if i not in mapping.columns.values()
        ],
        timestamps={name: style for name, style in styles.items()},
        date_order=order,
        time_zone_for_naive_values=options.tz,
        header=list(header),
        first_rows=[[None if v is None else str(v) for v in row] for row in first_rows],
        notes=[*mapping.notes, *notes, *loader.zone_notes(), *loader.dated_modstamp_notes()],
    )
    if not out.get("problems"):  # a date order to choose stops the load too: said already
        try:
            out.update(_run_rejects(con, path, role, options, workdir))
        except UnreadFlagError as exc:
            # run does not read the form flag; load and attribute stop on it: a note, and
            # run's rejects counted without the flag
            out["notes"].append(
                f"{exc.message}: calltouch load and attribute stop on it. {exc.hint}"
            )
            unflagged = replace(options, overrides={**options.overrides, "has_form": ""})
            out.update(_run_rejects(con, path, role, unflagged, workdir))
            # that reading leaves the flag out on purpose: its notes and its columns are not
            # the file's ("has_form ignored (--map)", the flag "missing" beside another file)
            out["_load_notes"] = [n for n in out["_load_notes"] if not n.startswith("has_form ")]
            out["_unread"] = {"has_form"}
    for note in out.pop("_load_notes", []):  # as run says them, once
        if note not in out["notes"]:
            out["notes"].append(note)
    if role == "sessions" and out.get("format") == "csv" and "_read" in out:
        # a session CSV is read by DuckDB alone, which may split a record the csv module
        # counts as malformed (, "Spring, Sale"): its rows are those the run reads, and its
        # malformed ones among the rejects listed
        out["rows"] = {"data": out["_read"]}
        out.pop("first_unreadable", None)
    return out


def _run_rejects(
    con: duckdb.DuckDBPyConnection, path: Path, role: Role, options: LoadOptions, workdir: Path
) -> dict[str, Any]:
    """What run's load of this file rejects (a time that cannot be read, an empty id...,
    not only the malformed rows the record count finds): the count and the first few (with
    the counts _judge_rejects weighs against run's default --max-rejects). The file is loaded
    as run loads it into the tables of ``con`` (inspect's own in-memory database, which
    holds nothing else; inspect_path made its tables), and its rows are deleted afterwards."""
    row = queries.run(con, "next_file_id").fetchone()
    file_id = int(row[0]) if row else 0
    try:
        (loaded,) = load_role(con, role, str(path), options, workdir, first_file_id=file_id)
        first = first_rejects(con, role, [file_id], FIRST_ROWS)
        lines = RejectedLines.of(con, role, [file_id])
    finally:
        table = "task_rows" if role == "tasks" else "session_rows"
        queries.run(con, "delete_file_rows", {"file_id": file_id}, table=table)
        queries.run(con, "delete_file_rejects", {"file_id": file_id})
    out: dict[str, Any] = {
        "rejected_by_run": loaded.rows_rejected,
        # for _judge_rejects, which weighs them with the other files of the same input
        "_read": loaded.rows_read,
        "_rejected": loaded.rows_rejected,
        "_extra_lines": lines.extra,
        "_deleted": lines.deleted,
        # what the load found to say of the file (lines of empty cells skipped...)
        "_load_notes": loaded.notes,
        "_loaded": loaded,  # for inspect_path, which compares the files of one input
    }
    if first:
        out["first_rejected"] = [{"line": r["line"], "error": r["error"]} for r in first]
    return out

"""Synthetic exports for tests and benchmarks: warehouse-style sessions, Salesforce-style tasks.

:func:`generate` promises:

* ``out/sessions.<fmt>`` and ``out/tasks.<fmt>`` in the formats of SPEC §3, so
  ``calltouch run out/tasks.<fmt> out/sessions.<fmt>`` loads them with no options. Tasks carry the
  Salesforce API names (``Id``, ``WhoId``, ``Subject``, ``Type``, ``bizible2__BizibleId__c``,
  ``bizible2__Bizible_Touchpoint_Date__c``, ``CreatedDate``, ``LastModifiedDate``); in CSV every
  field is quoted and times read ``2026-03-02T12:17:00.000Z``, in Parquet times are
  ``TIMESTAMP WITH TIME ZONE`` (what API extractors write). Sessions carry the Marketo Measure
  warehouse names (``ID``, ``COOKIE_ID``, ``VISITOR_ID``, ``EVENT_DATE``, ``CHANNEL``, ...); times
  are naive UTC: ``TIMESTAMP`` in Parquet, ``2026-03-02 12:17:00.000`` in CSV. Parquet files
  are Snappy-compressed, as warehouse unloads are by default.
* a realistic shape: several sessions per visitor over about eight weeks, Paid Search the biggest
  channel, most calls 1-60 minutes after one of the caller's sessions, some hours later, some
  before the caller's first session, ~5 % without a BizibleId, ~3 % with a BizibleId no session
  has, ~0.5 % duplicated task ids (always the second row, so that a small file has one) and
  ~0.4 % tied session starts (see the SQL templates for the exact proportions).
* determinism: every value is a pure function of the row number and the seed (DuckDB's
  ``hash``; never ``random()``), so the same arguments give byte-identical files whatever
  DuckDB's thread count (with the same DuckDB version);
* the two files are written to temporary names and renamed into place only once both are
  written: a failure never leaves a new sessions file beside an old tasks file; files of
  those names already in ``out`` are replaced (the result lists them);
* at most ``MAX_ROWS`` sessions and calls (10 billion): task ids are unique up to 62**6
  calls, session ids up to 2**48 sessions, and a larger request is a mistake, refused before
  anything is written;
* speed: 10M sessions / 1M calls take about 9 s (Parquet) or 15 s (CSV) on 2 cores.

All the computing is SQL (``sql/generate_*.sql.j2``), run through :mod:`calltouch.queries`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

from calltouch import queries
from calltouch.errors import OutputError, QueryError, UsageError
from calltouch.inputs import refuse_file_named_out
from calltouch.outputs import ensure_dir, output_set, refuse_folder_targets

GenerateFormat = Literal["parquet", "csv"]

#: The most sessions, or calls, one run generates.
MAX_ROWS = 10**10
#: Midnight UTC of the first day a generated session can fall on (a Monday).
START = datetime(2026, 1, 5)


def generate(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    sessions: int,
    calls: int,
    visitors: int | None = None,
    seed: int = 1,
    fmt: GenerateFormat = "parquet",
    meant_folder: bool = False,
) -> dict[str, Any]:
    """Write ``sessions`` sessions and ``calls`` task rows into ``out``; return what was written.

    ``visitors`` defaults to ``sessions // 4`` (at least 1) and may not exceed ``sessions``:
    every visitor has at least one session. ``meant_folder``: ``out`` was given with a
    trailing slash, so a name like a file's (``gen.csv/``) is a folder too. The returned dict
    holds the row counts, the visitors, the seed, the format, the two paths and those of them
    that existed before.
    """
    if not 1 <= sessions <= MAX_ROWS:
        raise UsageError(
            f"--sessions must be between 1 and {MAX_ROWS:,}, not {sessions:,}",
            hint="Generate at most ten billion sessions (10M take seconds, 100M minutes).",
        )
    if not 0 <= calls <= MAX_ROWS:
        raise UsageError(
            f"--calls must be between 0 and {MAX_ROWS:,}, not {calls:,}",
            hint="Give the number of call task rows, e.g. --calls 100000 (0: a header only).",
        )
    n_visitors = max(1, sessions // 4) if visitors is None else visitors
    if not 1 <= n_visitors <= sessions:
        raise UsageError(
            f"--visitors must be between 1 and --sessions ({sessions:,}), not {n_visitors:,}: "
            "every visitor has at least one session",
            hint=f"Lower --visitors, raise --sessions, or leave --visitors out (default: "
            f"sessions / 4, here {max(1, sessions // 4):,}).",
        )
    if fmt not in ("parquet", "csv"):
        raise UsageError(f"--format must be parquet or csv, not {fmt!r}")
    if not 0 <= seed < 2**63:
        raise UsageError(
            f"--seed must be between 0 and 2**63 - 1, not {seed}",
            hint="Any whole number in that range; the same seed gives the same files.",
        )
    refuse_file_named_out(out, [f"tasks.{fmt}", f"sessions.{fmt}"], meant_folder=meant_folder)
    paths = {"sessions": out / f"sessions.{fmt}", "tasks": out / f"tasks.{fmt}"}
    refuse_folder_targets(  # before the folder is made: a name DuckDB cannot write left it
        list(paths.values()), "Generate into another --out, or move that folder away."
    )
    ensure_dir(out)
    queries.run(con, "session_setup")  # UTC and the ct_sf18 macro, on any connection
    binds: dict[str, Any] = {
        "seed": seed,
        "sessions": sessions,
        "visitors": n_visitors,
        "start": START,
    }
    replaced = [str(p) for p in paths.values() if p.exists()]
    # both renamed into place together, only when both are written
    with (
        output_set() as files,
        files.path(paths["sessions"]) as tmp_sessions,
        files.path(paths["tasks"]) as tmp_tasks,
    ):
        for template, target, tmp, more in (
            ("generate_sessions", paths["sessions"], tmp_sessions, {}),
            ("generate_tasks", paths["tasks"], tmp_tasks, {"calls": calls}),
        ):
            try:
                queries.run(con, template, {**binds, **more, "path": str(tmp)}, csv=fmt == "csv")
            except QueryError as exc:
                if not isinstance(exc.__cause__, duckdb.IOException):
                    raise
                # a full disk, a folder taken away: the output's fault (exit 5), not a bug
                raise OutputError(f"cannot write {target}: {exc.message}") from exc
    return {
        "sessions": sessions,
        "tasks": calls,
        "visitors": n_visitors,
        "seed": seed,
        "format": fmt,
        "paths": paths,
        "replaced": replaced,
    }

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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from calltouch import __version__, queries
from calltouch.durations import format_window, window_minutes
from calltouch.errors import ReconciliationError
from calltouch.inputs import Role
from calltouch.load import LoadedFile, check_time_zone, load_role
from calltouch.outputs import Format, write_exports, write_json

PerSession = Literal["one", "all"]


@dataclass(frozen=True)
class RunSettings:
    """Everything that decides a run's result besides its inputs."""

    window_us: int = 30 * 60_000_000
    per_session: PerSession = "one"
    tasks_tz: str = "UTC"
    sessions_tz: str = "UTC"
    maps: dict[Role, dict[str, str]] = field(default_factory=lambda: {"tasks": {}, "sessions": {}})


@dataclass
class RunResult:
    """What a run produced: files read, the summary, and where the outputs are."""

    files: list[LoadedFile]
    summary: dict[str, Any]
    outputs: dict[str, Path] = field(default_factory=dict)


def load_inputs(
    con: duckdb.DuckDBPyConnection, tasks: str, sessions: str, settings: RunSettings
) -> tuple[list[LoadedFile], RunSettings]:
    """Create the schema and load both inputs; returns the files and the settings with zones
    in their canonical spelling."""
    queries.run(con, "create_schema")
    tasks_tz = check_time_zone(con, settings.tasks_tz, "--tasks-tz")
    sessions_tz = check_time_zone(con, settings.sessions_tz, "--sessions-tz")
    settings = RunSettings(
        window_us=settings.window_us,
        per_session=settings.per_session,
        tasks_tz=tasks_tz,
        sessions_tz=sessions_tz,
        maps=settings.maps,
    )
    files = load_role(con, "tasks", tasks, tz=tasks_tz, overrides=settings.maps["tasks"])
    files += load_role(
        con,
        "sessions",
        sessions,
        tz=sessions_tz,
        overrides=settings.maps["sessions"],
        first_file_id=len(files),
    )
    return files, settings


def match(con: duckdb.DuckDBPyConnection, settings: RunSettings) -> None:
    """Build tasks, sessions, links, touchpoints and unmatched from what is loaded."""
    queries.run(con, "match", {"window_us": settings.window_us}, per_session=settings.per_session)


def summarize(
    con: duckdb.DuckDBPyConnection, files: list[LoadedFile], settings: RunSettings
) -> dict[str, Any]:
    """The summary.json payload, reconciliation included."""
    counts = queries.fetch_dicts(con, "summary_counts")[0]
    reasons = queries.fetch_dicts(con, "summary_reasons")
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
    for f in files:
        if f.rows_scanned is not None and f.rows_scanned != f.rows_read:
            problems.append(
                f"{f.path}: an independent count finds {f.rows_scanned} data rows, "
                f"but DuckDB read {f.rows_read} ({f.rows_loaded} loaded + "
                f"{f.rows_rejected} rejected)"
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
            "files": [_file_summary(f) for f in files if f.role == "tasks"],
        },
        "sessions": {
            "read": counts["sessions_read"],
            "kept": counts["sessions_kept"],
            "duplicates": counts["session_duplicates"],
            "rejected": counts["sessions_rejected"],
            "files": [_file_summary(f) for f in files if f.role == "sessions"],
        },
        "reasons": {
            status: {r["reason"]: r["calls"] for r in reasons if r["status"] == status}
            for status in ("standalone", "unmatched")
        },
        "settings": {
            "window": format_window(settings.window_us),
            "per_session": settings.per_session,
            "tasks_tz": settings.tasks_tz,
            "sessions_tz": settings.sessions_tz,
        },
        "window_minutes": window_minutes(settings.window_us),
        "reconciled": not problems,
    }
    if problems:
        summary["reconciliation_problems"] = problems
    return summary


def _file_summary(f: LoadedFile) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": f.path,
        "format": f.format,
        "read": f.rows_read,
        "loaded": f.rows_loaded,
        "rejected": f.rows_rejected,
        "mapping": {k: v for k, v in f.mapping.as_dict().items() if v is not None},
    }
    if f.rows_scanned is not None:
        out["independent_count"] = f.rows_scanned
    return out


def run(
    con: duckdb.DuckDBPyConnection,
    tasks: str,
    sessions: str,
    out: Path,
    settings: RunSettings,
    fmt: Format = "csv",
) -> RunResult:
    """Load, match and write; raise ReconciliationError (after writing) if rows went missing."""
    files, settings = load_inputs(con, tasks, sessions, settings)
    match(con, settings)
    summary = summarize(con, files, settings)
    outputs = write_exports(con, out, fmt)
    outputs["summary"] = write_json(out / "summary.json", summary)
    result = RunResult(files=files, summary=summary, outputs=outputs)
    if not summary["reconciled"]:
        raise ReconciliationError(
            "some input rows are not accounted for: "
            + "; ".join(summary["reconciliation_problems"]),
            hint=f"The outputs in {out} were written for inspection; please report this.",
        )
    return result

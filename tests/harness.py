"""Build small task/session exports and run calltouch on them, in-process.

Shared by the rule tests, the property tests and the mutation check: a case is a list of task
dicts and a list of session dicts; :func:`run_case` writes them as CSV files with the given headers,
runs the real pipeline and reads the outputs back as dicts keyed by task id.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from calltouch import queries
from calltouch.cli import app
from calltouch.durations import parse_window
from calltouch.errors import CalltouchError
from calltouch.inputs import parse_maps
from calltouch.pipeline import RunSettings
from calltouch.pipeline import run as run_pipeline

TASK_HEADER = ("Id", "BizibleId", "CreatedDate", "Type", "WhoId", "Subject", "LastModifiedDate")
SESSION_HEADER = (
    "ID",
    "COOKIE_ID",
    "EVENT_DATE",
    "CHANNEL",
    "MEDIUM",
    "WEB_SOURCE",
    "CAMPAIGN_NAME",
    "AD_NAME",
    "LANDING_PAGE",
    "REFERRER_PAGE",
    "SEARCH_PHRASE",
    "MODIFIED_DATE",
)


def at(clock: str, day: str = "2026-03-02") -> str:
    """'12:17' -> '2026-03-02T12:17:00Z'; '12:47:00.001' keeps its fraction."""
    if clock.count(":") == 1:
        clock += ":00"
    return f"{day}T{clock}Z"


def task(
    task_id: str,
    bizible_id: str | None,
    call: str,
    type_: str | None = "Call",
    **extra: str | None,
) -> dict[str, str | None]:
    """A task row in TASK_HEADER's terms; ``call`` is a clock ('12:40') or a full timestamp."""
    row: dict[str, str | None] = {
        "Id": task_id,
        "BizibleId": bizible_id,
        "CreatedDate": at(call) if len(call) <= 12 else call,
        "Type": type_,
        "WhoId": extra.pop("who", None),
        "Subject": extra.pop("subject", f"Call {task_id}"),
        "LastModifiedDate": extra.pop("modified", None),
    }
    row.update(extra)
    return row


def session(
    session_id: str,
    cookie: str | None,
    start: str,
    channel: str | None = "Paid Search.AdWords",
    **extra: str | None,
) -> dict[str, str | None]:
    """A session row in SESSION_HEADER's terms; ``start`` is a clock or a full timestamp."""
    row: dict[str, str | None] = {
        "ID": session_id,
        "COOKIE_ID": cookie,
        "EVENT_DATE": at(start) if len(start) <= 12 else start,
        "CHANNEL": channel,
        "MEDIUM": extra.pop("medium", "cpc"),
        "WEB_SOURCE": extra.pop("source", "google"),
        "CAMPAIGN_NAME": extra.pop("campaign", "Spring"),
        "AD_NAME": extra.pop("ad", None),
        "LANDING_PAGE": extra.pop("landing", None),
        "REFERRER_PAGE": extra.pop("referrer", None),
        "SEARCH_PHRASE": extra.pop("phrase", None),
        "MODIFIED_DATE": extra.pop("modified", None),
    }
    row.update(extra)
    return row


def write_rows(
    path: Path,
    rows: list[dict[str, Any]],
    header: tuple[str, ...] | list[str],
    *,
    quote_all: bool = False,
    delimiter: str = ",",
) -> Path:
    """Write dict rows as CSV (None -> empty cell)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(
            handle,
            delimiter=delimiter,
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
            lineterminator="\n",
        )
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """An output CSV as a list of dicts (every value text; empty string for NULL)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Outcome:
    """The outputs of one run, read back."""

    touchpoints: dict[str, dict[str, str]]
    unmatched: dict[str, dict[str, str]]
    rejects: list[dict[str, str]]
    summary: dict[str, Any]
    touchpoint_rows: list[dict[str, str]]
    out: Path

    def status(self, task_id: str) -> tuple[str, str]:
        """(match_status, match_reason) of a task, or ('unmatched', reason)."""
        if task_id in self.touchpoints:
            row = self.touchpoints[task_id]
            return row["match_status"], row["match_reason"]
        return "unmatched", self.unmatched[task_id]["reason"]


def run_case(
    workdir: Path,
    tasks: list[dict[str, Any]],
    sessions: list[dict[str, Any]],
    *,
    window: str = "30m",
    per_session: str = "one",
    tasks_tz: str = "UTC",
    sessions_tz: str = "UTC",
    task_header: tuple[str, ...] | list[str] = TASK_HEADER,
    session_header: tuple[str, ...] | list[str] = SESSION_HEADER,
    maps: list[str] | None = None,
    threads: int | None = None,
    out_name: str = "out",
    max_rejects: str = "100%",
) -> Outcome:
    """Write the case as CSV, run the pipeline in-process, read the outputs back."""
    workdir.mkdir(parents=True, exist_ok=True)
    tasks_file = write_rows(workdir / "tasks.csv", tasks, task_header)
    sessions_file = write_rows(workdir / "sessions.csv", sessions, session_header)
    out = workdir / out_name
    settings = RunSettings(
        window_us=parse_window(window),
        per_session=per_session,  # type: ignore[arg-type]
        tasks_tz=tasks_tz,
        sessions_tz=sessions_tz,
        maps=parse_maps(maps or []),
        max_rejects=max_rejects,
    )
    con = queries.connect(threads=threads)
    try:
        run_pipeline(con, str(tasks_file), str(sessions_file), out, settings)
    finally:
        con.close()
    return read_outcome(out)


def read_outcome(out: Path) -> Outcome:
    """Read the CSV outputs of a run folder."""
    tps = read_csv(out / "touchpoints.csv")
    unmatched = read_csv(out / "unmatched.csv")
    return Outcome(
        touchpoints={r["task_id"]: r for r in tps},
        unmatched={r["task_id"]: r for r in unmatched},
        rejects=read_csv(out / "rejects.csv"),
        summary=json.loads((out / "summary.json").read_text(encoding="utf-8")),
        touchpoint_rows=tps,
        out=out,
    )


__all__ = [
    "SESSION_HEADER",
    "TASK_HEADER",
    "CalltouchError",
    "Outcome",
    "at",
    "read_csv",
    "read_outcome",
    "run_case",
    "session",
    "task",
    "write_rows",
]


# The workspace, report and revenue tests run commands in-process, 200 columns wide, with no
# workspace named by the environment.
runner = CliRunner(env={"COLUMNS": "200", "CALLTOUCH_DB": None})


def invoke(*args: object, ok: bool = True) -> Result:
    """Run ``calltouch ARGS`` in-process: never a traceback nor an escaped exception; with
    ``ok``, exit 0."""
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if ok:
        assert result.exit_code == 0, result.output
    return result

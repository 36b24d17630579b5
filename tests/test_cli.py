"""The ``calltouch`` command line, in-process with Typer's CliRunner.

The report goes to stdout, diagnostics (where outputs went, errors) to stderr; every user mistake
is a one-paragraph message on stderr with exit code 2 (ExitCode.INPUT), never a traceback.
CliRunner here (Typer 0.29) keeps stdout and stderr apart: ``result.stdout`` / ``result.stderr``,
with ``result.output`` holding both.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import typer.main
from typer.testing import CliRunner

from calltouch import __version__, csvscan, load, queries
from calltouch.cli import app
from calltouch.errors import ExitCode
from tests.harness import (
    SESSION_HEADER,
    TASK_HEADER,
    at,
    read_csv,
    read_outcome,
    session,
    task,
    write_rows,
)

ABC = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
DEF = "0f9e8d7c6b5a49382716f5e4d3c2b1a0"

OUTPUT_FILES = ("touchpoints.csv", "unmatched.csv", "rejects.csv", "summary.json")

# A wide terminal so that rich does not wrap long paths inside the messages asserted on.
runner = CliRunner(env={"COLUMNS": "1000", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def invoke(*args: object):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    # an exception escaping the command (a bug) would be caught by CliRunner, not printed
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write_case(tmp_path: Path) -> tuple[Path, Path]:
    """tasks.csv and sessions.csv: one merged call, one standalone, one without BizibleId."""
    tasks = write_rows(
        tmp_path / "tasks.csv",
        [
            task("T1", ABC, "12:40", subject='=HYPERLINK("http://evil.example")'),
            task("T2", DEF, "13:05", subject="Follow-up"),
            task("T3", "", "12:10", subject="=1+1"),
        ],
        TASK_HEADER,
    )
    sessions = write_rows(
        tmp_path / "sessions.csv",
        [session("S1", ABC, "12:17"), session("S2", DEF, "12:17", "Email.Newsletter")],
        SESSION_HEADER,
    )
    return tasks, sessions


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- run


def test_run_writes_the_four_outputs_and_prints_the_report(tmp_path):
    tasks, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", tasks, sessions, "--out", out)
    assert result.exit_code == 0, result.output
    for name in OUTPUT_FILES:
        assert (out / name).is_file(), name
    assert "Paid Search" in result.stdout
    assert "AdWords" in result.stdout
    assert "Other" in result.stdout
    assert "reconciled" in result.stdout
    assert "outside_window" in result.stdout
    assert "no_bizible_id" in result.stdout
    assert result.stderr == (
        f"Wrote touchpoints.csv, unmatched.csv, rejects.csv, summary.json to {out}\n"
    )
    summary = summary_of(out)
    assert summary["reconciled"] is True
    assert (summary["tasks"]["read"], summary["tasks"]["merged"]) == (3, 1)
    assert (summary["tasks"]["standalone"], summary["tasks"]["unmatched"]) == (1, 1)
    assert [r["task_id"] for r in read_csv(out / "touchpoints.csv")] == ["T1", "T2"]


def test_run_quiet_prints_no_report(tmp_path):
    tasks, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", tasks, sessions, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Wrote touchpoints.csv")
    for name in OUTPUT_FILES:
        assert (out / name).is_file(), name


def test_run_window_option_reaches_the_summary(tmp_path):
    tasks, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", tasks, sessions, "-o", out, "-w", "1h", "-q")
    assert result.exit_code == 0, result.output
    summary = summary_of(out)
    assert summary["settings"]["window"] == "1h"
    assert summary["tasks"]["merged"] == 2  # T2 at 48 minutes now merges


def test_run_parquet_format_writes_parquet_with_utc_timestamps(tmp_path):
    tasks, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", tasks, sessions, "--out", out, "--format", "parquet", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "rejects.parquet",
        "summary.json",
        "touchpoints.parquet",
        "unmatched.parquet",
    ]
    con = duckdb.connect()
    try:

        def count(name: str) -> int:
            return con.execute(
                "SELECT count(*) FROM read_parquet(?)", [str(out / name)]
            ).fetchone()[0]

        assert count("touchpoints.parquet") == 2
        assert count("unmatched.parquet") == 1
        assert count("rejects.parquet") == 0
        types = dict(
            con.execute(
                f"SELECT column_name, column_type FROM "
                f"(DESCRIBE SELECT * FROM read_parquet('{out / 'touchpoints.parquet'}'))"
            ).fetchall()
        )
        assert types["touchpoint_date"] == "TIMESTAMP WITH TIME ZONE"
        assert types["session_start"] == "TIMESTAMP WITH TIME ZONE"
        assert types["minutes_after_session_start"] == "DOUBLE"
        instant = con.execute(
            "SELECT epoch(touchpoint_date) FROM read_parquet(?) WHERE task_id = 'T1'",
            [str(out / "touchpoints.parquet")],
        ).fetchone()[0]
        assert instant == 1772455200.0  # 2026-03-02T12:40:00Z
    finally:
        con.close()


def test_formula_text_is_neutralised_in_csv_but_not_in_parquet(tmp_path):
    tasks, sessions = write_case(tmp_path)
    csv_out, pq_out = tmp_path / "csv", tmp_path / "pq"
    assert invoke("run", tasks, sessions, "-o", csv_out, "-q").exit_code == 0
    assert invoke("run", tasks, sessions, "-o", pq_out, "-f", "parquet", "-q").exit_code == 0
    tps = {r["task_id"]: r for r in read_csv(csv_out / "touchpoints.csv")}
    assert tps["T1"]["subject"] == '\'=HYPERLINK("http://evil.example")'
    assert tps["T2"]["subject"] == "Follow-up"
    assert tps["T1"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert read_csv(csv_out / "unmatched.csv")[0]["Subject"] == "'=1+1"
    con = duckdb.connect()
    try:
        subjects = dict(
            con.execute(
                "SELECT task_id, subject FROM read_parquet(?)",
                [str(pq_out / "touchpoints.parquet")],
            ).fetchall()
        )
        unmatched = con.execute(
            "SELECT Subject FROM read_parquet(?)", [str(pq_out / "unmatched.parquet")]
        ).fetchall()
    finally:
        con.close()
    assert subjects == {"T1": '=HYPERLINK("http://evil.example")', "T2": "Follow-up"}
    assert unmatched == [("=1+1",)]


# ----------------------------------------------------------------------------- user errors


def test_tasks_file_without_bizible_id_column_is_an_input_error(tmp_path):
    tasks = write_rows(
        tmp_path / "calls.csv",
        [{"Id": "T1", "CreatedDate": "2026-03-02T12:40:00Z", "Type": "Call"}],
        ("Id", "CreatedDate", "Type"),
    )
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", tasks, sessions, "--out", out)
    assert result.exit_code == ExitCode.INPUT == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"Input error: tasks file {tasks} has no column for the required field 'bizible_id'"
    )
    assert "Headers found: 'Id', 'CreatedDate', 'Type'." in result.stderr
    assert "bizible2__BizibleId__c" in result.stderr  # what was looked for
    assert "--map tasks.bizible_id=YOUR_COLUMN" in result.stderr
    assert not (out / "touchpoints.csv").exists()


def test_sessions_file_without_event_date_column_is_an_input_error(tmp_path):
    tasks, _ = write_case(tmp_path)
    sessions = write_rows(
        tmp_path / "visits.csv",
        [{"ID": "S1", "COOKIE_ID": ABC, "CHANNEL": "Direct"}],
        ("ID", "COOKIE_ID", "CHANNEL"),
    )
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"Input error: sessions file {sessions} has no column for the required field "
        "'session_start'"
    )
    assert "EVENT_DATE" in result.stderr
    assert "Headers found: 'ID', 'COOKIE_ID', 'CHANNEL'." in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_missing_call_time_names_the_column_the_file_lacks(tmp_path, fmt):
    """A call with neither time is rejected as 'both the Buyer Touchpoint Date and CreatedDate
    are empty': in a file without a CreatedDate column, there was none to be empty."""
    header = ("Id", "bizible2__BizibleId__c", "bizible2__Bizible_Touchpoint_Date__c", "Call_At")
    tasks = write_rows(
        tmp_path / "t.csv",
        [
            {"Id": "T1", "bizible2__BizibleId__c": ABC,
             "bizible2__Bizible_Touchpoint_Date__c": "2026-03-02T12:40:00Z"},
            {"Id": "T2", "bizible2__BizibleId__c": ABC, "Call_At": "2026-03-02T12:50:00Z"},
        ],
        header,
    )  # fmt: skip
    if fmt == "parquet":
        source, tasks = tasks, tmp_path / "t.parquet"
        duckdb.sql(f"COPY (FROM read_csv('{source}', all_varchar = true)) TO '{tasks}'")
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    invoke("run", tasks, sessions, "--out", out, "--max-rejects", "50%", "-q")
    (reject,) = read_csv(out / "rejects.csv")
    line = "3" if fmt == "csv" else "2"  # a Parquet file's row number: no header line
    assert (reject["line"], reject["column"]) == (line, "bizible2__Bizible_Touchpoint_Date__c")
    assert reject["error"] == (
        "no call time: the Buyer Touchpoint Date (bizible2__Bizible_Touchpoint_Date__c) is "
        "empty, and the file has no CreatedDate column to fall back on (--map "
        "tasks.call_time=COLUMN names one)"
    )
    # named, the column is read: nothing rejected
    invoke("run", tasks, sessions, "--out", out, "--map", "tasks.call_time=Call_At", "-q")
    assert read_csv(out / "rejects.csv") == []
    # a CreatedDate the file has, ignored by --map, is said to be ignored, not missing
    invoke(
        "run", tasks, sessions, "--out", out, "--map", "tasks.call_time=", "--max-rejects",
        "50%", "-q",
    )  # fmt: skip
    (reject,) = read_csv(out / "rejects.csv")
    assert reject["error"].endswith(
        "and --map tasks.call_time= ignores the CreatedDate to fall back on"
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_deleted_task_is_rejected_not_a_touchpoint(tmp_path, fmt):
    # Data Loader's Export All holds deleted tasks (IsDeleted true): they became touchpoints
    tasks = tmp_path / "t.csv"
    tasks.write_text(
        "Id,bizible2__BizibleId__c,CreatedDate,IsDeleted\n"
        f"00T000000000001,{ABC},2026-03-02T12:40:00Z,true\n"
        f"00T000000000002,{ABC},2026-03-02T12:41:00Z,false\n"
    )
    if fmt == "parquet":
        source, tasks = tasks, tmp_path / "t.parquet"
        duckdb.sql(
            f"COPY (SELECT * REPLACE (IsDeleted::BOOLEAN AS IsDeleted) FROM "
            f"read_csv('{source}', all_varchar = true)) TO '{tasks}' (FORMAT parquet)"
        )
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    invoke("run", tasks, sessions, "--out", out, "--max-rejects", "50%", "-q")
    (reject,) = read_csv(out / "rejects.csv")
    assert (reject["line"], reject["column"]) == ("2" if fmt == "csv" else "1", "IsDeleted")
    assert reject["error"].startswith("the record was deleted in Salesforce (IsDeleted is true)")
    assert [r["task_id"] for r in read_csv(out / "touchpoints.csv")] == ["00T000000000002EAA"]
    explained = invoke("explain", "00T000000000001", "--tasks", tasks, "--sessions", sessions)
    assert explained.exit_code == 2
    assert "It was deleted in Salesforce: it is no call to explain" in " ".join(
        explained.stderr.split()
    )


def _as_parquet(source: Path, flag: str) -> Path:
    """The CSV ``source`` as Parquet, its ``flag`` column typed BOOLEAN (a warehouse's)."""
    target = source.with_suffix(".parquet")
    duckdb.sql(
        f"COPY (SELECT * REPLACE ({flag}::BOOLEAN AS {flag}) FROM "
        f"read_csv('{source}', all_varchar = true)) TO '{target}' (FORMAT parquet)"
    )
    return target


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_deleted_session_is_rejected_never_matched(tmp_path, fmt):
    # The warehouse keeps deleted sessions a few days (IS_DELETED true): a call merged with
    # one. A session deleted after an earlier export held it (its last copy deleted, R9) is
    # gone too: its earlier copy is a duplicate, not a session to merge with.
    tasks = write_rows(
        tmp_path / "t.csv",
        [task("T1", ABC, "12:40"), task("T2", DEF, "12:40")],
        TASK_HEADER,
    )
    header = (*SESSION_HEADER, "IS_DELETED")
    sessions = write_rows(
        tmp_path / "s.csv",
        [
            session("S1", ABC, "12:10", "Email.Newsletter", IS_DELETED="false"),
            session("S2", ABC, "12:30", IS_DELETED="true"),  # deleted: T1 merges with S1
            session("S3", DEF, "12:20", modified=at("13:00"), IS_DELETED="false"),
            session("S3", DEF, "12:20", modified=at("14:00"), IS_DELETED="TRUE"),  # later
        ],
        header,
    )
    if fmt == "parquet":
        sessions = _as_parquet(sessions, "IS_DELETED")
    out = tmp_path / "out"
    assert invoke("run", tasks, sessions, "--out", out, "-q").exit_code == 0
    touchpoints = {r["task_id"][:2]: r for r in read_csv(out / "touchpoints.csv")}
    assert (touchpoints["T1"]["session_id"], touchpoints["T1"]["channel"]) == ("S1", "Email")
    assert (touchpoints["T2"]["match_status"], touchpoints["T2"]["match_reason"]) == (
        "standalone",
        "no_session_for_id",
    )
    rejects = read_csv(out / "rejects.csv")
    assert [(r["column"], r["error"][:44]) for r in rejects] == [
        ("IS_DELETED", "the session was deleted in Marketo Measure ("),
    ] * 2
    sessions_count = summary_of(out)["sessions"]
    assert (sessions_count["kept"], sessions_count["duplicates"]) == (1, 1)
    assert sessions_count["rejected"] == 2
    # a workspace reads them the same way
    db = tmp_path / "w.duckdb"
    assert invoke("load", "tasks", tasks, "--db", db, "-q").exit_code == 0
    assert invoke("load", "sessions", sessions, "--db", db, "-q").exit_code == 0
    assert invoke("match", "--db", db, "-q").exit_code == 0
    exported = tmp_path / "tp.csv"
    assert invoke("export", "touchpoints", "--db", db, "--output", exported).exit_code == 0
    assert exported.read_bytes() == (out / "touchpoints.csv").read_bytes()
    # explain names the rejected sessions of the call's BizibleId, which no candidate can be
    for where in (["--db", db], ["--tasks", tasks, "--sessions", sessions]):
        result = invoke("explain", "T2", *where, "-f", "json")
        assert result.exit_code == 0, result.stderr
        facts = json.loads(result.stdout)
        assert facts["rejected_sessions"] == 1
        assert facts["nearest_rejected_session"]["session_id"] == "S3"
        assert "One session row of this BizibleId was rejected when loaded" in " ".join(
            facts["advice"]
        )


def test_explain_counts_no_rejected_copy_of_a_kept_session(tmp_path):
    # an older deleted copy of the session the call merged with was told as a session that
    # "cannot be the call's candidate"; a session gone (its last copy deleted) is no reason to
    # load another export
    tasks = write_rows(
        tmp_path / "t.csv", [task("T1", ABC, "12:40"), task("T2", DEF, "12:40")], TASK_HEADER
    )
    sessions = write_rows(
        tmp_path / "s.csv",
        [
            session("S1", ABC, "12:20", modified=at("13:00"), IS_DELETED="true"),
            session("S1", ABC, "12:20", modified=at("14:00"), IS_DELETED="false"),
            session("S2", DEF, "12:20", modified=at("13:00"), IS_DELETED="false"),
            session("S2", DEF, "12:20", modified=at("14:00"), IS_DELETED="true"),
        ],
        (*SESSION_HEADER, "IS_DELETED"),
    )
    files = ("--tasks", tasks, "--sessions", sessions)
    merged = json.loads(invoke("explain", "T1", *files, "-f", "json").stdout)
    assert (merged["match_status"], merged["session_id"]) == ("merged", "S1")
    assert (merged["rejected_sessions"], merged["nearest_rejected_session"]) == (0, None)
    gone = json.loads(invoke("explain", "T2", *files, "-f", "json").stdout)
    assert gone["match_reason"] == "no_session_for_id"
    assert gone["nearest_rejected_session"]["session_id"] == "S2"
    advice = " ".join(gone["advice"])
    assert "No usable session has this BizibleId" in advice
    assert "Load the sessions export" not in advice


def _explain_source(tmp_path: Path, tasks: Path, sessions: Path, where: str) -> tuple[object, ...]:
    """The options explain reads ``tasks`` and ``sessions`` by: the files themselves, or a
    workspace they are loaded into and matched."""
    if where == "files":
        return ("--tasks", tasks, "--sessions", sessions)
    db = tmp_path / "ws.duckdb"
    invoke("load", "tasks", tasks, "--db", db)
    invoke("load", "sessions", sessions, "--db", db)
    invoke("match", "--db", db, "-q")
    return ("--db", db)


@pytest.mark.parametrize("where", ["files", "workspace"])
def test_explain_tells_a_session_whose_later_copy_took_another_cookie(tmp_path, where):
    # "No session has this BizibleId ... Load the sessions export that covers the call's
    # date", though the file had its session: a later copy of that session id (R9) carries
    # another cookie
    tasks = write_rows(tmp_path / "t.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    sessions = write_rows(
        tmp_path / "s.csv",
        [
            session("S1", ABC, "12:20", modified=at("13:00")),
            session("S1", DEF, "12:20", modified=at("14:00")),
            session("S2", "77aa88bb99cc00dd11ee22ff33aa44bb", "12:20"),
        ],
        SESSION_HEADER,
    )
    source = _explain_source(tmp_path, tasks, sessions, where)
    facts = json.loads(invoke("explain", "T1", *source, "-f", "json").stdout)
    assert facts["match_reason"] == "no_session_for_id"
    assert (facts["superseded_sessions"], facts["superseded_session_id"]) == (1, "S1")
    advice = " ".join(facts["advice"])
    assert "Load the sessions export" not in advice
    assert "Session S1 had this BizibleId in one copy, but a later copy of it" in advice
    shown = " ".join(invoke("explain", "T1", *source).stdout.split())
    assert "Session S1 had this BizibleId in one copy" in shown


@pytest.mark.parametrize("where", ["files", "workspace"])
def test_explain_names_sessions_of_the_bizible_id_written_otherwise(tmp_path, where):
    # "No session has this BizibleId ... Load the sessions export that covers the call's
    # date", though the sessions had it: written 9001.0 by pandas' CSV of an integer column
    # with a blank (on either side), or in another letter case; ids compare as written (R2)
    tasks = write_rows(
        tmp_path / "t.csv",
        [
            task("T1", "9001.0", "12:40"),
            task("T2", "9002", "12:40"),
            task("T3", ABC.upper(), "12:40"),
            task("T4", DEF, "12:40"),
            task("T5", "9003.00", "12:40"),
            task("T6", "MiXeD", "12:40"),
        ],
        TASK_HEADER,
    )
    sessions = write_rows(
        tmp_path / "s.csv",
        [
            session("S1", "9001", "12:20"),
            session("S2", "9002.0", "12:20"),
            session("S3", ABC, "12:20"),
            session("S4", ABC, "12:25"),
            session("S5", "0f9e8d7c", "12:20"),  # DEF's beginning: no id written otherwise
            session("S6", "9003", "12:20"),
            session("S7", "mixed", "12:20"),
            session("S8", "mixed", "12:25"),
            session("S9", "MIXED", "12:20"),
        ],
        SESSION_HEADER,
    )
    source = _explain_source(tmp_path, tasks, sessions, where)

    def facts(task_id: str) -> tuple[dict, str]:
        said = json.loads(invoke("explain", task_id, *source, "-f", "json").stdout)
        assert said["match_reason"] == "no_session_for_id", said
        return said["similar_bizible_id"], " ".join(said["advice"])

    similar, advice = facts("T1")
    assert similar == {"bizible_id": "9001", "sessions": 1}
    assert "A session row has BizibleId 9001, the task's 9001.0 without '.0'" in advice
    assert "the tasks export wrote an integer id column as decimals" in advice
    assert "Load the sessions export" not in advice
    similar, advice = facts("T2")
    assert similar == {"bizible_id": "9002.0", "sessions": 1}
    assert "the task's 9002 with '.0'" in advice and "the sessions export wrote" in advice
    similar, advice = facts("T3")
    assert similar == {"bizible_id": ABC, "sessions": 2}
    assert f"2 session rows have BizibleId {ABC}, which differs from the task's only in " in advice
    # 9003.00 is the task's export's doing too; each variant is counted on its own, the one
    # most rows have named (it said "3 session rows have BizibleId MIXED", which 1 row has)
    similar, advice = facts("T5")
    assert "the task's 9003.00 without '.0'" in advice and "the tasks export wrote" in advice
    similar, advice = facts("T6")
    assert similar == {"bizible_id": "mixed", "sessions": 2}
    similar, advice = facts("T4")
    assert similar is None
    assert "Load the sessions export that covers the call's date" in advice
    shown = " ".join(invoke("explain", "T1", *source).stdout.split())
    assert "A session row has BizibleId 9001, the task's 9001.0 without '.0'" in shown


def test_explain_on_a_stale_workspace_names_no_similar_id_of_a_later_load(tmp_path):
    # a stale workspace answers from the rows its last match saw: the sessions export loaded
    # since, with the cookie 9001.0, was named as the task's id written otherwise
    db = tmp_path / "w.duckdb"
    tasks = write_rows(tmp_path / "t.csv", [task("T1", "9001", "12:40")], TASK_HEADER)
    first = write_rows(tmp_path / "s1.csv", [session("S0", "zzz", "12:20")], SESSION_HEADER)
    later = write_rows(tmp_path / "s2.csv", [session("S1", "9001.0", "12:20")], SESSION_HEADER)
    for role, path in (("tasks", tasks), ("sessions", first)):
        invoke("load", role, path, "--db", db, "-q")
    invoke("match", "--db", db, "-q")
    invoke("load", "sessions", later, "--db", db, "-q")
    facts = json.loads(invoke("explain", "T1", "--db", db, "-f", "json").stdout)
    assert facts["match_reason"] == "no_session_for_id"
    assert facts["similar_bizible_id"] is None, facts
    invoke("match", "--db", db, "-q")  # matched again, the later load is the match's
    facts = json.loads(invoke("explain", "T1", "--db", db, "-f", "json").stdout)
    assert facts["similar_bizible_id"] == {"bizible_id": "9001.0", "sessions": 1}


@pytest.mark.parametrize("where", ["files", "workspace"])
def test_explain_tells_a_deleted_session_as_gone_not_as_taken_by_another_cookie(tmp_path, where):
    # a session whose last copy is deleted was also "superseded": "a later copy of it ... has
    # another cookie, and that copy is the session", though no copy of it is kept at all
    tasks = write_rows(tmp_path / "t.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    sessions = write_rows(
        tmp_path / "s.csv",
        [
            session("S1", ABC, "12:20", modified=at("13:00"), IS_DELETED="false"),
            session("S1", ABC, "12:20", modified=at("14:00"), IS_DELETED="true"),
        ],
        (*SESSION_HEADER, "IS_DELETED"),
    )
    source = _explain_source(tmp_path, tasks, sessions, where)
    facts = json.loads(invoke("explain", "T1", *source, "-f", "json").stdout)
    assert facts["match_reason"] == "no_session_for_id"
    assert (facts["rejected_sessions"], facts["superseded_sessions"]) == (1, 0)
    advice = " ".join(facts["advice"])
    assert "later copy of it" not in advice and "was rejected when loaded" in advice


def test_explain_gives_a_later_session_less_than_a_minute_away_exactly(tmp_path):
    # "started after the call (the first 0 min later)" for a session 1 microsecond after it
    tasks = write_rows(tmp_path / "t.csv", [task("T1", ABC, "2026-03-02T10:00:00Z")], TASK_HEADER)
    sessions = write_rows(
        tmp_path / "s.csv", [session("S1", ABC, "2026-03-02T10:00:00.000001Z")], SESSION_HEADER
    )
    facts = json.loads(
        invoke("explain", "T1", "--tasks", tasks, "--sessions", sessions, "-f", "json").stdout
    )
    assert facts["match_reason"] == "only_later_sessions"
    advice = " ".join(facts["advice"])
    assert "(the first 1us later)" in advice and "0 min" not in advice


def test_explain_suspects_a_zone_when_the_gap_is_whole_hours_and_minutes_within(tmp_path):
    # a session 5h10m before the call, its naive time in New York's zone read as UTC, got
    # only "a 310m window would merge it", which widens the window for every call
    tasks = tmp_path / "t.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate\nT1,a,2026-03-02 12:10:00\nT2,b,2026-03-02 12:10:00\n"
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE\nS1,a,2026-03-02 07:00:00\nS2,b,2026-03-02 11:25:00\n"
    )
    files = ("--tasks", tasks, "--sessions", sessions)

    def advice(task_id: str, *options: str) -> tuple[str, str]:
        facts = json.loads(invoke("explain", task_id, *files, *options, "-f", "json").stdout)
        return facts["match_status"], " ".join(facts["advice"])

    status, said = advice("T1")
    assert status == "standalone" and "A 310m window would merge it" in said
    assert "The gap is 5 hours and 10 min: if the two exports' naive timestamps" in said
    assert "--tasks-tz / --sessions-tz on files" in said
    assert advice("T1", "--sessions-tz", "America/New_York")[0] == "merged"
    status, said = advice("T2")  # 45 min: no whole hour in it
    assert status == "standalone" and "The gap is" not in said


def test_explain_on_files_says_when_run_would_stop_on_them(tmp_path):
    # explain said "merged" and named a touchpoint on files where run stops with exit 3 (too
    # many rejected rows) and writes none: nothing told the two apart
    rows = [task("T1", ABC, "12:40"), task("T2", ABC, "not a time")]
    tasks = write_rows(tmp_path / "t.csv", rows, TASK_HEADER)
    _, sessions = write_case(tmp_path)
    assert invoke("run", tasks, sessions, "--out", tmp_path / "o", "-q").exit_code == 3
    args = ("explain", "T1", "--tasks", tasks, "--sessions", sessions)
    facts = json.loads(invoke(*args, "-f", "json").stdout)
    assert facts["match_status"] == "merged"
    assert facts["run_stops"].startswith("1 of 2 tasks rows were rejected (50%)")
    assert facts["advice"][0].startswith("run stops on these files (exit 3)")
    said = " ".join(invoke(*args).stdout.split())
    assert "run stops on these files (exit 3) and writes no touchpoints" in said
    # files run goes on with: nothing said
    tasks = write_rows(tmp_path / "t.csv", rows[:1], TASK_HEADER)
    facts = json.loads(invoke(*args[:3], tasks, *args[4:], "-f", "json").stdout)
    assert "run_stops" not in facts and not any("run stops" in a for a in facts["advice"])


def test_explain_says_a_task_whose_last_copy_is_deleted_is_gone(tmp_path):
    tasks = write_rows(
        tmp_path / "t.csv",
        [
            task("T1", ABC, "12:40", modified=at("13:00"), IsDeleted="false"),
            task("T1", ABC, "12:40", modified=at("14:00"), IsDeleted="true"),
            task("T2", ABC, "12:41", modified=at("13:00"), IsDeleted="true"),
            task("T2", ABC, "12:41", modified=at("14:00"), IsDeleted="false"),
        ],
        (*TASK_HEADER, "IsDeleted"),
    )
    _, sessions = write_case(tmp_path)
    result = invoke("explain", "T1", "--tasks", tasks, "--sessions", sessions)
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "its one copy loaded as well is a duplicate: R9 keeps the last copy, which says" in (
        message
    )
    facts = json.loads(
        invoke("explain", "T2", "--tasks", tasks, "--sessions", sessions, "-f", "json").stdout
    )
    assert (facts["match_status"], facts["deleted_copies"]) == ("merged", 1)
    assert (
        "One copy of the task says it was deleted in Salesforce (IsDeleted), and R9 ranks the "
        "copy kept above it" in " ".join(facts["advice"])
    )


def test_deleted_records_do_not_count_against_max_rejects(tmp_path):
    # An Export All holds deleted tasks: they are rejected (never touchpoints) but are no
    # fault of the export, so the default 1% limit stopped such a run with exit 3.
    rows = [task(f"T{i}", ABC, "12:40", IsDeleted="false") for i in range(8)]
    rows += [task(f"D{i}", ABC, "12:41", IsDeleted="true") for i in range(4)]
    tasks = write_rows(tmp_path / "t.csv", rows, (*TASK_HEADER, "IsDeleted"))
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    assert invoke("run", tasks, sessions, "--out", out, "-q").exit_code == 0
    assert summary_of(out)["tasks"]["rejected"] == 4
    # a bad row among the live ones still counts: 1 of 9, the deleted ones said apart
    rows.append(task("T9", ABC, "not a time"))
    tasks = write_rows(tmp_path / "t.csv", rows, (*TASK_HEADER, "IsDeleted"))
    result = invoke("run", tasks, sessions, "--out", out, "-q")
    assert result.exit_code == 3
    message = " ".join(result.stderr.split())
    assert (
        "1 of 9 tasks rows were rejected (11.2%) (besides 4 deleted records, not counted), "
        "more than --max-rejects 1% allows" in message
    )
    assert "--max-rejects 1 (or --max-rejects 11.2%)" in message
    # the rejected row it counts is quoted, the deleted records (not counted) are not
    assert f"First: {tasks}:14: '2026-03-02Tnot a timeZ' is not a date-time" in message
    assert "the record was deleted" not in message
    assert invoke("run", tasks, sessions, "--out", out, "-q", "--max-rejects", "1").exit_code == 0
    db = tmp_path / "w.duckdb"
    result = invoke("load", "tasks", tasks, "--db", db, "-q")
    message = " ".join(result.stderr.split())
    assert result.exit_code == 3 and "the record was deleted" not in message, message
    assert f"First: {tasks}:14:" in message


def test_half_the_rows_rejected_is_not_most(tmp_path):
    # 1 of 2 rows rejected was told "Most rows were rejected: the file more likely needs other
    # reading options", which one bad time among two rows does not say
    rows = [task("T1", ABC, "12:40"), task("T2", ABC, "not a time")]
    tasks = write_rows(tmp_path / "t.csv", rows, TASK_HEADER)
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    message = " ".join(result.stderr.split())
    assert result.exit_code == 3 and "1 of 2 tasks rows were rejected" in message
    assert "Most rows" not in message and "Fix the export, or go on without" in message


def test_the_rejected_counts_say_how_many_are_deleted_records(tmp_path):
    # run's reconciliation, load's table and status said "3 rejected" of an Export All
    # holding 2 deleted tasks (no fault of the export) and 1 bad row, as if all 3 needed fixing
    rows = [task(f"T{i}", ABC, "12:40", IsDeleted="false") for i in range(300)]
    rows += [task(f"D{i}", ABC, "12:41", IsDeleted="true") for i in range(2)]
    rows.append(task("T9", ABC, "not a time"))
    tasks = write_rows(tmp_path / "t.csv", rows, (*TASK_HEADER, "IsDeleted"))
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    shown = " ".join(invoke("run", tasks, sessions, "--out", out).stdout.split())
    assert "+ 3 rejected (2 deleted records) ✔ reconciled" in shown
    assert "(0 deleted" not in shown  # the sessions' line: none deleted, none said
    counts = summary_of(out)["tasks"]
    assert (counts["rejected"], counts["deleted"]) == (3, 2)
    assert summary_of(out)["sessions"]["deleted"] == 0
    db = tmp_path / "w.duckdb"
    loaded = invoke("load", "tasks", tasks, "--db", db)
    assert loaded.exit_code == 0, loaded.output
    assert "3 (2 deleted)" in loaded.stdout
    assert invoke("load", "sessions", sessions, "--db", db, "-q").exit_code == 0
    assert invoke("match", "--db", db, "-q").exit_code == 0
    status = " ".join(invoke("status", "--db", db).stdout.split())
    assert "3 (2 deleted)" in status
    assert "303 rows (3 rejected, 2 of them deleted records)" in status
    assert "+ 3 rejected (2 deleted records)" in status
    facts = json.loads(invoke("status", "--db", db, "-f", "json").stdout)
    assert [(x["rows_rejected"], x["rows_deleted"]) for x in facts["loads"]] == [(3, 2), (0, 0)]
    assert facts["totals"]["tasks"]["rows_deleted"] == 2
    assert facts["last_match"]["deleted"] == 2


@pytest.mark.parametrize(
    "args, said",
    [
        (["run", "{t}", "{s}", "--out", ""], 'an empty argument ("") follows --out'),
        (["run", "{t}", "{s}", "--out=", "-q"], "--out is given an empty value"),
        (["load", "tasks", "", "--db", "{db}"], 'an empty argument ("") follows tasks'),
        (["run", "{t}", "{s}", "--out", "o", "--memory-limit="], "--memory-limit is given an"),
    ],
)
def test_an_empty_argument_is_refused_not_read_as_the_current_folder(
    tmp_path, monkeypatch, args, said
):
    # `--out "$OUT"` with OUT unset wrote the outputs into the current folder, and `load tasks
    # "$FILE"` loaded every export found there
    tasks, sessions = write_case(tmp_path)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    given = [a.format(t=tasks, s=sessions, db=tmp_path / "w.duckdb") for a in args]
    result = invoke(*given)
    assert result.exit_code == 2
    assert f"Usage error: {said}" in result.stderr
    assert "An unset variable in a script" in " ".join(result.stderr.split())
    assert list(here.iterdir()) == []
    assert not (tmp_path / "w.duckdb").exists()


def test_swapped_inputs_are_named_as_swapped(tmp_path):
    tasks, sessions = write_case(tmp_path)
    result = invoke("run", sessions, tasks, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"Input error: tasks file {sessions} has no column" in result.stderr
    assert "looks like a sessions export" in result.stderr
    assert "tasks and sessions exports swapped?" in " ".join(result.stderr.split())
    # genuinely incomplete files are not called swapped: a tasks file without its call time,
    # a sessions file without its start (it has an id and a cookie, as a tasks export does)
    calls = write_rows(tmp_path / "calls.csv", [{"Id": "T1", "Type": "Call"}], ("Id", "Type"))
    result = invoke("run", calls, sessions, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "looks like" not in result.stderr
    visits = write_rows(
        tmp_path / "visits.csv",
        [{"ID": "S1", "COOKIE_ID": ABC, "CHANNEL": "Email", "SESSION_DATE": "2026-03-01"}],
        ("ID", "COOKIE_ID", "CHANNEL", "SESSION_DATE"),
    )
    result = invoke("run", tasks, visits, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "looks like" not in result.stderr
    # and a tasks file given as the sessions is named too
    other = tmp_path / "tasks_copy.csv"
    shutil.copy(tasks, other)
    result = invoke("run", tasks, other, "--out", tmp_path / "out")
    assert "looks like a tasks export" in " ".join(result.stderr.split())
    # the very same file given as both: said as such (pipeline.refuse_shared_files)
    result = invoke("run", tasks, tasks, "--out", tmp_path / "out")
    assert "both name" in " ".join(result.stderr.split()) and result.exit_code == 2


def test_a_required_field_ignored_by_map_says_so(tmp_path):
    tasks, sessions = write_case(tmp_path)
    result = invoke(
        "run", tasks, sessions, "--out", tmp_path / "out", "--map", "sessions.cookie_id="
    )
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "the required field 'cookie_id'" in text
    assert "is ignored by --map sessions.cookie_id=" in text
    assert "A required field cannot be ignored" in text


@pytest.mark.parametrize(
    ("tasks_arg", "options", "expected"),
    [
        ("missing.csv", [], "Input error: tasks input {d}/missing.csv does not exist"),
        ("empty_dir", [], "Input error: tasks folder {d}/empty_dir holds no CSV or Parquet files"),
        (
            "tasks_*.parquet",
            [],
            "Input error: tasks pattern {d}/tasks_*.parquet matches no CSV or Parquet files",
        ),
        ("tasks.csv", ["--window", "30"], "Usage error: --window '30' is not a duration"),
        ("tasks.csv", ["--window", "abc"], "Usage error: --window 'abc' is not a duration"),
        (
            "tasks.csv",
            ["--tasks-tz", "Mars/Olympus"],
            "Usage error: --tasks-tz 'Mars/Olympus' is not a time zone DuckDB knows",
        ),
        (
            "tasks.csv",
            ["--sessions-tz", "Mars/Olympus"],
            "Usage error: --sessions-tz 'Mars/Olympus' is not a time zone DuckDB knows",
        ),
        ("tasks.csv", ["--map", "bogus"], "Usage error: --map 'bogus' is not ROLE.FIELD=COLUMN"),
        (
            "tasks.csv",
            ["--map", "tasks.nosuchfield=X"],
            "Usage error: --map 'tasks.nosuchfield=X': tasks have no field 'nosuchfield'",
        ),
        (
            "tasks.csv",
            ["--map", "tasks.call_time=NoSuchColumn"],
            "Input error: tasks file {d}/tasks.csv: --map tasks.call_time=NoSuchColumn "
            "names no column\nHeaders found: 'Id', 'BizibleId', 'CreatedDate', 'Type', 'WhoId', "
            "'Subject', 'LastModifiedDate'",
        ),
        ("empty.csv", [], "Input error: tasks file {d}/empty.csv is empty"),
        (
            "export.xlsx",
            [],
            "Input error: tasks file {d}/export.xlsx is neither CSV nor Parquet (by its extension)",
        ),
    ],
    ids=[
        "missing-path",
        "empty-folder",
        "glob-matches-nothing",
        "window-without-unit",
        "window-not-a-number",
        "unknown-tasks-tz",
        "unknown-sessions-tz",
        "map-not-role-field",
        "map-unknown-field",
        "map-unknown-column",
        "empty-file",
        "xlsx-file",
    ],
)
def test_user_errors_exit_2_with_a_message_on_stderr(tmp_path, tasks_arg, options, expected):
    _, sessions = write_case(tmp_path)
    (tmp_path / "empty_dir").mkdir()
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "export.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    out = tmp_path / "out"
    result = invoke("run", tmp_path / tasks_arg, sessions, "--out", out, *options)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert expected.format(d=tmp_path) in result.stderr
    assert not (out / "summary.json").exists()


def test_unknown_format_is_refused_by_the_option_parser(tmp_path):
    tasks, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "--format", "xlsx")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr
    assert "'xlsx' is not one of 'csv', 'parquet'" in result.stderr


def test_missing_out_option_is_a_usage_error(tmp_path):
    tasks, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions)
    assert result.exit_code == 2
    assert "Missing option '--out'" in result.stderr


def test_corrupt_parquet_is_an_input_error_without_sql(tmp_path):
    tasks = tmp_path / "tasks.parquet"
    tasks.write_bytes(b"this is not a parquet file")
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"Input error: cannot read tasks file {tasks} as Parquet" in result.stderr
    assert "read_parquet" not in result.stderr
    assert "LINE " not in result.stderr


def test_non_utf8_file_advice_names_only_options_run_accepts(tmp_path):
    tasks = tmp_path / "excel_export.csv"
    tasks.write_bytes(
        b"Id,BizibleId,CreatedDate,Subject\n"
        + f"T1,{ABC},2026-03-02T12:40:00Z,".encode()
        + b"Caf\xe9\n"
        + f"T2,{ABC},2026-03-02T12:41:00Z,ok\n".encode()
    )
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out")
    # One of two rows is not UTF-8: rejected, which is more than the default 1% allows.
    assert result.exit_code == 3
    assert f"{tasks}:2: invalid utf-8 text" in result.stderr
    assert "--encoding" in result.stderr
    # Excel for Mac's "CSV (Macintosh)" is MacRoman: read as windows-1252, as the advice
    # said, its accents came out garbled ('RŸckruf' for 'Rückruf') with no word
    said = " ".join(result.stderr.split())
    assert "pass --encoding windows-1252 for Excel exports (mac-roman for Excel for Mac's" in said
    run_help = invoke("run", "--help").stdout
    for option in re.findall(r"--[a-z][a-z-]+", result.stderr):
        assert option in run_help, f"the message advises {option}, which run does not accept"
    fixed = invoke("run", tasks, sessions, "--out", tmp_path / "out2", "--encoding", "windows-1252")
    assert fixed.exit_code == 0, fixed.stderr
    assert ",Café," in (tmp_path / "out2" / "touchpoints.csv").read_text(encoding="utf-8")
    assert "not utf-8" not in fixed.stderr
    # one such row in 200, within --max-rejects: exit 0, its call lost, and the advice was
    # only in rejects.csv; the encoding is the file's: said on stderr too
    rows = "".join(f"T{i},{ABC},2026-03-02T12:41:00Z,ok\n" for i in range(3, 201))
    tasks.write_bytes(tasks.read_bytes() + rows.encode())
    within = invoke("run", tasks, sessions, "--out", tmp_path / "out3")
    assert within.exit_code == 0, within.stderr
    said = " ".join(within.stderr.split())
    assert (
        "excel_export.csv: 1 row holds bytes that are not utf-8 and was rejected: pass "
        "--encoding windows-1252 for Excel exports"
    ) in said


def test_encoding_can_name_one_input(tmp_path: Path) -> None:
    """An Excel task export (windows-1252) beside a warehouse session export (UTF-8): one
    --encoding for both garbles the sessions' text, and says so; tasks=ENCODING reads each
    file right. A role calltouch does not read is refused."""
    tasks = tmp_path / "excel.csv"
    tasks.write_bytes(
        b"Id,BizibleId,CreatedDate,Subject\n"
        + f"T1,{ABC},2026-03-02T12:40:00Z,".encode()
        + b"Appel de Ren\xe9e\n"
    )
    sessions = write_rows(
        tmp_path / "warehouse.csv",
        [session("S1", ABC, "12:17", campaign="Café Promo")],
        SESSION_HEADER,
    )
    both = invoke("run", tasks, sessions, "--out", tmp_path / "both", "--encoding", "cp1252")
    assert both.exit_code == 0, both.stderr
    assert "CafÃ© Promo" in (tmp_path / "both" / "touchpoints.csv").read_text(encoding="utf-8")
    note = " ".join(both.stderr.split())
    assert (
        "warehouse.csv: read as cp1252 (--encoding), though the whole file is valid UTF-8" in note
    )
    assert "give --encoding only to the inputs that need it" in note
    # a folder holding an Excel file and a UTF-8 one: --encoding covers the whole input
    assert "files of one input in different encodings load into a workspace one by one" in note
    summary = json.loads((tmp_path / "both" / "summary.json").read_text(encoding="utf-8"))
    assert any("valid UTF-8" in n for n in summary["sessions"]["files"][0]["notes"])
    one = invoke(
        "run", tasks, sessions, "--out", tmp_path / "one", "--encoding", "tasks=windows-1252"
    )
    assert one.exit_code == 0, one.stderr
    written = (tmp_path / "one" / "touchpoints.csv").read_text(encoding="utf-8")
    assert "Café Promo" in written and "Appel de Renée" in written
    assert "valid UTF-8" not in one.stderr
    bad = invoke("run", tasks, sessions, "--out", tmp_path / "bad", "--encoding", "task=cp1252")
    assert bad.exit_code == 2 and "'task' is not an input calltouch reads" in bad.stderr
    # a UTF-8 file read as windows-1252 has bytes it cannot decode: the advice was to pass
    # the --encoding already given; leaving it out is the way
    utf8 = write_rows(
        tmp_path / "utf8.csv", [task("T1", ABC, "12:40", subject="\u201cQuote\u201d")], TASK_HEADER
    )
    wrong = invoke("run", utf8, sessions, "-o", tmp_path / "w", "--encoding", "windows-1252")
    assert wrong.exit_code == 3
    assert "if the file is UTF-8, leave --encoding out" in " ".join(wrong.stderr.split())
    assert "pass --encoding windows-1252" not in " ".join(wrong.stderr.split())
    # a Japanese Excel's Shift_JIS read as windows-1252: "latin-1 reads any bytes" led to
    # Japanese text read as Western letters; the advice names the file's own encoding
    assert "else name its own encoding (e.g. shift_jis" in " ".join(wrong.stderr.split())


def test_a_gzip_packed_twice_and_a_damaged_bom_file_get_their_own_advice(tmp_path: Path) -> None:
    tasks, sessions = write_case(tmp_path)
    twice = tmp_path / "twice.csv.gz"
    twice.write_bytes(gzip.compress(gzip.compress(tasks.read_bytes())))
    result = invoke("run", twice, sessions, "-o", tmp_path / "o")
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "is a gzip archive inside a gzip archive" in message
    assert "Unpack it once (gunzip)" in message  # not 'name it .csv.gz': it is named so
    # a UTF-16 file (its BOM says so) with a byte pair it cannot decode: no --encoding to drop
    utf16 = tmp_path / "utf16.csv"
    good = "Id,BizibleId,CreatedDate\nT1,x,2026-03-02T12:40:00Z\n".encode("utf-16-le")
    utf16.write_bytes(
        b"\xff\xfe" + good + "T2,".encode("utf-16-le") + b"\x00\xd8" + "\n".encode("utf-16-le")
    )
    result = invoke("run", utf16, sessions, "-o", tmp_path / "o2", "--max-rejects", "100%")
    assert result.exit_code == 0, result.output
    errors = [r["error"] for r in read_csv(tmp_path / "o2" / "rejects.csv")]
    assert errors == [
        "invalid utf-16 text (bytes that are not utf-16); its BOM says utf-16: the file is "
        "damaged there, or save it again as UTF-8"
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "option",
    [
        ("--encoding", "opportunities=latin-1"),
        ("--date-order", "people=dmy"),
        ("--profile", "opportunities=generic"),
        ("--map", "people.bizible_id=X"),
        ("--map", "Contact-Roles.role=X"),
    ],
)
def test_run_and_inspect_refuse_options_for_inputs_they_do_not_read(tmp_path, option):
    # they were accepted and ignored (exit 0), as if applied; load already refused them
    tasks, sessions = write_case(tmp_path)
    for args in (("run", tasks, sessions, "-o", tmp_path / "out"), ("inspect", tasks)):
        result = invoke(*args, *option)
        assert result.exit_code == 2, result.output
        assert "but this command reads tasks and sessions only" in " ".join(result.stderr.split())
    assert (
        invoke(
            "run", tasks, sessions, "-o", tmp_path / "out", "--encoding", "TASKS=utf-8"
        ).exit_code
        == 0
    )


def test_profile_reads_roles_as_the_other_options_and_refuses_two_for_one_input(tmp_path):
    # --profile Tasks=... was refused where --map Tasks.x and --encoding Tasks= are taken;
    # two profiles for one input kept the last, where --map refuses a field given twice
    tasks, sessions = write_case(tmp_path)
    ran = invoke("run", tasks, sessions, "-o", tmp_path / "out", "--profile", "Tasks=salesforce")
    assert ran.exit_code == 0, ran.output
    twice = invoke(
        "run", tasks, sessions, "-o", tmp_path / "out",
        "--profile", "tasks=salesforce", "--profile", "tasks=callrail",
    )  # fmt: skip
    assert twice.exit_code == 2
    assert "--profile gives tasks two profiles: 'salesforce' and 'callrail'" in " ".join(
        twice.stderr.split()
    )
    same = invoke(
        "run", tasks, sessions, "-o", tmp_path / "out",
        "--profile", "tasks=salesforce", "--profile", "salesforce",
    )  # fmt: skip
    assert same.exit_code == 0, same.output
    # every input's profile, then one input's: as --encoding reads it, the later wins for it
    for args in (("warehouse", "tasks=salesforce"), ("tasks=salesforce", "generic")):
        ran = invoke(
            "run", tasks, sessions, "-o", tmp_path / "out", "-f", "csv",
            "--profile", args[0], "--profile", args[1],
        )  # fmt: skip
        assert ran.exit_code == 0, (args, ran.output)
        summary = json.loads((tmp_path / "out" / "summary.json").read_text())
        expected = "salesforce" if args[1].startswith("tasks=") else "generic"
        assert summary["tasks"]["files"][0]["profile"] == expected, args


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_export_without_a_bom_is_read_as_utf16(tmp_path: Path, codec: str) -> None:
    """Read as UTF-8, its header would be 'I\\x00d\\x00...', which no field's name matches."""
    tasks = tmp_path / "export.csv"
    text = f"Id,BizibleId,CreatedDate,Subject\r\nT1,{ABC},2026-03-02T12:40:00Z,Appel de Renée\r\n"
    tasks.write_bytes(text.encode(codec))
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.stderr
    written = read_csv(tmp_path / "out" / "touchpoints.csv")
    assert [(r["task_id"], r["subject"]) for r in written] == [("T1", "Appel de Renée")]


def test_a_header_with_bytes_that_are_not_utf8_gets_a_note(tmp_path: Path) -> None:
    tasks = tmp_path / "export.csv"
    tasks.write_bytes(
        b"Id,BizibleId,CreatedDate,Sub\xe9ject\n" + f"T1,{ABC},2026-03-02T12:40:00Z,x\n".encode()
    )
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.stderr
    note = " ".join(result.stderr.split())
    assert "its header holds bytes that are not UTF-8" in note
    assert "--encoding tasks=windows-1252" in note
    fixed = invoke(
        "run", tasks, sessions, "--out", tmp_path / "ok", "-q", "--encoding", "tasks=windows-1252"
    )
    assert "not UTF-8" not in fixed.stderr


def test_run_says_which_of_two_same_named_columns_it_read(tmp_path):
    # two CreatedDate columns that disagree: the run must not pick one without a word
    tasks = tmp_path / "dup.csv"
    tasks.write_text(
        f"Id,BizibleId,CreatedDate,CreatedDate\nT1,{ABC},2026-03-02T12:40:00Z,2026-03-09T12:40:00Z\n",
        encoding="utf-8",
    )
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.stderr
    note = (
        "duplicate headers, fields read from the first column of each (or the one --map names, "
        "case included; the later CreatedDate as CreatedDate_2); all are carried into "
        "unmatched: CreatedDate"
    )
    assert note in " ".join(result.stderr.split())
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["tasks"]["files"][0]["notes"] == [note]
    # when the first column is the unreadable one, the failed run's message says so too
    tasks.write_text(
        f"Id,BizibleId,CreatedDate,CreatedDate\nT1,{ABC},soon,2026-03-09T12:40:00Z\n",
        encoding="utf-8",
    )
    failed = invoke("run", tasks, sessions, "--out", tmp_path / "failed", "-q")
    assert failed.exit_code == 3 and note in " ".join(failed.stderr.split())


def test_a_date_against_the_chosen_day_month_order_is_rejected_saying_so(tmp_path):
    # both orders in one file: the data cannot tell, --date-order does
    tasks = tmp_path / "us.csv"
    tasks.write_text(
        f"Id,BizibleId,CreatedDate\nT1,{ABC},3/25/2026 12:40\nT2,{ABC},2/3/2026 12:40\n"
        f"T3,{ABC},25/2/2026 12:40\n",
        encoding="utf-8",
    )
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    options = ("--date-order", "dmy", "--max-rejects", "100%", "-q")
    assert invoke("run", tasks, sessions, "--out", out, *options).exit_code == 0
    error = next(csv.DictReader((out / "rejects.csv").open(encoding="utf-8")))["error"]
    assert error == (
        "'3/25/2026 12:40' is not a date-time in this file's day/month order: 25 cannot be a "
        "month (is the file in the other order? see --date-order)"
    )


def test_date_order_orders_only_the_dates_a_file_does_not_tell(tmp_path):
    # a folder of a US report (3/13/2026 shows month first) and a UK one (03/04/2026, which
    # cannot tell): the error on the second said to pass --date-order dmy, which then read
    # the first file's 150 calls a month off without a word
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a_us.csv").write_text(
        f"Id,BizibleId,CreatedDate\nT1,{ABC},3/4/2026 12:40\nT2,{ABC},3/13/2026 12:40\n"
    )
    (reports / "b_gb.csv").write_text(f"Id,BizibleId,CreatedDate\nT3,{ABC},04/03/2026 12:41\n")
    (reports / "c_de.csv").write_text(f"Id,BizibleId,CreatedDate\nT4,{ABC},04.03.2026 12:42\n")
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    ran = invoke("run", reports, sessions, "--out", out, "--date-order", "tasks=dmy")
    got = {r["task_id"]: r["touchpoint_date"] for r in read_csv(out / "touchpoints.csv")}
    assert got == {
        "T1": "2026-03-04T12:40:00Z",
        "T2": "2026-03-13T12:40:00Z",
        "T3": "2026-03-04T12:41:00Z",
        "T4": "2026-03-04T12:42:00Z",
    }
    said = " ".join(ran.stderr.split())
    assert (
        "a_us.csv: its dates show month first (e.g. '3/13/2026 12:40'), so they are read so, "
        "not as --date-order dmy says: that option orders only the dates a file does not tell"
    ) in said
    assert "b_gb.csv: its dates show" not in said and "c_de.csv: its dates show" not in said
    # dotted dates are day first, whatever --date-order says; the note names one
    ran = invoke("run", reports / "c_de.csv", sessions, "--out", out, "--date-order", "mdy")
    assert read_csv(out / "touchpoints.csv")[0]["touchpoint_date"] == "2026-03-04T12:42:00Z"
    assert "its dates show day first (e.g. '04.03.2026 12:42')" in " ".join(ran.stderr.split())


@pytest.mark.parametrize(
    "value",
    ["14.03.2026 10.22", "14.3.2026 klo 10.22", "2026. 03. 14. 10:22"],
)
def test_a_locale_calltouch_does_not_read_is_told_so(tmp_path, value):
    # Danish, Finnish, Hungarian reports: "is not a date-time (expected e.g. ...)" and a hint
    # to try --encoding, --map, --date-order, none of which helps
    tasks = tmp_path / "t.csv"
    tasks.write_text(f"Id,BizibleId,CreatedDate\nT1,{ABC},{value}\n", encoding="utf-8")
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    invoke("run", tasks, sessions, "--out", out, "--max-rejects", "100%", "-q")
    (reject,) = read_csv(out / "rejects.csv")
    assert reject["error"] == (
        f"{value!r} is a date-time in a form calltouch does not read: it reads ISO-8601 "
        "(2026-03-02T12:17:00Z) and locale forms such as 3/2/2026, 12:17 PM, 02/03/2026 12:17, "
        "02.03.2026 12:17 and 2026/03/02 12:17; export the times in one of them"
    )


def test_a_short_year_written_first_is_never_the_year_26(tmp_path):
    # the locale formats end with year-first ones (2026/03/04 10:22), whose %Y reads "26"
    tasks = tmp_path / "short.csv"
    tasks.write_text(
        f"Id,BizibleId,CreatedDate\nT1,{ABC},3/4/2026 10:22\nT2,{ABC},26/3/4 10:22\n",
        encoding="utf-8",
    )
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    options = ("--date-order", "mdy", "--max-rejects", "100%", "-q")
    assert invoke("run", tasks, sessions, "--out", out, *options).exit_code == 0
    got = {
        r["task_id"]: r["touchpoint_date"] for r in csv.DictReader((out / "touchpoints.csv").open())
    }
    assert got == {"T1": "2026-03-04T10:22:00Z"}
    rejected = next(csv.DictReader((out / "rejects.csv").open(encoding="utf-8")))
    assert rejected["line"] == "3"


def test_too_many_rejects_advises_a_limit_that_lets_them_through(tmp_path):
    # a row with an empty id is rejected (one of bare delimiters, what Excel leaves of
    # cleared rows, is a blank line)
    tasks = tmp_path / "cleared.csv"
    rows = "".join(f"T{i},{ABC},2026-03-02T12:40:00Z\n" for i in range(1, 9))
    tasks.write_text("Id,BizibleId,CreatedDate\n" + rows + ",x,\n", encoding="utf-8")
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out")
    assert result.exit_code == 3
    advice = " ".join(result.stderr.split())
    assert "--max-rejects 1 (or --max-rejects 11.2%)" in advice
    assert "Most rows" not in advice
    # 1 of 9 is 11.11%: told rounded up, as the advice is (never a share that looks allowed)
    assert "1 of 9 tasks rows were rejected (11.2%)" in advice
    for limit in ("1", "11.2%"):
        ok = invoke("run", tasks, sessions, "--out", tmp_path / limit, "--max-rejects", limit)
        assert ok.exit_code == 0, ok.stderr
    # most rows rejected: the reading options come first
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,x,2026-03-02T12:40:00Z\n,x,\n,x,\n", "utf-8")
    result = invoke("run", tasks, sessions, "--out", tmp_path / "most")
    advice = " ".join(result.stderr.split())
    assert result.exit_code == 3 and "Most rows were rejected" in advice
    assert "--max-rejects 2 (or --max-rejects 66.7%)" in advice
    ok = invoke("run", tasks, sessions, "--out", tmp_path / "m2", "--max-rejects", "66.7%")
    assert ok.exit_code == 0, ok.stderr


def test_a_share_just_above_the_limit_is_not_shown_as_the_limit(tmp_path):
    # 2 of 191 rows is 1.047%: '(1.0%), more than --max-rejects 1% allows' read as a contradiction
    rows = "".join(f"T{i},{ABC},2026-03-02T12:40:00Z\n" for i in range(1, 190))
    tasks = tmp_path / "t.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\n" + rows + ",x,\n,x,\n", encoding="utf-8")
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out")
    assert result.exit_code == 3
    message = " ".join(result.stderr.split())
    assert "2 of 191 tasks rows were rejected (1.1%), more than --max-rejects 1% allows" in message


def _unclosed_quote_tasks(path: Path, calls: int = 300, at_line: int = 6) -> Path:
    """A task export of ``calls`` calls whose Subject on line ``at_line`` opens a quote that
    is never closed: the reader takes every later line into that one value."""
    lines = ["Id,BizibleId,CreatedDate,Subject"]
    for i in range(1, calls + 1):
        subject = '"Inbound call (ext' if i + 1 == at_line else f"Call {i}"
        lines.append(f"T{i:04d},{ABC},2026-03-02T12:40:00Z,{subject}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_quote_never_closed_counts_every_line_it_takes_in(tmp_path: Path) -> None:
    """One rejected row holding lines 6-301 is 296 rejected lines of 300, not 1 of 5 rows:
    the run stops (exit 3) and names the row's lines; --max-rejects counted by lines lets it
    through, reconciled."""
    tasks = _unclosed_quote_tasks(tmp_path / "quoted.csv")
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == ExitCode.TOO_MANY_REJECTS, result.output
    message = " ".join(result.stderr.split())
    assert "1 of 5 tasks rows were rejected, spanning 296 of 300 lines (98.7%)" in message
    assert "quoted.csv:6-301 spans 296 lines (a quoted value is never closed)" in message
    assert "fix that quote in the export" in message
    assert "Most rows were rejected" not in message  # the cause is known: not the options
    assert "--max-rejects 296 (or --max-rejects 98.7%)" in message
    ok = invoke("run", tasks, sessions, "--out", tmp_path / "ok", "-q", "--max-rejects", "296")
    assert ok.exit_code == 0, ok.output
    summary = json.loads((tmp_path / "ok" / "summary.json").read_text(encoding="utf-8"))
    assert summary["tasks"]["read"] == 5 and summary["tasks"]["rejected"] == 1
    assert summary["reconciled"] is True
    # one row short of the lines: refused, though 1 of 5 rows is far below 295
    short = invoke("run", tasks, sessions, "--out", tmp_path / "no", "-q", "--max-rejects", "295")
    assert short.exit_code == ExitCode.TOO_MANY_REJECTS


def write_large_sessions(tmp_path: Path, n: int = 1_500_000) -> tuple[Path, Path]:
    """One call (T1) and a session CSV of ``n`` rows, rows 300000 and 1200000 with bad times:
    large enough that a one-shot load, whose cookie checks are joins, stores it out of order."""
    sessions = tmp_path / "sessions.csv"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT 'S' || i AS ID, 'c' || (i % 1000) AS COOKIE_ID,
                   CASE WHEN i IN (300000, 1200000) THEN 'garbage ' || i
                        ELSE '2026-03-02T12:17:00Z' END AS EVENT_DATE
            FROM range({n}) AS r(i) ORDER BY i) TO '{sessions}'"""
    )
    con.close()
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,c1,2026-03-02T12:40:00Z\n", encoding="utf-8")
    return tasks, sessions


def assert_rejects_on_their_lines(out: Path) -> None:
    rejected = read_csv(out / "rejects.csv")
    # row i is on line i + 2 (the header is line 1)
    assert [(r["line"], r["error"].split()[0]) for r in rejected] == [
        ("300002", "'garbage"),
        ("1200002", "'garbage"),
    ]
    assert rejected[0]["raw"].startswith("S300000,c0,garbage 300000")


def spy_templates(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the SQL templates run from now on, in order."""
    ran: list[str] = []
    real = queries.run

    def run(con: duckdb.DuckDBPyConnection, name: str, *args: object, **kwargs: object):
        ran.append(name)
        return real(con, name, *args, **kwargs)

    monkeypatch.setattr(queries, "run", run)
    return ran


@pytest.mark.slow
def test_session_rejects_keep_their_lines_in_a_large_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-shot run stores a large session CSV's rows out of file order (its cookie checks
    are joins): the rejected rows must still be reported on their own lines, found by a
    second read that keeps the order, not by loading the file again with its rows numbered
    (one thread)."""
    tasks, sessions = write_large_sessions(tmp_path)
    ran = spy_templates(monkeypatch)
    scans = spy_scans(monkeypatch)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output
    assert_rejects_on_their_lines(tmp_path / "out")
    assert ran.count("session_flags") == 1
    assert ran.count("load_sessions") == 1
    # the lines found by following quotes (csvscan.record_lines), not by the csv module
    assert sessions not in scans


def spy_scans(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files csvscan.scan (the csv module's full reading) reads from now on."""
    scanned: list[Path] = []
    real = csvscan.scan

    def scan(path: Path, *args: object, **kwargs: object) -> csvscan.CsvScan:
        scanned.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(csvscan, "scan", scan)
    return scanned


def test_session_rejects_keep_their_lines_beside_quotes_in_unquoted_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An inch mark (5"in) beside a multi-line quoted cell fools the quick reading that
    follows quotes while its count of records still agrees: the row found at the place it
    gives is not the rejected one, so the csv module places it."""
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,AD_NAME,CAMPAIGN_NAME\n"
        'S1,c1,2026-03-02 12:17:00,5"in,"multi\nline"\n'
        'S2,c1,BADTIME,7"in,"multi\nline2"\n'
        "S3,c1,2026-03-02 12:17:00,x,y\n",
        encoding="utf-8",
    )
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,c1,2026-03-02T12:40:00Z\n", encoding="utf-8")
    scans = spy_scans(monkeypatch)
    args = ("--out", tmp_path / "out", "-q", "--max-rejects", "100%")
    assert invoke("run", tasks, sessions, *args).exit_code == 0
    rejected = read_csv(tmp_path / "out" / "rejects.csv")
    assert [(r["line"], r["raw"]) for r in rejected] == [("4", 'S2,c1,BADTIME,7"in,"multi\nline2"')]
    assert sessions in scans


def test_a_session_header_cell_with_a_line_break_loses_no_row(tmp_path: Path) -> None:
    """Excel writes Alt+Enter in a header cell as a quoted LF; in a CRLF file DuckDB then reads
    no row and rejects none. The independent reader counts such a file and loads its rows."""
    sessions = tmp_path / "sessions.csv"
    sessions.write_bytes(
        b'ID,COOKIE_ID,EVENT_DATE,"CAMP\nAIGN"\r\nS1,c1,2026-03-02 12:17:00,a\r\nS2,c1,BAD,x\r\n'
    )
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,c1,2026-03-02T12:40:00Z\n", encoding="utf-8")
    args = ("--out", tmp_path / "out", "-q", "--max-rejects", "100%")
    assert invoke("run", tasks, sessions, *args).exit_code == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["sessions"]["read"], summary["sessions"]["rejected"]) == (2, 1)
    assert [r["line"] for r in read_csv(tmp_path / "out" / "rejects.csv")] == ["4"]
    assert read_csv(tmp_path / "out" / "touchpoints.csv")[0]["session_id"] == "S1"


def test_session_rejects_keep_their_lines_beside_a_row_holding_the_bad_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inch marks around a multi-line cell shift the quick reading by one record and back; the
    row it finds for the rejected one holds the bad value too ('2026-03-02' in '2026-03-02
    12:17:00', Excel's midnight): only the exact cell tells them apart."""
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,AD_NAME,CAMPAIGN_NAME,LANDING_PAGE\n"
        'S1,c1,2026-03-02 12:00:00,5"in,"multi\nline",8"in\n'
        "S2,c1,2026-03-02 12:17:00,x,y,z\n"
        "S3,c1,2026-03-02,x,y,z\n"
        'S4,c1,2026-03-02 12:30:00,9"in,a,b\n'
        'S5,c1,2026-03-02 12:40:00,9"in,a,b\n',
        encoding="utf-8",
    )
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,c1,2026-03-02T12:40:00Z\n", encoding="utf-8")
    args = ("--out", tmp_path / "out", "-q", "--max-rejects", "100%")
    assert invoke("run", tasks, sessions, *args).exit_code == 0
    rejected = read_csv(tmp_path / "out" / "rejects.csv")
    assert [(r["line"], r["raw"]) for r in rejected] == [("5", "S3,c1,2026-03-02,x,y,z")]


def test_session_rejects_keep_their_lines_where_quotes_cannot_place_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CR alone inside a quoted cell ends a line for the csv module, not for the quick
    reading that follows quotes: the csv module places the rejected row then."""
    sessions = tmp_path / "sessions.csv"
    sessions.write_bytes(
        b"ID,COOKIE_ID,EVENT_DATE,CAMPAIGN_NAME\n"
        b'S1,c1,2026-03-02T12:17:00Z,"Spring\rSale"\n'
        b"S2,c2,not a time,Brand\n"
    )
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,c1,2026-03-02T12:40:00Z\n", encoding="utf-8")
    scans = spy_scans(monkeypatch)
    args = ("--out", tmp_path / "out", "-q", "--max-rejects", "100%")
    result = invoke("run", tasks, sessions, *args)
    assert result.exit_code == 0, result.output
    assert [r["line"] for r in read_csv(tmp_path / "out" / "rejects.csv")] == ["4"]
    assert sessions in scans


@pytest.mark.slow
def test_session_rejects_keep_their_lines_when_the_reads_disagree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the ordered second read not find what the load found, the file is loaded again
    with its rows numbered: the lines are still right."""
    tasks, sessions = write_large_sessions(tmp_path)
    monkeypatch.setattr(load.CsvLoader, "flags_in_file_order", lambda *args: None)
    ran = spy_templates(monkeypatch)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output
    assert_rejects_on_their_lines(tmp_path / "out")
    assert ran.count("load_sessions") == 2


@pytest.mark.parametrize("end", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_a_quote_never_closed_counts_its_lines_whatever_ends_them(tmp_path: Path, end: str) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with a CR alone: the lines a quote never
    closed takes in are counted as with LF (they were counted as none, and the run went on)."""
    tasks = _unclosed_quote_tasks(tmp_path / "quoted.csv")
    tasks.write_bytes(tasks.read_bytes().replace(b"\n", end.encode()))
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == ExitCode.TOO_MANY_REJECTS, result.output
    message = " ".join(result.stderr.split())
    assert "1 of 5 tasks rows were rejected, spanning 296 of 300 lines (98.7%)" in message


def test_rows_the_two_readers_set_aside_differently_are_neither_lost_nor_doubled(
    tmp_path: Path,
) -> None:
    """DuckDB reads `, "Spring, Sale"` (a space before the quote) as one cell, the csv module
    as two (too many columns); `, "Ad" v2` the other way round. With one of each the two
    readers' counts agree: T2 was both a reject and a touchpoint, T4 a reject on T3's line,
    and T5 nowhere. The independent reader's reading holds, for tasks and sessions alike."""
    head = "Id,BizibleId,CreatedDate,Type,WhoId,Subject,LastModifiedDate\n"
    cells = ["ok", ' "Spring, Sale"', "ok", "ok", ' "Ad" v2', "ok"]
    times = {3: "not a time"}
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        head
        + "".join(
            f"T{i},b{i},{times.get(i, '2026-03-02T12:40:00Z')},Call,,{cell},2026-03-01T00:00:00Z\n"
            for i, cell in enumerate(cells, start=1)
        ),
        encoding="utf-8",
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,CHANNEL,CAMPAIGN_NAME,MODIFIED_DATE\n"
        + "".join(
            f"S{i},b{i},{times.get(i, '2026-03-02T12:20:00Z')},Paid Search.AdWords,{cell},"
            "2026-03-01T00:00:00Z\n"
            for i, cell in enumerate(cells, start=1)
        ),
        encoding="utf-8",
    )
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "--max-rejects", "100%")
    assert result.exit_code == 0, result.output
    outcome = read_outcome(tmp_path / "out")
    rejected = {(Path(r["file"]).name, r["line"], r["raw"].split(",")[0]) for r in outcome.rejects}
    assert rejected == {
        ("tasks.csv", "3", "T2"),
        ("tasks.csv", "4", "T3"),
        ("sessions.csv", "3", "S2"),
        ("sessions.csv", "4", "S3"),
    }
    assert set(outcome.touchpoints) == {"T1", "T4", "T5", "T6"}
    merged = {t for t, r in outcome.touchpoints.items() if r["match_status"] == "merged"}
    assert merged == {"T1", "T4", "T5", "T6"}
    assert outcome.touchpoints["T5"]["session_id"] == "S5"


def test_rows_both_readers_refuse_keep_duckdbs_reading(tmp_path: Path) -> None:
    """When DuckDB refused the very records the independent reader did (compared by their
    text), its reading stands: the file is not read a third time through a normalised copy
    (twice the time of a 1M-session run with one short row)."""
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate,Subject\n"
        'T1,b1,2026-03-02T12:40:00Z,"two\nlines"\n'
        "T2,b2,2026-03-02T12:40:00Z\n"
        "T3,b3,2026-03-02T12:40:00Z,ok\n",
        encoding="utf-8",
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,CAMPAIGN_NAME\n"
        "S1,b1,2026-03-02T12:20:00Z,a\nS2,b2\nS3,b3,2026-03-02T12:20:00Z,c,d\n",
        encoding="utf-8",
    )
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "--max-rejects", "100%")
    assert result.exit_code == 0, result.output
    outcome = read_outcome(tmp_path / "out")
    readers = [
        f["reader"] for role in ("tasks", "sessions") for f in outcome.summary[role]["files"]
    ]
    assert readers == ["duckdb", "duckdb"]
    assert sorted((Path(r["file"]).name, r["line"]) for r in outcome.rejects) == [
        ("sessions.csv", "3"),
        ("sessions.csv", "4"),
        ("tasks.csv", "4"),
    ]
    assert set(outcome.touchpoints) == {"T1", "T3"}
    assert outcome.touchpoints["T1"]["session_id"] == "S1"


@pytest.mark.parametrize("other", ["", "cut short"], ids=["alone", "beside_a_short_row"])
def test_empty_cells_past_the_header_are_read_as_the_row_without_them(
    tmp_path: Path, other: str
) -> None:
    """A row padded with empty cells (`...,,` or `...,,,`) is the row, whether or not the file
    has malformed rows: the session row was kept alone but rejected beside a short row (the
    independent reader allowed one empty cell only), and the task row always rejected."""
    pad = {2: ",,", 3: ",,,"}
    tasks = tmp_path / "tasks.csv"
    sessions = tmp_path / "sessions.csv"
    task_rows = [f"T{i},b{i},2026-03-02T12:40:00Z{pad.get(i, '')}" for i in range(1, 5)]
    session_rows = [f"S{i},b{i},2026-03-02T12:20:00Z{pad.get(i, '')}" for i in range(1, 5)]
    if other:
        task_rows.append("T9,b9")
        session_rows.append("S9,b9")
    tasks.write_text("Id,BizibleId,CreatedDate\n" + "\n".join(task_rows) + "\n", "utf-8")
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\n" + "\n".join(session_rows) + "\n", "utf-8")
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "--max-rejects", "100%")
    assert result.exit_code == 0, result.output
    outcome = read_outcome(tmp_path / "out")
    assert {t: r["session_id"] for t, r in outcome.touchpoints.items()} == {
        f"T{i}": f"S{i}" for i in range(1, 5)
    }
    assert [r["line"] for r in outcome.rejects] == (["6", "6"] if other else [])


def test_a_multi_line_row_within_the_limit_still_passes(tmp_path: Path) -> None:
    """A quoted Subject of three lines is one good row: nothing is counted by lines then."""
    tasks = tmp_path / "multi.csv"
    tasks.write_text(
        f'Id,BizibleId,CreatedDate,Subject\nT1,{ABC},2026-03-02T12:40:00Z,"three\nline\nnote"\n'
        f"T2,{ABC},2026-03-02T12:41:00Z,plain\n",
        encoding="utf-8",
    )
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q", "--max-rejects", "0")
    assert result.exit_code == 0, result.output
    # rejected for its time, a well-formed row of three lines is still one rejected row
    with tasks.open("a", encoding="utf-8") as handle:
        handle.write(f'T3,{ABC},not a time,"three\nline\nnote"\n')
    result = invoke("run", tasks, sessions, "--out", tmp_path / "one", "-q", "--max-rejects", "1")
    assert result.exit_code == 0, result.output


# ----------------------------------------------------------------------------- folders and globs


def write_two_task_exports(tmp_path: Path) -> tuple[Path, Path]:
    """exports/tasks_1.csv and exports/tasks_2.csv share task T2; sessions live elsewhere."""
    exports = tmp_path / "exports"
    exports.mkdir()
    write_rows(
        exports / "tasks_1.csv",
        [task("T1", ABC, "12:40"), task("T2", DEF, "12:30")],
        TASK_HEADER,
    )
    write_rows(
        exports / "tasks_2.csv",
        [task("T2", DEF, "12:30"), task("T3", "", "12:50")],
        TASK_HEADER,
    )
    sessions = write_rows(
        tmp_path / "sessions.csv",
        [session("S1", ABC, "12:17"), session("S2", DEF, "12:17")],
        SESSION_HEADER,
    )
    return exports, sessions


def check_two_exports(out: Path, exports: Path) -> None:
    summary = summary_of(out)
    assert [f["path"] for f in summary["tasks"]["files"]] == [
        str(exports / "tasks_1.csv"),
        str(exports / "tasks_2.csv"),
    ]
    assert summary["tasks"]["read"] == 4
    assert summary["tasks"]["duplicates"] == 1
    assert summary["tasks"]["touchpoints"] == 2
    assert summary["tasks"]["unmatched"] == 1
    assert summary["reconciled"] is True
    assert [r["task_id"] for r in read_csv(out / "touchpoints.csv")] == ["T2", "T1"]


def test_run_reads_every_file_of_a_tasks_folder(tmp_path):
    exports, sessions = write_two_task_exports(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", exports, sessions, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    check_two_exports(out, exports)


def test_run_reads_every_file_a_quoted_glob_matches(tmp_path):
    exports, sessions = write_two_task_exports(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", f"{exports}/tasks_*.csv", sessions, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    check_two_exports(out, exports)


def test_run_and_load_name_the_files_of_a_folder_they_do_not_read(tmp_path):
    exports, sessions = write_two_task_exports(tmp_path)
    (exports / "tasks_march.xlsx").write_bytes(b"PK\x03\x04")
    (exports / "tasks.csv.zip").write_bytes(b"PK\x03\x04")
    (exports / ".~lock.tasks_march.xlsx#").write_text("hidden", encoding="utf-8")
    note = (
        f"{exports} also holds 2 files that are not read, neither CSV nor Parquet by "
        "extension: tasks.csv.zip, tasks_march.xlsx"
    )
    out = tmp_path / "out"
    result = invoke("run", exports, sessions, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert f"Note: {note}" in result.stderr  # the folder's note, not its first file's
    assert f"{exports / 'tasks_1.csv'}: {note}" not in result.stderr
    assert ".~lock" not in result.stderr
    assert summary_of(out)["tasks"]["files"][0]["notes"] == [note]
    assert "notes" not in summary_of(out)["tasks"]["files"][1]
    check_two_exports(out, exports)
    loaded = invoke("load", "tasks", exports, "--db", tmp_path / "ws.duckdb", "-q")
    assert loaded.exit_code == 0, loaded.output
    assert f"Note: {note}" in loaded.stderr
    only_csv = invoke("run", f"{exports}/*.csv", sessions, "--out", out, "-q")
    assert "Note:" not in only_csv.stderr  # a glob that names only what is read


def test_run_and_load_name_the_files_a_folder_reads_from_its_subfolders(tmp_path):
    # an archive inside the export folder was read without a word, its copies winning R9
    exports, sessions = write_two_task_exports(tmp_path)
    (exports / "archive" / "2025").mkdir(parents=True)
    shutil.copy(exports / "tasks_1.csv", exports / "archive" / "2025" / "old.csv")
    note = (
        f"folder {exports} is read with its subfolders, which give 1 file: "
        f"{Path('archive', '2025', 'old.csv')} (for the folder's own files only, give a glob "
        f"such as '{exports / '*.csv'}')"
    )
    out = tmp_path / "out"
    result = invoke("run", exports, sessions, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert note in summary_of(out)["tasks"]["files"][0]["notes"]
    assert summary_of(out)["tasks"]["read"] == 4 + 2  # the archive's rows are read too
    assert f"Note: {note}" in " ".join(result.stderr.split())
    loaded = invoke("load", "tasks", exports, "--db", tmp_path / "ws.duckdb", "-q")
    assert f"Note: {note}" in " ".join(loaded.stderr.split())
    flat = invoke("run", f"{exports}/*.csv", sessions, "--out", out, "-q")
    assert "Note:" not in flat.stderr
    check_two_exports(out, exports)
    # a partitioned export (files in subfolders only) is read as it should be: no note
    parts = tmp_path / "parts"
    for day in ("date=2026-03-01", "date=2026-03-02"):
        (parts / day).mkdir(parents=True)
        shutil.copy(exports / "tasks_1.csv", parts / day / "part-0.csv")
    partitioned = invoke("run", parts, sessions, "--out", tmp_path / "o2", "-q")
    assert "subfolders" not in partitioned.stderr


# ----------------------------------------------------------------------------- Parquet inputs


def test_parquet_inputs_with_typed_timestamps_match_like_csv(tmp_path):
    csv_tasks = write_rows(
        tmp_path / "tasks.csv",
        [
            {"Id": "T1", "BizibleId": ABC, "CreatedDate": "2026-03-02T12:40:00Z", "Type": "Call",
             "Subject": "pricing"},
            {"Id": "T2", "BizibleId": DEF, "CreatedDate": "2026-03-02T13:05:00Z", "Type": "Call",
             "Subject": "late"},
        ],
        ("Id", "BizibleId", "CreatedDate", "Type", "Subject"),
    )  # fmt: skip
    csv_sessions = write_rows(
        tmp_path / "sessions.csv",
        [
            {"ID": "S1", "COOKIE_ID": ABC, "EVENT_DATE": "2026-03-02 12:17:00",
             "CHANNEL": "Paid Search.AdWords"},
            {"ID": "S2", "COOKIE_ID": DEF, "EVENT_DATE": "2026-03-02 12:17:00",
             "CHANNEL": "Email.Newsletter"},
        ],
        ("ID", "COOKIE_ID", "EVENT_DATE", "CHANNEL"),
    )  # fmt: skip
    pq_tasks, pq_sessions = tmp_path / "tasks.parquet", tmp_path / "sessions.parquet"
    con = duckdb.connect()
    try:
        con.execute(
            f"""COPY (SELECT * FROM (VALUES
                ('T1', '{ABC}', TIMESTAMPTZ '2026-03-02 07:40:00-05:00', 'Call', 'pricing'),
                ('T2', '{DEF}', TIMESTAMPTZ '2026-03-02 13:05:00+00:00', 'Call', 'late')
            ) AS v(Id, BizibleId, CreatedDate, Type, Subject))
            TO '{pq_tasks}' (FORMAT parquet)"""
        )
        con.execute(
            f"""COPY (SELECT * FROM (VALUES
                ('S1', '{ABC}', TIMESTAMP '2026-03-02 12:17:00', 'Paid Search.AdWords'),
                ('S2', '{DEF}', TIMESTAMP '2026-03-02 12:17:00', 'Email.Newsletter')
            ) AS v(ID, COOKIE_ID, EVENT_DATE, CHANNEL))
            TO '{pq_sessions}' (FORMAT parquet)"""
        )
        types = dict(
            con.execute(f"SELECT column_name, column_type FROM (DESCRIBE '{pq_tasks}')").fetchall()
        )
        types.update(
            con.execute(
                f"SELECT column_name, column_type FROM (DESCRIBE '{pq_sessions}')"
            ).fetchall()
        )
    finally:
        con.close()
    assert types["CreatedDate"] == "TIMESTAMP WITH TIME ZONE"
    assert types["EVENT_DATE"] == "TIMESTAMP"

    assert invoke("run", csv_tasks, csv_sessions, "-o", tmp_path / "from_csv", "-q").exit_code == 0
    result = invoke("run", pq_tasks, pq_sessions, "-o", tmp_path / "from_pq", "-q")
    assert result.exit_code == 0, result.output
    from_pq = read_csv(tmp_path / "from_pq" / "touchpoints.csv")
    got = [(r["task_id"], r["match_status"], r["minutes_after_session_start"]) for r in from_pq]
    assert got == [("T1", "merged", "23.0"), ("T2", "standalone", "")]
    assert from_pq[0]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert from_pq[0]["session_start"] == "2026-03-02T12:17:00Z"
    assert (tmp_path / "from_pq" / "touchpoints.csv").read_bytes() == (
        tmp_path / "from_csv" / "touchpoints.csv"
    ).read_bytes()
    summary = summary_of(tmp_path / "from_pq")
    assert summary["tasks"]["files"][0]["format"] == "parquet"
    assert summary["sessions"]["files"][0]["format"] == "parquet"


def test_parquet_naive_event_date_is_read_in_sessions_tz(tmp_path):
    pq_sessions = tmp_path / "sessions.parquet"
    con = duckdb.connect()
    try:
        con.execute(
            f"""COPY (SELECT 'S1' AS ID, '{ABC}' AS COOKIE_ID,
                       TIMESTAMP '2026-03-02 07:17:00' AS EVENT_DATE)
            TO '{pq_sessions}' (FORMAT parquet)"""
        )
    finally:
        con.close()
    tasks = write_rows(tmp_path / "tasks.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    out = tmp_path / "out"
    result = invoke("run", tasks, pq_sessions, "-o", out, "--sessions-tz", "America/New_York", "-q")
    assert result.exit_code == 0, result.output
    row = read_csv(out / "touchpoints.csv")[0]
    assert (row["match_status"], row["session_start"]) == ("merged", "2026-03-02T12:17:00Z")


def test_parquet_timestamptz_carried_into_unmatched_is_utc_iso(tmp_path):
    pq_tasks = tmp_path / "tasks.parquet"
    con = duckdb.connect()
    try:
        con.execute(
            f"""COPY (SELECT 'T1' AS Id, CAST(NULL AS VARCHAR) AS BizibleId,
                       TIMESTAMPTZ '2026-03-02 13:40:00+00:00' AS CreatedDate)
            TO '{pq_tasks}' (FORMAT parquet)"""
        )
    finally:
        con.close()
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", pq_tasks, sessions, "-o", out, "--tasks-tz", "America/New_York", "-q")
    assert result.exit_code == 0, result.output
    row = read_csv(out / "unmatched.csv")[0]
    assert (row["task_id"], row["reason"]) == ("T1", "no_bizible_id")
    assert row["CreatedDate"] == "2026-03-02T13:40:00Z"


# ----------------------------------------------------------------------------- demo, help, version


def test_demo_runs_the_shipped_sample_and_prints_the_report(tmp_path):
    out = tmp_path / "demo"
    result = invoke("demo", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Paid Search" in result.stdout
    assert "reconciled" in result.stdout
    assert f"Outputs written to {out}" in result.stdout
    for name in OUTPUT_FILES:
        assert (out / name).is_file(), name
    assert summary_of(out)["reconciled"] is True


COMMANDS = sorted(typer.main.get_command(app).commands)


def test_the_app_has_the_run_and_demo_commands():
    assert {"run", "demo"} <= set(COMMANDS)


def test_app_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Usage: calltouch" in result.stdout
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    command = typer.main.get_command(app).commands[name]
    assert command.help and command.help.strip()
    result = invoke(name, "--help")
    assert result.exit_code == 0
    assert f"Usage: calltouch {name}" in result.stdout
    assert "Example" in result.stdout
    assert f"calltouch {name}" in result.stdout.split("Example", 1)[1]


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_help_shows_no_value_beside_a_flag(name):
    # Typer 0.29 printed `--quiet  -q  <bool>`, as if the flag took true or false
    result = invoke(*([name] if name else []), "--help")
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout
    assert re.search(r"--help +-h +Show this message", result.stdout)
    assert "<list[str]>" not in result.stdout  # beside FILE..., which says it already


def test_version_prints_the_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"calltouch {__version__}\n"


# ----------------------------------------------------------------------------- inspect


def test_inspect_json_describes_what_run_will_do():
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    result = invoke("inspect", sample / "tasks.csv", sample / "sessions.csv", "--format", "json")
    assert result.exit_code == 0, result.stderr
    tasks, sessions = json.loads(result.stdout)
    assert (tasks["role"], tasks["profile"], tasks["format"]) == ("tasks", "salesforce", "csv")
    assert tasks["mapping"]["bizible_id"] == "BIZIBLE2__BIZIBLEID__C"
    assert tasks["mapping"]["touchpoint_date"] == "BIZIBLE2__BIZIBLE_TOUCHPOINT_DATE__C"
    assert tasks["rows"] == {"data": 765, "readable": 765, "unreadable": 0, "footer": 0}
    assert tasks["timestamps"]["call_time"] == "ISO-8601"
    assert tasks["time_zone_for_naive_values"] == "UTC"
    assert tasks["delimiter"] == "," and tasks["encoding"] == "utf-8"
    assert len(tasks["first_rows"]) == 5
    assert (sessions["role"], sessions["profile"]) == ("sessions", "warehouse")
    assert sessions["mapping"]["session_start"] == "EVENT_DATE"


def test_a_report_with_contact_and_lead_columns_takes_the_lead_when_no_contact(tmp_path):
    # the report's Lead ID was never read: a task on a lead had no person, so no journey
    report = tmp_path / "report.csv"
    report.write_text(
        "Task ID,Bizible Id,Created Date,Contact ID,Lead ID\n"
        f"00T5e000001abc1,{ABC},2026-03-02T12:40:00Z,,00Q5e000001lea1\n"
        f"00T5e000001abc2,{ABC},2026-03-02T12:41:00Z,0035e000001con1,00Q5e000001lea2\n",
        encoding="utf-8",
    )
    _, sessions = write_case(tmp_path)
    assert invoke("run", report, sessions, "--out", tmp_path / "out", "-q").exit_code == 0
    who = {
        r["task_id"][:15]: r["who_id"][:15] for r in read_csv(tmp_path / "out" / "touchpoints.csv")
    }
    assert who == {"00T5e000001abc1": "00Q5e000001lea1", "00T5e000001abc2": "0035e000001con1"}


def test_a_time_column_blank_in_the_sample_reads_as_the_files_other_times(tmp_path):
    # a report sorted by date whose Buyer Touchpoint Date the vendor began filling late: the
    # column, blank in the sample, was taken for ISO-8601 and its 50 later dates rejected
    lines = ["Task ID,Bizible Id,Created Date,Buyer Touchpoint Date"]
    for i in range(600):
        filled = '"3/2/2026, 12:40 PM"' if i >= 550 else ""
        lines.append(f'00T5e00000{i:05d},{ABC},"3/2/2026, 1:05 PM",{filled}')
    report = tmp_path / "report.csv"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", report, sessions, "--out", out, "-q", "--date-order", "mdy")
    assert result.exit_code == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (loaded,) = summary["tasks"]["files"]
    assert loaded["rejected"] == 0
    assert loaded["time_styles"]["touchpoint_date"] == "M/D/YYYY h:mm"
    times = {r["touchpoint_date"] for r in read_csv(out / "touchpoints.csv")}
    assert "2026-03-02T12:40:00Z" in times and "2026-03-02T13:05:00Z" in times


def test_inspect_exits_2_for_a_file_whose_malformed_rows_would_stop_a_run(tmp_path):
    # 2 malformed rows of 3: run stops with exit 3 (--max-rejects 1%), inspect said exit 0
    bad = tmp_path / "bad.csv"
    bad.write_text("Id,BizibleId,CreatedDate\nT1,ck1,2026-03-02T12:00:00Z\nT2,ck1\nT3,ck1,x,y\n")
    result = invoke("inspect", bad, "-f", "json")
    assert result.exit_code == 2
    (item,) = json.loads(result.stdout)
    assert item["problems"][0].startswith("run would reject 2 of 3 rows")
    _, sessions = write_case(tmp_path)
    assert invoke("run", bad, sessions, "--out", tmp_path / "out", "-q").exit_code == 3
    fine = tmp_path / "fine.csv"
    fine.write_text("Id,BizibleId,CreatedDate\n" + "T,ck1,2026-03-02T12:00:00Z\n" * 100 + "T9\n")
    assert invoke("inspect", fine).exit_code == 0  # 1 of 101 is within 1%


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_inspect_exits_2_for_a_file_whose_values_run_would_reject(tmp_path, fmt):
    # well-formed rows whose times run cannot read, and an empty id: inspect said the file
    # was fine (exit 0), run rejected every row and stopped (exit 3)
    rows = "Id,BizibleId,CreatedDate\nT1,c1,02-Mrz-2026 12:00\nT2,c1,yesterday\n,c1,x\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(rows, encoding="utf-8")
    if fmt == "parquet":
        bad = tmp_path / "bad.parquet"
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{tmp_path / 'bad.csv'}', all_varchar = true)) "
            f"TO '{bad}'"
        )
    result = invoke("inspect", bad, "-f", "json")
    assert result.exit_code == 2, result.output
    (item,) = json.loads(result.stdout)
    assert item["rejected_by_run"] == 3
    assert [r["line"] for r in item["first_rejected"]] == ([2, 3, 4] if fmt == "csv" else [1, 2, 3])
    assert "'yesterday' is not a date-time" in item["first_rejected"][1]["error"]
    assert item["problems"][0].startswith("run would reject 3 of 3 rows")
    text = " ".join(invoke("inspect", bad).stdout.split())
    where = "line 3" if fmt == "csv" else "row 2"
    assert f"3 rows would go to rejects {'line 2' if fmt == 'csv' else 'row 1'}:" in text
    assert f"{where}: 'yesterday' is not a date-time" in text
    _, sessions = write_case(tmp_path)
    assert invoke("run", bad, sessions, "--out", tmp_path / "out", "-q").exit_code == 3


def test_inspect_weighs_rejected_rows_against_the_whole_input_as_run_does(tmp_path):
    # --max-rejects is of an input's rows, and a folder's files are one input: inspect judged
    # each file alone and said 1 bad row of 50 would stop a run that reads 1,050 rows
    folder = tmp_path / "t"
    folder.mkdir()
    good = "".join(f"A{i},{ABC},2026-03-02T12:40:00Z\n" for i in range(49))
    (folder / "a.csv").write_text(f"Id,BizibleId,CreatedDate\n{good}Abad,{ABC},notatime\n")
    more = "".join(f"B{i},{ABC},2026-03-02T12:40:00Z\n" for i in range(1000))
    (folder / "b.csv").write_text(f"Id,BizibleId,CreatedDate\n{more}")
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-02T12:17:00Z\n")
    assert invoke("run", folder, sessions, "--out", tmp_path / "out", "-q").exit_code == 0
    whole = invoke("inspect", folder, "-f", "json")
    assert whole.exit_code == 0
    assert [item["rejected_by_run"] for item in json.loads(whole.stdout)] == [1, 0]
    alone = invoke("inspect", folder / "a.csv", "-f", "json")
    assert alone.exit_code == 2
    assert "run would reject 1 of 50 rows" in json.loads(alone.stdout)[0]["problems"][0]
    # past the limit over the whole input, the file with the bad rows says so
    (folder / "b.csv").write_text(f"Id,BizibleId,CreatedDate\n{more[:200]}")
    over = invoke("inspect", folder, "-f", "json")
    assert over.exit_code == 2
    (problem,) = json.loads(over.stdout)[0]["problems"]
    assert "with the other 1 file(s) of" in problem
    assert not any(key.startswith("_") for key in json.loads(over.stdout)[0])


@pytest.mark.parametrize(
    ("value", "style"),
    [
        (
            "2026-03-02 12:40:15 -0500",
            "date-time other than ISO-8601 (AM/PM, dotted, a month's name, an offset after a "
            "space) with zone",
        ),
        ("3/14/2026 12:40 PM -05:00", "M/D/YYYY h:mm with zone"),
        ("3/14/2026 12:40 PM", "M/D/YYYY h:mm"),
    ],
)
def test_inspect_says_a_locale_time_carries_its_zone(tmp_path, value, style):
    # a CallRail log's offsets were described as "locale date-time (AM/PM or dotted)" with no
    # zone, beside "values without a zone are read in UTC"; run honours them
    log = tmp_path / "callrail.csv"
    log.write_text(f'"Call ID","Start Time","bizible_uid"\n"CAL1","{value}","{ABC}"\n')
    (described,) = json.loads(
        invoke("inspect", log, "-m", "tasks.bizible_id=bizible_uid", "-f", "json").stdout
    )
    assert described["timestamps"]["call_time"] == style


def test_inspect_table_shows_profile_locale_times_and_footer(tmp_path):
    report = tmp_path / "report.csv"
    report.write_text(
        '"Task ID","Subject","Type","Created Date","BizibleId"\n'
        f'"00T5g00000AbCdE","Call","Call","3/14/2026, 10:22 AM","{ABC}"\n'
        "\n"
        '"Grand Totals (1 records)"\n',
        encoding="utf-8",
    )
    result = invoke("inspect", report, "--tz", "America/New_York")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "salesforce-report (detected)" in out
    assert "M/D/YYYY h:mm" in out
    assert "1 report-footer lines" in out
    assert "America/New_York" in out
    # the footer is counted, not shown among the first rows as data
    (described,) = json.loads(invoke("inspect", report, "-f", "json").stdout)
    assert described["first_rows"] == [
        ["00T5g00000AbCdE", "Call", "Call", "3/14/2026, 10:22 AM", ABC]
    ]


def test_inspect_unknown_file_names_both_roles(tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    result = invoke("inspect", odd)
    assert result.exit_code == 2
    assert f"{odd} is neither a task nor a session export" in result.stderr


def test_inspect_advises_the_mapping_of_both_roles(tmp_path):
    # a session export with other headers was advised "--map tasks.task_id=YOUR_COLUMN" only,
    # and still after the user's --map sessions.*: following it read the file as tasks. Both
    # roles are advised, each with its next missing field; a --map for another file (a --map
    # names a role for every file) changes nothing for this one
    odd = tmp_path / "sessions.csv"
    odd.write_text(
        "Session Id,Visitor Cookie,Session Start (UTC),Channel\n"
        "S1,cookieA,2026-03-02 10:00:00,Paid Search\n",
        encoding="utf-8",
    )
    said = " ".join(invoke("inspect", odd).stderr.split())
    assert "add --map tasks.task_id=YOUR_COLUMN" in said
    assert "add --map sessions.session_id=YOUR_COLUMN" in said
    assert "--role tasks or --role sessions" in said
    maps = ("--map", "sessions.session_id=Session Id", "--map", "sessions.cookie_id=Visitor Cookie")
    result = invoke("inspect", odd, *maps)
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "no column for the required field 'session_start'" in said
    assert "add --map sessions.session_start=YOUR_COLUMN" in said
    assert "add --map tasks.task_id=YOUR_COLUMN" in said
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(f"Id,BizibleId,CreatedDate,Subject\nT1,{ABC},2026-03-02T10:00:00Z,C\n")
    said = " ".join(invoke("inspect", tasks, odd, "--map", "tasks.subject=").output.split())
    assert "add --map sessions.session_id=YOUR_COLUMN" in said, said
    maps += ("--map", "sessions.session_start=Session Start (UTC)")
    (described,) = json.loads(invoke("inspect", odd, *maps, "-f", "json").stdout)
    assert described["role"] == "sessions"


def test_inspect_without_a_role_calls_a_missing_input_no_role(tmp_path):
    # "tasks input nope.csv does not exist": the file may have been meant as sessions
    missing = invoke("inspect", tmp_path / "nope.csv")
    assert missing.exit_code == 2
    text = " ".join(missing.stderr.split())
    assert f"Input error: input {tmp_path / 'nope.csv'} does not exist" in text
    assert "tasks" not in text
    (tmp_path / "empty").mkdir()
    empty = " ".join(invoke("inspect", tmp_path / "empty").stderr.split())
    assert f"Input error: folder {tmp_path / 'empty'} holds no CSV or Parquet files" in empty
    named = invoke("inspect", tmp_path / "nope.csv", "--role", "sessions")
    assert f"sessions input {tmp_path / 'nope.csv'} does not exist" in " ".join(
        named.stderr.split()
    )


def test_inspect_describes_every_file_and_tells_an_ambiguous_date_order(tmp_path: Path) -> None:
    """A task export with dates like 03/02/2026 is described (columns, counts, first rows)
    with the day/month problem shown, not refused as 'neither a task nor a session export';
    a file that cannot be described does not hide the others; exit 2 says a run would stop."""
    _, sessions = write_case(tmp_path)
    ambiguous = tmp_path / "excel.csv"
    ambiguous.write_text(
        "Id;bizible2__BizibleId__c;CreatedDate\r\nT1;abc;03/02/2026 12:40\r\n"
        "T2;def;03/04/2026 13:05\r\n",
        encoding="utf-8-sig",
    )
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    result = invoke("inspect", sessions, ambiguous, odd)
    assert result.exit_code == 2
    out = " ".join(result.stdout.split())
    assert "sessions (detected)" in out  # the good file is described
    assert "tasks (detected)" in out and "2 data rows" in out
    assert "cannot tell from column 'CreatedDate' whether dates are month/day" in out
    assert "--date-order mdy" in out
    errors = " ".join(result.stderr.split())
    assert f"{odd} is neither a task nor a session export" in errors
    assert "2 of 3 file(s) would stop a run" in errors
    described = json.loads(invoke("inspect", sessions, ambiguous, odd, "-f", "json").stdout)
    assert [("error" in d, bool(d.get("problems"))) for d in described] == [
        (False, False),
        (False, True),
        (True, False),
    ]
    assert invoke("inspect", ambiguous, "--date-order", "mdy").exit_code == 0


def test_carried_header_that_looks_like_a_formula_is_neutralised(tmp_path):
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate,=cmd\nT1,,2026-03-02T12:40:00Z,x\n")
    (tmp_path / "s").mkdir()
    _, sessions = write_case(tmp_path / "s")
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.stderr
    header = (tmp_path / "out" / "unmatched.csv").read_text().splitlines()[0]
    assert header.endswith(",'=cmd")


def test_a_neutralised_header_never_takes_another_columns_name(tmp_path):
    # '=x' neutralised is "'=x", the name of the file's next column: DuckDB renamed that one
    # "'=x_1", so the column named "'=x" held =x's values
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate,=x,'=x\nT1,,2026-03-02T12:40:00Z,a,b\n")
    (tmp_path / "s").mkdir()
    _, sessions = write_case(tmp_path / "s")
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.stderr
    (row,) = read_csv(tmp_path / "out" / "unmatched.csv")
    assert (row["'=x_"], row["'=x"]) == ("a", "b")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented_in_the_readme_with_an_example(name):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"`calltouch {name}" in readme, f"README has no section for calltouch {name}"
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    assert any(re.search(rf"^calltouch {name}\b", b, flags=re.M) for b in blocks), (
        f"README shows no example of calltouch {name}"
    )


def test_running_out_of_memory_is_a_clear_error_with_its_own_exit_code(tmp_path):
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    result = invoke(
        "run", sample / "tasks.csv", sample / "sessions.csv", "--out", tmp_path,
        "--memory-limit", "2MB",
    )  # fmt: skip
    assert result.exit_code == 6
    assert "Out of memory: DuckDB ran out of memory in step" in result.stderr
    assert "--memory-limit" in result.stderr and "--threads" in result.stderr


@pytest.mark.parametrize("command", ["run", "match", "attribute"])
def test_threads_beyond_any_machines_cores_are_refused(tmp_path, command):
    # --threads 100000 made a small match run for more than ten minutes
    tasks, sessions = write_case(tmp_path)
    args = {
        "run": ("run", tasks, sessions, "--out", tmp_path / "out"),
        "match": ("match", "--db", tmp_path / "w.duckdb"),
        "attribute": ("attribute", "--db", tmp_path / "w.duckdb", "--out", tmp_path / "rev"),
    }[command]
    result = invoke(*args, "--threads", "100000")
    assert result.exit_code == 2
    assert "less than or equal to 1024" in result.stderr
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("limit", ["4G", "2g", "1.5GiB", "900MB", "50%"])
def test_a_memory_limit_takes_the_sizes_duckdb_reads(tmp_path, limit):
    tasks, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", f"--memory-limit={limit}")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("limit", "said"),
    [
        *((v, "is not a positive size") for v in ("-5GB", "-1", "0", "0MB", "lots", "0%")),
        ("150%", "is not a positive size"),
        ("4Gi", "is not a positive size"),
        # a number without its unit was "not a positive size", though 1024 is positive
        *((v, "has no unit") for v in ("100", "1024", " 1.5 ")),
    ],
)
def test_a_memory_limit_that_is_no_positive_size_is_refused(tmp_path, limit, said):
    # DuckDB took -5GB and -1 as "no limit" (its default, most of the machine's memory)
    tasks, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", f"--memory-limit={limit}")
    assert result.exit_code == 2
    assert said in " ".join(result.stderr.split())
    assert not (tmp_path / "out").exists()


def test_a_run_without_calls_or_without_sessions_says_so(tmp_path):
    tasks, sessions = write_case(tmp_path)
    no_tasks = write_rows(tmp_path / "none.csv", [], TASK_HEADER)
    no_sessions = write_rows(tmp_path / "no_sessions.csv", [], SESSION_HEADER)
    text = invoke("run", no_tasks, sessions, "--out", tmp_path / "a").stdout
    assert "No calls: the task files hold no usable rows." in text
    assert "Every call merged" not in text
    text = " ".join(invoke("run", tasks, no_sessions, "--out", tmp_path / "b").stdout.split())
    assert "No web sessions were read, so no call could merge" in text


def test_status_of_an_empty_workspace_does_not_call_it_up_to_date(tmp_path):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    text = invoke("status", "--db", db).stdout
    assert "Nothing loaded yet" in text and "up to date" not in text


def test_r7_touchpoints_are_ordered_by_the_instant_not_its_text(tmp_path):
    # R7: by touchpoint_date, then task id. As ISO text '12:30:00.100Z' sorts before
    # '12:30:00Z'; as instants it is 100 ms later. Every format must give the instants' order.
    tasks = write_rows(
        tmp_path / "tasks.csv",
        [
            task("A1", ABC, "2026-03-02T12:30:00.500Z"),
            task("B1", DEF, "2026-03-02T12:30:00.100Z"),
            task("C1", ABC, "2026-03-02T12:30:00Z"),
            task("D1", DEF, "2026-03-02T12:30:02Z"),
            task("=E1", ABC, "2026-03-02T12:30:01Z", subject="formula-looking id"),
            task("0E1", ABC, "2026-03-02T12:30:01Z"),
        ],
        TASK_HEADER,
    )
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    # 0E1 and =E1 tie on time: by id '0E1' < '=E1', by the neutralised cell "'=E1" < '0E1'
    expected = ["C1", "B1", "A1", "0E1", "=E1", "D1"]
    invoke("run", tasks, sessions, "--out", tmp_path / "csv", "-q")
    got = [r["task_id"].removeprefix("'") for r in read_csv(tmp_path / "csv" / "touchpoints.csv")]
    assert got == expected
    invoke("run", tasks, sessions, "--out", tmp_path / "pq", "-q", "-f", "parquet")
    rows = duckdb.sql(f"SELECT task_id FROM '{tmp_path / 'pq' / 'touchpoints.parquet'}'").fetchall()
    assert [r[0] for r in rows] == expected


def test_a_run_whose_sessions_are_all_rejected_says_so(tmp_path):
    tasks, _ = write_case(tmp_path)
    sessions = write_rows(
        tmp_path / "bad_sessions.csv",
        [session("S1", ABC, "not a time"), session("S2", DEF, "never")],
        SESSION_HEADER,
    )
    text = " ".join(
        invoke(
            "run", tasks, sessions, "--out", tmp_path / "o", "--max-rejects", "100%"
        ).stdout.split()
    )
    assert "None of the 2 session rows read was usable (see the rejects)" in text
    assert "No web sessions were read" not in text


def test_date_order_can_differ_between_inputs(tmp_path):
    # a day-first report with ambiguous dates and a month-first sessions export: one global
    # --date-order dmy rejected the sessions' 3/13/2026 and read their 3/4/2026 as 3 April
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        f"Id,BizibleId,CreatedDate\nT1,{ABC},04/03/2026 10:40\nT2,{ABC},03/04/2026 09:00\n",
        encoding="utf-8",
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},3/4/2026 10:20\nS2,{ABC},3/13/2026 09:00\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ("run", tasks, sessions, "--out", out, "-q")
    both = invoke(*args, "--date-order", "tasks=dmy", "--date-order", "sessions=mdy")
    assert both.exit_code == 0, both.stderr
    rows = {r["task_id"]: r for r in read_csv(out / "touchpoints.csv")}
    assert (rows["T1"]["session_id"], rows["T1"]["minutes_after_session_start"]) == ("S1", "20.0")
    assert rows["T1"]["touchpoint_date"] == "2026-03-04T10:40:00Z"
    assert rows["T2"]["touchpoint_date"] == "2026-04-03T09:00:00Z"
    bad = invoke(*args, "--date-order", "calls=dmy")
    assert bad.exit_code == 2 and "'calls' is not an input calltouch reads" in bad.stderr
    assert invoke(*args, "--date-order", "ymd").exit_code == 2


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_dates_in_question_beside_dotted_ones_are_the_example(tmp_path, fmt):
    # the error gave the dotted 04.03.2026 as its example of a date whose order it cannot
    # tell, though dotted dates read day first (README), and counted it among them
    rows = [("T1", "04.03.2026 10:22"), ("T2", "3/4/26 10:22"), ("T3", "05.03.2026 09:00")]
    tasks = tmp_path / f"dotted.{fmt}"  # write_case writes tasks.csv
    csv_text = "Id,BizibleId,CreatedDate\n" + "".join(f"{i},{ABC},{t}\n" for i, t in rows)
    if fmt == "csv":
        tasks.write_text(csv_text, encoding="utf-8")
    else:
        source = tmp_path / "t.csv"
        source.write_text(csv_text, encoding="utf-8")
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{source}', all_varchar=true)) TO '{tasks}'")
    _, sessions = write_case(tmp_path)
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2, said
    assert (
        "1 of 3 values are written that way, e.g. '3/4/26 10:22', beside 2 dotted dates (day "
        "first wherever they are written)" in said
    ), said
    # --date-order reads the dotted dates too: mdy is no fix for month-first slashed ones
    assert "--date-order mdy would read the dotted dates month first too" in said, said
    assert "pass --date-order dmy" in said


def run_report(tmp_path: Path, text: str) -> tuple[dict, Path]:
    """Run a task report of ``text`` (any rejects allowed); its file's summary and outputs."""
    report = tmp_path / "report.csv"
    report.write_text(text, encoding="utf-8")
    _, sessions = write_case(tmp_path)
    out = tmp_path / "out"
    result = invoke("run", report, sessions, "--out", out, "-q", "--max-rejects", "100%")
    assert result.exit_code == 0, result.stderr
    (loaded,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["tasks"]["files"]
    return loaded, out


def test_a_footer_in_another_language_stays_a_footer(tmp_path):
    # a German report: its first footer lines match no English pattern, only the Copyright
    # line does; they are lines of words, not rows cut short
    loaded, _ = run_report(
        tmp_path,
        '"Task ID","Subject","Type","Created Date","BizibleId"\n'
        f'"00T5e000001abc1","Call","Call","3/14/2026, 10:22 AM","{ABC}"\n\n'
        '"Gesamtsummen (1 Datensätze)"\n"Vertrauliche Informationen - Nicht weitergeben"\n'
        '"Copyright (c) 2000-2026 salesforce.com, inc. Alle Rechte vorbehalten."\n',
    )
    assert (loaded["read"], loaded["rejected"], loaded["footer"]) == (1, 0, 3)


def test_a_row_of_words_cut_short_before_the_footers_blank_line_is_rejected(tmp_path):
    # a report with Subject first: "Call back John" before the blank line is a row cut short,
    # while one-word lines after it ("Vertraulich", "総計") are the footer's
    loaded, out = run_report(
        tmp_path,
        '"Subject","Task ID","Type","Created Date","BizibleId"\n'
        f'"Call","00T5e000001abc1","Call","3/14/2026, 10:22 AM","{ABC}"\n'
        '"Call back John"\n\n"Vertraulich",,,,\n"総計(1件)"\n'
        '"Copyright (c) 2000-2026 salesforce.com, inc."\n',
    )
    assert (loaded["read"], loaded["rejected"], loaded["footer"]) == (2, 1, 3)
    assert [r["line"] for r in read_csv(out / "rejects.csv")] == ["3"]


def test_rows_cut_short_before_a_report_footer_are_rejected_not_footer(tmp_path):
    # two one-cell rows just before "Grand Totals": they were counted as footer, lost
    loaded, out = run_report(
        tmp_path,
        '"Task ID","Subject","Type","Created Date","BizibleId"\n'
        f'"00T5e000001abc1","Call","Call","3/14/2026, 10:22 AM","{ABC}"\n'
        f'"00T5e000001abc2","Call","Call","3/14/2026, 10:40 AM","{ABC}"\n'
        '"00T5e000001abc3"\n"00T5e000001abc4"\n\n\n'
        '"Grand Totals (4 records)"\n"Confidential Information - Do Not Distribute"\n',
    )
    assert (loaded["read"], loaded["rejected"], loaded["footer"]) == (4, 2, 2)
    assert [r["line"] for r in read_csv(out / "rejects.csv")] == ["4", "5"]


def test_a_salesforce_reports_times_read_in_utc_are_noted(tmp_path: Path) -> None:
    # a report writes times in its user's zone; read in UTC (the default) they were hours off,
    # every call standalone, with no word, where a UTC warehouse read in a zone is noted
    report = tmp_path / "report.csv"
    report.write_text(
        '"Task ID","Subject","Type","Created Date","BizibleId"\n'
        f'"00T5e000001abc1","Call","Call","3/14/2026, 10:22 AM","{ABC}"\n'
    )
    _, sessions = write_case(tmp_path)
    note = "but a Salesforce report (salesforce-report) writes them in the time zone of the user"
    for args, option in [((), "--tasks-tz"), (("--tz", "UTC"), "--tasks-tz")]:
        ran = invoke("run", report, sessions, "-o", tmp_path / "o", *args)
        said = " ".join(ran.stderr.split())
        assert f"{note} who ran it: give {option} ZONE (e.g. America/New_York)" in said
    for zone in ("America/Chicago", "UTC"):  # given for the tasks: the user's own word
        ran = invoke("run", report, sessions, "-o", tmp_path / "o", "--tasks-tz", zone)
        assert note not in " ".join(ran.stderr.split()), zone
    db = tmp_path / "w.duckdb"
    loaded = invoke("load", "tasks", report, "--db", db)
    assert f"{note} who ran it: give --tz ZONE" in " ".join(loaded.stderr.split())
    # load's --tz is this file's zone: given as UTC, it is the user's word (it told a user who
    # gave --tz UTC to give --tz)
    given = invoke("load", "tasks", report, "--db", tmp_path / "g.duckdb", "--tz", "UTC")
    assert note not in " ".join(given.stderr.split())
    # inspect has --tz only: it advised --tasks-tz, which it refuses
    (inspected,) = json.loads(invoke("inspect", report, "-f", "json").stdout)
    assert any(f"{note} who ran it: give --tz ZONE" in n for n in inspected["notes"])
    for zone in ("America/Chicago", "UTC", "Etc/UTC"):
        (inspected,) = json.loads(invoke("inspect", report, "-f", "json", "--tz", zone).stdout)
        assert not any(note in n for n in inspected["notes"]), zone


def test_the_utc_note_names_the_zone_option_given(tmp_path: Path) -> None:
    # the note said "--tz covers every input of a command" to a user who gave --sessions-tz
    tasks = tmp_path / "t.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,ab,2026-03-02T12:40:00Z\n")
    sessions = tmp_path / "s.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\nS1,ab,2026-03-02 12:30:00\n")
    note = "profile's exports write them in UTC: check the zone given to this input"
    for option, told in [
        ("--sessions-tz", "(--sessions-tz)"),
        ("--tz", "(--tz covers every input of a command)"),
    ]:
        ran = invoke("run", tasks, sessions, "-o", tmp_path / option, option, "Europe/Paris")
        assert f"{note} {told}" in " ".join(ran.stderr.split()), option
    db = tmp_path / "w.duckdb"
    loaded = invoke("load", "sessions", sessions, "--db", db, "--tz", "Europe/Paris")
    assert f"{note} (--tz)" in " ".join(loaded.stderr.split())
    # the revenue inputs are read in the tasks' zone: no --opportunities-tz to name
    opportunities = tmp_path / "o.csv"
    opportunities.write_text(
        "Id,Amount,created_at_utc,CloseDate,IsWon,IsClosed\n"
        "0065e00000e9cs3AAA,100,2026-03-01 10:00:00,2026-03-20,true,true\n"
    )
    for option, told in [("--tasks-tz", "(--tasks-tz)"), ("--tz", "(--tz covers every input")]:
        attributed = invoke(
            "attribute", "--tasks", tasks, "--sessions", sessions,
            "--opportunities", opportunities, "-o", tmp_path / f"a{option}",
            "--as-of", "2026-03-31", option, "America/New_York", "-q",
            "--map", "opportunities.created_date=created_at_utc",
        )  # fmt: skip
        said = " ".join(attributed.stderr.split())
        assert f"'created_at_utc' says they are UTC: check the zone given to this input {told}" in (
            said
        ), option


def test_inspect_guesses_the_role_the_header_fits_best_and_labels_plain_names_generic(tmp_path):
    # a session export named as SPEC §3 allows was read as a CallRail call log (tasks are
    # tried first and CallRail's id and start_time fit); snake_case session names were
    # labelled warehouse, whose UTC times then drew a note under --tz
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        "ID,BizibleId,start_time,channel,subchannel\nS1,ab,2026-03-02 12:30:00,Paid Search,G\n"
    )
    (item,) = json.loads(invoke("inspect", sessions, "-f", "json").stdout)
    assert (item["role"], item["mapping"]["session_start"]) == ("sessions", "start_time")
    plain = tmp_path / "plain.csv"
    plain.write_text("session_id,bizible_id,session_start\nS1,ab,2026-03-02 12:30:00\n")
    (item,) = json.loads(invoke("inspect", plain, "-f", "json").stdout)
    assert (item["role"], item["profile"]) == ("sessions", "generic")
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,ab,2026-03-02T12:40:00Z\n")
    ran = invoke("run", tasks, plain, "--out", tmp_path / "out", "--tz", "America/New_York")
    assert "write them in UTC" not in " ".join(ran.stderr.split())
    # a channel column (the warehouse's CHANNEL in another case) does not make a snake_case
    # export the warehouse's: its required fields' names say which tool wrote it
    snake = tmp_path / "snake.csv"
    snake.write_text(
        "session_id,bizible_id,start_time,channel,subchannel\nS1,ab,2026-03-02 12:30:00,Paid,G\n"
    )
    (item,) = json.loads(invoke("inspect", snake, "--tz", "America/New_York", "-f", "json").stdout)
    assert (item["role"], item["profile"]) == ("sessions", "generic")
    assert not any("UTC" in note for note in item["notes"])
    warehouse = tmp_path / "warehouse.csv"
    warehouse.write_text("ID,COOKIE_ID,EVENT_DATE\nS1,ab,2026-03-02 12:30:00\n")
    (item,) = json.loads(invoke("inspect", warehouse, "-f", "json").stdout)
    assert (item["role"], item["profile"]) == ("sessions", "warehouse")
    # a CallRail log is still a task export, also with the marketing columns a session
    # export has too (source, medium, campaign, landing page: they tell neither)
    log = tmp_path / "calls.csv"
    log.write_text(
        "id,start_time,customer_phone_number,source,medium,campaign,landing_page_url,"
        "referring_url,keywords,BizibleId,duration\n"
        "123,2026-03-02 12:40:00,+15555550100,Google Ads,cpc,Spring,https://x,https://g,roof,"
        "ab,60\n"
    )
    (item,) = json.loads(invoke("inspect", log, "-f", "json").stdout)
    assert (item["role"], item["profile"]) == ("tasks", "callrail")


@pytest.mark.parametrize("extra", ["source", "Phone Number"])
def test_a_file_of_spec_names_is_no_call_log_for_a_column_a_vendor_also_names(tmp_path, extra):
    # Id, bizible_id, call_time are SPEC names; with a `source` (or `Phone Number`) column
    # beside them the file was read as a CallTrackingMetrics (CallRail) log: every call typed
    # 'Call', medium 'Call', where R4 and R5 give Web Visit and the session's medium
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(f"Id,bizible_id,call_time,{extra}\nT1,ab,2026-03-02T12:40:00Z,x\n")
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,CHANNEL,MEDIUM\nS1,ab,2026-03-02 12:17:00,Paid,cpc\n"
    )
    result = invoke("run", tasks, sessions, "-o", tmp_path / "o", "-q")
    assert result.exit_code == 0, result.output
    assert "profile's default" not in result.output
    with (tmp_path / "o" / "touchpoints.csv").open(newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["touchpoint_type"], row["medium"], row["who_id"]) == ("Web Visit", "cpc", "")


def test_plain_names_beside_one_a_tool_also_writes_draw_no_note_on_that_tools_zone(tmp_path):
    # `ID` is the warehouse's session id and `BizibleId` a Salesforce report's label: files
    # of SPEC names with them were labelled warehouse (UTC times) and salesforce-report
    # (times in its user's zone), and the notes told a user with the right zone to change it
    sessions = tmp_path / "sessions.csv"
    sessions.write_text("ID,BizibleId,start_time,channel\nS1,ab,2026-03-02 07:20:00,Paid\n")
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("task_id,BizibleId,call_time,Type\nT1,ab,2026-03-02 12:40:00,Call\n")
    for path, tz in ((sessions, "America/New_York"), (tasks, None)):
        (item,) = json.loads(
            invoke("inspect", path, "-f", "json", *(["--tz", tz] if tz else [])).stdout
        )
        assert item["profile"] == "generic", path.name
        assert not any("zone" in note or "UTC" in note for note in item["notes"]), item
    ran = invoke("run", tasks, sessions, "-o", tmp_path / "o", "--sessions-tz", "America/New_York")
    assert ran.exit_code == 0, ran.output
    said = " ".join(ran.stderr.split())
    assert "write them in UTC" not in said and "time zone of the user" not in said, said
    with (tmp_path / "o" / "touchpoints.csv").open(newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["match_status"], row["minutes_after_session_start"]) == ("merged", "20.0")
    # the tools' own time columns still tell them
    warehouse = tmp_path / "warehouse.csv"
    warehouse.write_text("ID,BizibleId,EVENT_DATE\nS1,ab,2026-03-02 12:20:00\n")
    report = tmp_path / "report.csv"
    report.write_text("task_id,BizibleId,Created Date\nT1,ab,3/2/2026 12:40 PM\n")
    for path, profile in ((warehouse, "warehouse"), (report, "salesforce-report")):
        (item,) = json.loads(invoke("inspect", path, "-f", "json").stdout)
        assert item["profile"] == profile, path.name
    # as does a report's own Task ID, whatever its time column's label: one named `Date` was
    # then read as a CallTrackingMetrics log (its ids kept as 15 characters, so a task in it
    # and in an API export counted twice, every call typed Call)
    dated = tmp_path / "dated.csv"
    dated.write_text("Task ID,BizibleId,Date\n00T5g00000AbCdE,ab,3/2/2026 12:40 PM\n")
    (item,) = json.loads(
        invoke("inspect", dated, "-m", "tasks.call_time=Date", "-f", "json").stdout
    )
    assert item["profile"] == "salesforce-report"
    assert any("time zone of the user who ran it" in note for note in item["notes"])


def test_a_call_logs_ids_and_phone_numbers_of_15_characters_are_kept_as_written(tmp_path):
    # a vendor's call id of 15 letters and digits, and a 15-digit phone number (E.164's
    # longest), were given a Salesforce id's checksum: A1B2C3D4E5F6G7HVKV, 491701234567890AAA
    tasks = tmp_path / "calls.csv"
    tasks.write_text(
        "Transaction ID,Start Time (UTC),Calling Phone Number,biz\n"
        "A1B2C3D4E5F6G7H,2026-03-02 12:40:00,491701234567890,ab\n"
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\nS1,ab,2026-03-02 12:20:00\n")
    out = tmp_path / "o"
    ran = invoke("run", tasks, sessions, "-o", out, "-m", "tasks.bizible_id=biz")
    assert ran.exit_code == 0, ran.output
    with (out / "touchpoints.csv").open(newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["task_id"], row["who_id"]) == ("A1B2C3D4E5F6G7H", "491701234567890")
    assert row["match_status"] == "merged"
    # a Salesforce export's 15-character id is still read in its 18-character form, and
    # explain finds either as it was stored
    report = tmp_path / "report.csv"
    report.write_text("Id,BizibleId,CreatedDate\n00T5g00000AbCdE,ab,2026-03-02T12:45:00Z\n")
    db = tmp_path / "w.duckdb"
    for args in (
        ("tasks", tasks, "-m", "tasks.bizible_id=biz"),
        ("tasks", report),
        ("sessions", sessions),
    ):
        loaded = invoke("load", *args, "--db", db, "-q")
        assert loaded.exit_code == 0, loaded.output
    assert invoke("match", "--db", db, "-q").exit_code == 0
    for asked, stored in (
        ("A1B2C3D4E5F6G7H", "A1B2C3D4E5F6G7H"),
        ("00T5g00000AbCdE", "00T5g00000AbCdEEAV"),
        ("00T5g00000AbCdEEAV", "00T5g00000AbCdEEAV"),
    ):
        told = invoke("explain", asked, "--db", db, "-f", "json")
        assert told.exit_code == 0, told.output
        assert json.loads(told.stdout)["task_id"] == stored


def test_an_invoca_report_read_in_utc_beside_its_utc_column_is_noted(tmp_path):
    # of `Call Start Time` (no zone) and `Start Time (UTC)`, the first was read, as UTC: a
    # call 20 minutes after its session in New York was 5 hours before it, without a word
    tasks = tmp_path / "invoca.csv"
    tasks.write_text(
        "Transaction ID,Call Start Time,Start Time (UTC),Calling Phone Number,Bizible Cookie\n"
        "INV-1,2026-03-02 12:40:00,2026-03-02 17:40:00,5551230001,ab\n"
    )
    mapped = ("-m", "tasks.bizible_id=Bizible Cookie")
    note = (
        "its times without a zone are read in UTC, from 'Call Start Time', but beside it "
        "'Start Time (UTC)' says it is UTC: 'Call Start Time' is likely in another zone; give "
        "--tasks-tz ZONE, or, if 'Start Time (UTC)' is the same time, read it with --map "
        "'tasks.call_time=Start Time (UTC)'"
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\nS1,ab,2026-03-02 17:20:00\n")
    for options, status in (
        ((), "standalone"),
        (("--tasks-tz", "America/New_York"), "merged"),
        (("-m", "tasks.call_time=Start Time (UTC)"), "merged"),
    ):
        out = tmp_path / f"o{len(options)}{status}"
        ran = invoke("run", tasks, sessions, "-o", out, *mapped, *options)
        assert ran.exit_code == 0, ran.output
        assert (note in " ".join(ran.stderr.split())) == (not options), options
        with (out / "touchpoints.csv").open(newline="") as handle:
            (row,) = csv.DictReader(handle)
        assert row["match_status"] == status, options
    (item,) = json.loads(invoke("inspect", tasks, *mapped, "-f", "json").stdout)
    assert item["mapping"]["call_time"] == "Call Start Time"
    assert note.replace("--tasks-tz", "--tz") in item["notes"]
    # not when --tasks-tz says the zone (UTC too), nor of a warehouse file (UTC by its
    # profile), nor beside a column whose name says UTC but no time (an offset, a flag)
    utc = invoke("run", tasks, sessions, "-o", tmp_path / "utc", *mapped, "--tasks-tz", "UTC")
    assert "beside it" not in " ".join(utc.stderr.split())
    # load's own --tz UTC says so too (the note told a user who gave it to give --tz)
    loaded = invoke("load", "tasks", tasks, "--db", tmp_path / "w.duckdb", *mapped)
    assert note.replace("--tasks-tz", "--tz") in " ".join(loaded.stderr.split())
    given = invoke("load", "tasks", tasks, "--db", tmp_path / "g.duckdb", *mapped, "--tz", "UTC")
    assert "beside it" not in " ".join(given.stderr.split())
    # nor beside a zone's or a modification's, nor of a modification time beside the call's
    for header, options in (
        ("ID,BIZIBLE_COOKIE_ID,CREATED_DATE,utc_offset", ()),
        ("Id,BizibleId,CreatedDate,Is UTC", ()),
        ("Id,BizibleId,CreatedDate,Timezone (UTC)", ()),
        ("Id,BizibleId,CreatedDate,Last Modified Date (UTC)", ()),
        ("Id,BizibleId,CreatedDate,Last Update (UTC)", ()),
        ("Id,BizibleId,CreatedDate,time_zone_utc", ()),
        ("Id,BizibleId,created_at_utc,LastModifiedDate", ("-m", "tasks.call_time=created_at_utc")),
    ):
        other = tmp_path / "other.csv"
        other.write_text(f"{header}\nT1,ab,2026-03-02 17:40:00,2026-03-02 17:45:00\n")
        ran = invoke("run", other, sessions, "-o", tmp_path / "other", *options)
        assert ran.exit_code == 0, ran.output
        assert "beside it" not in " ".join(ran.stderr.split()), header
    # nor when the call time has its zone, whatever other times lack one
    zoned = tmp_path / "zoned.csv"
    zoned.write_text(
        "Transaction ID,Call Start Time,Start Time (UTC),Bizible Cookie,LastModifiedDate\n"
        "INV-1,2026-03-02T12:40:00-05:00,2026-03-02 17:40:00,ab,2026-03-02 18:00:00\n"
    )
    ran = invoke("run", zoned, sessions, "-o", tmp_path / "zoned", *mapped)
    assert ran.exit_code == 0 and "beside it" not in " ".join(ran.stderr.split())
    # a session file's start beside its UTC twin
    visits = tmp_path / "visits.csv"
    visits.write_text(
        "session_id,cookie_id,session_start,Session Start (UTC)\n"
        "S1,ab,2026-03-02 12:20:00,2026-03-02 17:20:00\n"
    )
    ran = invoke("run", tasks, visits, "-o", tmp_path / "visits", *mapped)
    said = " ".join(ran.stderr.split())
    assert "from 'session_start', but beside it 'Session Start (UTC)' says it is UTC" in said


def test_lines_of_empty_cells_that_excel_leaves_are_blank_lines_with_a_note(tmp_path):
    # a log saved again by Excel ends with ',,,,' lines: each was rejected ("the task id is
    # empty"), and a small file's run stopped with too many rejects (exit 3), where truly
    # blank lines are skipped
    tasks = tmp_path / "calls.csv"
    tasks.write_bytes(
        b"\xef\xbb\xbfCall ID,Start Time,Customer Phone Number,Source,Bizible ID\r\n"
        b"1001,2026-03-02 12:40:00 -0500,+15555550100,Google,ab\r\n"
        b"1002,2026-03-02 12:45:00 -0500,+15555550101,Bing,cd\r\n,,,,\r\n, , ,,\r\n"
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE\nS1,ab,2026-03-02 17:20:00\n,,\nS2,cd,2026-03-02 17:20:00\n"
    )
    mapped = ("-m", "tasks.bizible_id=Bizible ID")
    out = tmp_path / "o"
    ran = invoke("run", tasks, sessions, "-o", out, *mapped)
    assert ran.exit_code == 0, ran.output
    summary = json.loads((out / "summary.json").read_text())
    for role, blank in (("tasks", 2), ("sessions", 1)):
        (loaded,) = summary[role]["files"]
        assert (loaded["read"], loaded["rejected"]) == (2, 0), role
        assert any(f"{blank} line" in note and "empty cells" in note for note in loaded["notes"])
    assert summary["tasks"]["merged"] == 2
    for path, args, blank in ((tasks, mapped, 2), (sessions, (), 1)):
        (item,) = json.loads(invoke("inspect", path, *args, "-f", "json").stdout)
        assert (item["rows"]["data"], item["rejected_by_run"]) == (2, 0), path.name
        # inspect says what run says of the file
        assert any(f"{blank} line" in note and "empty cells" in note for note in item["notes"])
    # in a report's footer, as Excel saves it again, they are footer lines, as they were
    report = tmp_path / "report.csv"
    report.write_text(
        "Task ID,BizibleId,Created Date,Subject\n00T5g00000AbCdE,ab,2026-03-02 12:40,x\n,,,\n"
        '"Grand Totals (1 records)",,,\n,,,\n"Confidential Information - Do Not Distribute",,,\n'
    )
    (item,) = json.loads(invoke("inspect", report, "-f", "json").stdout)
    assert (item["rows"]["readable"], item["rows"]["footer"]) == (1, 4)
    assert not any("empty cells" in note for note in item["notes"])
    # a line with one filled cell is still a row cut short
    tasks.write_text(tasks.read_text(encoding="utf-8-sig") + "1003,,,,\n", encoding="utf-8")
    kept = invoke("run", tasks, sessions, "-o", tmp_path / "o2", *mapped, "--max-rejects", "1")
    assert kept.exit_code == 0, kept.output
    assert json.loads((tmp_path / "o2" / "summary.json").read_text())["tasks"]["rejected"] == 1


def test_inspect_of_a_folder_notes_a_file_without_a_column_the_files_before_it_have(tmp_path):
    # run said it of b.csv (its rows read without Subject, R9 keeping one copy or the
    # other); inspect, describing each file alone, said nothing
    folder = tmp_path / "weeks"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "Id,BizibleId,CreatedDate,Subject\nT1,c0,2026-03-02T12:27:00Z,hi\n"
    )
    (folder / "b.csv").write_text("Id,BizibleId,CreatedDate\nT2,c0,2026-03-02T12:28:00Z\n")
    said = "no column for Subject (subject), which tasks files read before it have"
    first, second = json.loads(invoke("inspect", folder, "-f", "json").stdout)
    assert not any(said in note for note in first["notes"])
    assert any(said in note for note in second["notes"])
    sessions = tmp_path / "s.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\nS1,c0,2026-03-02 12:17:00\n")
    ran = invoke("run", folder, sessions, "-o", tmp_path / "o")
    assert said in " ".join(ran.stderr.split())
    # a file whose form flag stops load is counted again without it: that reading's notes
    # ("has_form ignored (--map)") and its missing column were told as the file's
    visits = tmp_path / "visits"
    visits.mkdir()
    # (a column it lacks, which the file before it has, is still told)
    for name, flag, medium in (("a", "true", ",MEDIUM"), ("b", "maybe", "")):
        (visits / f"{name}.csv").write_text(
            f"ID,COOKIE_ID,EVENT_DATE,HAS_FORM{medium}\n"
            f"S{name},c0,2026-03-02 12:17:00,{flag}{',cpc' if medium else ''}\n"
        )
    first, second = json.loads(invoke("inspect", visits, "--role", "sessions", "-f", "json").stdout)
    assert len(second["notes"]) == 2 and "holds 'maybe'" in second["notes"][0], second["notes"]
    assert second["notes"][1].startswith("no column for MEDIUM (medium), which sessions files")


def test_rows_may_leave_out_the_nameless_columns_a_header_ends_with(tmp_path):
    # 'Type,': a trailing delimiter on the header alone made every row one cell short, and
    # each was rejected (exit 3), though no row has a cell there
    tasks = tmp_path / "t.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate,Type,\n"
        "T1,c0,2026-03-02T12:27:00Z,Call\n"
        "T2,c1,2026-03-02T12:28:00Z,Call,\n"
        "T3,c0,2026-03-02T12:29:00Z\n"  # a named column left out: still a row cut short
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE,CHANNEL,,\nS1,c0,2026-03-02 12:17:00,X\n")
    out = tmp_path / "o"
    ran = invoke("run", tasks, sessions, "-o", out, "--max-rejects", "1")
    assert ran.exit_code == 0, ran.output
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["tasks"]["read"], summary["tasks"]["rejected"]) == (3, 1)
    assert (summary["sessions"]["read"], summary["sessions"]["rejected"]) == (1, 0)
    with (out / "rejects.csv").open(newline="") as handle:
        (reject,) = csv.DictReader(handle)
    assert (reject["line"], reject["raw"]) == ("4", "T3,c0,2026-03-02T12:29:00Z")
    with (out / "touchpoints.csv").open(newline="") as handle:
        merged = {r["task_id"]: r["match_status"] for r in csv.DictReader(handle)}
    assert merged == {"T1": "merged", "T2": "standalone"}
    (item,) = json.loads(invoke("inspect", tasks, "-f", "json").stdout)
    assert (item["rows"]["readable"], item["rejected_by_run"]) == (2, 1)


def test_inspect_describes_a_parquet_file_whose_call_time_is_a_date(tmp_path):
    # it said the file was neither a task nor a session export
    typed = tmp_path / "dates.parquet"
    duckdb.sql(
        f"COPY (SELECT 'T1' AS Id, '{ABC}' AS BizibleId, DATE '2026-03-02' AS CreatedDate) "
        f"TO '{typed}'"
    )
    result = invoke("inspect", typed, "-f", "json")
    assert result.exit_code == 2
    (item,) = json.loads(result.stdout)
    assert item["role"] == "tasks"
    assert (
        "column 'CreatedDate' (call_time) holds dates without a time of day"
        in (item["problems"][0])
    )


@pytest.mark.parametrize("typed", ["BIGINT", "DOUBLE"])
def test_a_parquet_time_typed_as_numbers_is_refused_by_run_and_inspect(tmp_path, typed):
    # an epoch count: inspect said 'ISO-8601' and exit 0, run rejected every row
    # ("'1772955000000' is not a date-time", exit 3)
    tasks = tmp_path / "t.parquet"
    duckdb.sql(
        f"COPY (SELECT 'T1' AS Id, '{ABC}' AS BizibleId, 1772955000000::{typed} AS CreatedDate) "
        f"TO '{tasks}'"
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-02T12:17:00Z\n")
    ran = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert ran.exit_code == 2
    said = f"column 'CreatedDate' (call_time) holds numbers ({typed}), not date-times"
    assert said in " ".join(ran.stderr.split())
    inspected = invoke("inspect", tasks, "-f", "json")
    assert inspected.exit_code == 2
    assert said in json.loads(inspected.stdout)[0]["problems"][0]
    # its style was "ISO-8601" beside that problem
    styles = json.loads(inspected.stdout)[0]["timestamps"]
    assert styles["call_time"] == "no date-times (no value reads as one)"
    # a column with no value is blank whatever its type: pandas writes a Buyer Touchpoint
    # Date never filled as DOUBLE, and the call time is the CreatedDate
    duckdb.sql(
        f"COPY (SELECT 'T1' AS Id, '{ABC}' AS BizibleId, '2026-03-02T12:40:00Z' AS CreatedDate,"
        f" NULL::{typed} AS bizible2__Bizible_Touchpoint_Date__c) TO '{tasks}'"
    )
    invoke("run", tasks, sessions, "--out", tmp_path / "out2", "-q")
    (row,) = read_csv(tmp_path / "out2" / "touchpoints.csv")
    assert (row["touchpoint_date"], row["match_status"]) == ("2026-03-02T12:40:00Z", "merged")


@pytest.mark.parametrize(
    ("field", "value"),
    [("CreatedDate", "TIME '12:10:00'"), ("LastModifiedDate", "TIMETZ '12:10:00+00'")],
)
def test_a_parquet_time_of_day_column_is_refused_by_run_and_inspect(tmp_path, field, value):
    # a TIME CreatedDate: every row was rejected ("'12:10:00' is not a date-time", exit 3,
    # with advice about --encoding and --date-order), inspect called it a locale date-time
    tasks = tmp_path / "t.parquet"
    created = value if field == "CreatedDate" else "'2026-03-02T12:40:00Z'"
    duckdb.sql(
        f"COPY (SELECT 'T1' AS Id, '{ABC}' AS BizibleId, {created} AS CreatedDate, "
        f"{value} AS LastModifiedDate) TO '{tasks}'"
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-02T12:17:00Z\n")
    ran = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert ran.exit_code == 2, ran.output
    said = f"column '{field}' ("
    assert said in ran.stderr and "holds times of day without their dates" in ran.stderr
    inspected = invoke("inspect", tasks, "-f", "json")
    assert inspected.exit_code == 2
    assert "holds times of day" in json.loads(inspected.stdout)[0]["problems"][0]


def test_a_parquet_close_date_typed_as_numbers_is_told_to_be_a_date(tmp_path):
    # 20260331 as INT64: the advice was a timestamp or ISO-8601 date-time text
    opportunities = tmp_path / "o.parquet"
    duckdb.sql(
        "COPY (SELECT '0065e00000HRwdjAAD' AS Id, 100 AS Amount, "
        "'2026-03-01T00:00:00Z' AS CreatedDate, 20260331::BIGINT AS CloseDate, "
        f"true AS IsWon, true AS IsClosed) TO '{opportunities}'"
    )
    result = invoke("load", "opportunities", opportunities, "--db", tmp_path / "w.duckdb")
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "column 'CloseDate' (close_date) holds numbers (BIGINT), not dates" in said
    assert "Export it as a DATE or as text (2026-03-31" in said and "ISO-8601" not in said


@pytest.mark.parametrize(
    ("role", "column", "value", "typed"),
    [
        ("tasks", "BizibleId", f"['{ABC}']", "VARCHAR[]"),
        ("tasks", "Id", "{'id': 'T1'}", "STRUCT(id VARCHAR)"),
        ("sessions", "COOKIE_ID", f"['{ABC}']", "VARCHAR[]"),
        ("sessions", "CHANNEL", "{'c': 'Paid Search.AdWords'}", "STRUCT(c VARCHAR)"),
        ("sessions", "EVENT_DATE", "[TIMESTAMP '2026-03-02 12:17:00']", "TIMESTAMP[]"),
    ],
)
def test_a_field_read_from_a_nested_parquet_column_is_refused(tmp_path, role, column, value, typed):
    # a list or struct was read as its printed text: BizibleId '[abc]' matched no session,
    # an empty list counted as a BizibleId, a struct channel split at its '.'
    plain = {
        "tasks": {"Id": "'T1'", "BizibleId": f"'{ABC}'", "CreatedDate": "'2026-03-02 12:40'"},
        "sessions": {
            "ID": "'S1'",
            "COOKIE_ID": f"'{ABC}'",
            "EVENT_DATE": "TIMESTAMP '2026-03-02 12:17:00'",
            "CHANNEL": "'Paid Search.AdWords'",
        },
    }
    files = {}
    for name, columns in plain.items():
        cells = {**columns, column: value} if name == role else columns
        files[name] = tmp_path / f"{name}.parquet"
        select = ", ".join(f"{cell} AS {col}" for col, cell in cells.items())
        duckdb.sql(f"COPY (SELECT {select}) TO '{files[name]}'")
    result = invoke("run", files["tasks"], files["sessions"], "--out", tmp_path / "out", "-q")
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert f"{role} file {files[role]}: column '{column}'" in message
    assert f"holds {typed} values, not one value per row" in message
    assert not (tmp_path / "out").exists()
    inspected = invoke("inspect", files[role], "-f", "json")
    assert inspected.exit_code == 2
    assert "not one value per row" in json.loads(inspected.stdout)[0]["problems"][0]


@pytest.mark.parametrize(
    ("role", "column"),
    [("tasks", "ct__id"), ("tasks", "CT__Call_Time"), ("sessions", "ct__t_session_id")],
)
def test_a_parquet_column_named_like_calltouchs_working_columns_is_refused(tmp_path, role, column):
    # the load templates' working columns are named ct__...: a file's own column of that
    # name was read in their place (every task id became the column's value, exit 0)
    files = {
        "tasks": "SELECT 'T1' AS Id, 'ck' AS BizibleId, TIMESTAMP '2026-03-02 12:40:00' AS "
        "CreatedDate",
        "sessions": "SELECT 'S1' AS ID, 'ck' AS COOKIE_ID, TIMESTAMP '2026-03-02 12:17:00' "
        "AS EVENT_DATE",
    }
    paths = {}
    for name, select in files.items():
        paths[name] = tmp_path / f"{name}.parquet"
        extra = f", 'junk' AS {column}" if name == role else ""
        duckdb.sql(f"COPY ({select}{extra}) TO '{paths[name]}'")
    result = invoke("run", paths["tasks"], paths["sessions"], "--out", tmp_path / "out", "-q")
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert f"{paths[role]}: column '{column}' starts with 'ct__'" in said
    assert "Rename that column" in said
    inspected = json.loads(invoke("inspect", paths[role], "-f", "json").stdout)
    assert "starts with 'ct__'" in inspected[0]["error"]


def test_a_session_parquet_column_named_file_row_number_is_refused_by_run(tmp_path):
    # run reads DuckDB's file_row_number: a file's own column of that name was a Binder
    # Error, exit 1 ('This is a bug'); a workspace load does not read the row numbers
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,ck,2026-03-02T12:40:00Z\n", "utf-8")
    sessions = tmp_path / "sessions.parquet"
    duckdb.sql(
        "COPY (SELECT 'S1' AS ID, 'ck' AS COOKIE_ID, TIMESTAMP '2026-03-02 12:17:00' AS "
        f"EVENT_DATE, 7 AS file_row_number) TO '{sessions}'"
    )
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 2, result.output
    assert "has the name DuckDB gives the row numbers" in " ".join(result.stderr.split())
    loaded = invoke("load", "sessions", sessions, "--db", tmp_path / "ws.duckdb", "-q")
    assert loaded.exit_code == 0, loaded.output
    # inspect, which says whether a file would stop a run, said nothing (exit 0)
    inspected = invoke("inspect", sessions, "-f", "json")
    assert inspected.exit_code == 2
    (item,) = json.loads(inspected.stdout)
    assert "has the name DuckDB gives the row numbers" in item["problems"][0]


def test_a_nested_parquet_column_the_tasks_carry_is_kept(tmp_path):
    tasks = tmp_path / "t.parquet"
    duckdb.sql(
        "COPY (SELECT 'T1' AS Id, NULL::VARCHAR AS BizibleId, TIMESTAMP '2026-03-02 12:40:00'"
        f" AS CreatedDate, [1, 2] AS Tags, {{'a': 'x'}} AS Extra) TO '{tasks}'"
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-02T12:17:00Z\n")
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output
    (row,) = read_csv(tmp_path / "out" / "unmatched.csv")
    assert (row["reason"], row["Tags"], row["Extra"]) == ("no_bizible_id", "[1, 2]", "{'a': x}")


def test_inspect_says_the_notes_run_would(tmp_path):
    # inspect left out the notes run prints: a UTF-8 file read with --encoding cp1252, ids
    # typed DOUBLE, a DATE modification time
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text(f"Id,BizibleId,CreatedDate,Subject\nT1,{ABC},2026-03-02T12:00:00Z,Müller\n")
    typed = tmp_path / "typed.parquet"
    duckdb.sql(
        f"COPY (SELECT 5.0::DOUBLE AS Id, '{ABC}' AS BizibleId, TIMESTAMP '2026-03-02 12:00:00'"
        f" AS CreatedDate, DATE '2026-03-02' AS LastModifiedDate) TO '{typed}'"
    )
    result = invoke("inspect", utf8, typed, "--encoding", "windows-1252", "-f", "json")
    assert result.exit_code == 0, result.stderr
    csv_item, parquet_item = json.loads(result.stdout)
    assert csv_item["notes"][0].startswith("read as cp1252 (--encoding), though the whole file")
    assert [n.split(" ")[0] for n in parquet_item["notes"]] == ["LastModifiedDate", "Id"]


def test_a_column_a_map_makes_feed_two_fields_is_noted(tmp_path):
    # --map tasks.task_id=biz with biz the BizibleId made every call of a cookie but one a
    # duplicate, without a word; a call time read as the modification time too is fine
    tasks = tmp_path / "calls.csv"
    tasks.write_text(
        "Call ID,Called At,biz\n"
        "1001,2026-03-04 14:05:00 +00:00,c1\n"
        "1002,2026-03-04 14:20:00 +00:00,c1\n"
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\nS1,c1,2026-03-04 14:00:00\n")
    out = tmp_path / "out"
    ran = invoke(
        "run", tasks, sessions, "-o", out,
        "--map", "tasks.bizible_id=biz", "--map", "tasks.task_id=biz",
    )  # fmt: skip
    note = (
        "column 'biz' is read as task_id and as bizible_id (--map tasks.task_id=biz): check "
        "that each --map names the column meant"
    )
    assert note in " ".join(ran.stderr.split())
    (loaded,) = json.loads((out / "summary.json").read_text())["tasks"]["files"]
    assert note in loaded["notes"]
    fine = invoke(
        "run", tasks, sessions, "-o", tmp_path / "fine",
        "--map", "tasks.bizible_id=biz", "--map", "tasks.modstamp=Called At",
    )  # fmt: skip
    assert "is read as" not in fine.stderr


def test_encodings_that_cannot_read_the_file_are_told_not_crashed(tmp_path):
    # --encoding utf-16 on a file without a BOM, and byte codecs such as base64, ended in
    # "Internal error ... This is a bug" (exit 1)
    tasks, sessions = write_case(tmp_path)
    wide = tmp_path / "t16.csv"
    wide.write_bytes(tasks.read_text().replace(",", "\t").encode("utf-16-le"))
    ran = invoke("run", wide, sessions, "-o", tmp_path / "o1", "--encoding", "tasks=utf-16")
    assert ran.exit_code == 0, ran.output  # Latin text without a BOM: its byte order is seen
    for encoding, told in [
        ("utf-16", "has no byte-order mark, so --encoding utf-16 cannot tell its byte order"),
        ("utf-32", "has no byte-order mark, so --encoding utf-32 cannot tell its byte order"),
        ("base64", "--encoding 'base64' is not the encoding of a text file"),
        ("rot13", "--encoding 'rot13' is not the encoding of a text file"),
        ("idna", "--encoding 'idna' is not the encoding of a text file"),
    ]:
        result = invoke("run", tasks, sessions, "-o", tmp_path / "o2", "--encoding", encoding)
        assert result.exit_code == 2, (encoding, result.output)
        assert told in " ".join(result.stderr.split()), encoding


@pytest.mark.parametrize(
    ("zone", "meant"),
    [("BST", "Europe/London"), ("pst", "America/Los_Angeles"), ("EDT", "America/New_York")],
)
def test_a_zone_abbreviation_as_an_option_is_refused_with_advice(
    tmp_path: Path, zone: str, meant: str
) -> None:
    # DuckDB knows BST as Dhaka and PST as Los Angeles: a UK analyst's --tz BST moved every
    # call five hours and lost its merges, silently
    tasks = tmp_path / "t.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,ab,2026-06-15 13:20:00\n")
    sessions = tmp_path / "s.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\nS1,ab,2026-06-15T12:00:00Z\n")
    for option in ("--tz", "--tasks-tz"):
        ran = invoke("run", tasks, sessions, "-o", tmp_path / "out", option, zone)
        said = " ".join(ran.stderr.split())
        assert ran.exit_code == ExitCode.INPUT, said
        assert f"{option} '{zone}' is a zone abbreviation" in said
        assert f"e.g. {option} {meant}" in said
        assert not (tmp_path / "out").exists()
    loaded = invoke("load", "tasks", tasks, "--db", tmp_path / "w.duckdb", "--tz", zone)
    assert loaded.exit_code == ExitCode.INPUT
    assert f"--tz '{zone}' is a zone abbreviation" in " ".join(loaded.stderr.split())
    # zones whose own names are short stay readable
    for name in ("UTC", "GB", "Iran", "EST5EDT", "Zulu"):
        assert (
            invoke("run", tasks, sessions, "-o", tmp_path / name, "--tz", name, "-q").exit_code == 0
        )


def test_the_run_report_groups_a_blank_channel_with_one_named_none(tmp_path):
    # `report` groups a blank channel as (none), with any channel literally named so; the
    # run's report showed two rows, both '(none)', that did not match it
    tasks = tmp_path / "t.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate,Type\nT1,A,2026-03-02T10:05:00Z,Call\n"
        "T2,B,2026-03-02T10:05:00Z,Call\n"
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,CHANNEL\nS1,A,2026-03-02T10:00:00Z,\n"
        "S2,B,2026-03-02T10:00:00Z,(none)\n"
    )
    result = invoke("run", tasks, sessions, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if "(none)" in line]
    assert [row[:4] for row in rows] == [["(none)", "2", "2", "0"]]


def test_an_empty_text_writes_the_same_csv_bytes_from_parquet_and_csv(tmp_path):
    # DuckDB writes '' as "" and NULL as nothing: a Parquet file's empty Subject came out
    # as "" where the same CSV cell came out empty
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES ('a1', 'c1', '2026-03-02T12:40:00Z', '', '', ''), "
        "('a3', '', '2026-03-02T12:40:00Z', 'x', '', '')) "
        f"AS v(Id, BizibleId, CreatedDate, Subject, WhoId, Type)) TO '{tmp_path / 't.parquet'}'"
    )
    (tmp_path / "t.csv").write_text(
        "Id,BizibleId,CreatedDate,Subject,WhoId,Type\n"
        'a1,c1,2026-03-02T12:40:00Z,"","",""\na3,,2026-03-02T12:40:00Z,x,"",""\n'
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\ns1,c1,2026-03-02T12:17:00Z\n")
    for fmt in ("parquet", "csv"):
        result = invoke("run", tmp_path / f"t.{fmt}", sessions, "-o", tmp_path / fmt, "-q")
        assert result.exit_code == 0, result.stderr
    for name in ("touchpoints.csv", "unmatched.csv"):
        parquet, csv_ = ((tmp_path / f / name).read_bytes() for f in ("parquet", "csv"))
        assert parquet == csv_, name
        assert b'""' not in parquet


def test_a_gzip_compressed_parquet_file_is_told_to_be_unpacked_under_any_name(tmp_path):
    # gz.parquet was told "name it .csv.gz", and gz.csv.gz "name it .parquet": a loop
    _, sessions = write_case(tmp_path)
    parquet = tmp_path / "t.parquet"
    duckdb.sql(f"COPY (SELECT 'T1' AS Id, 'x' AS BizibleId) TO '{parquet}'")
    packed = gzip.compress(parquet.read_bytes())
    for name in ("gz.parquet", "gz.csv.gz", "t.parquet.gz"):
        (tmp_path / name).write_bytes(packed)
        result = invoke("run", tmp_path / name, sessions, "-o", tmp_path / "o")
        message = " ".join(result.stderr.split())
        assert result.exit_code == 2, name
        assert "a gzip-compressed Parquet file" in message, name
        assert "Unpack it (gunzip) and give calltouch the .parquet file" in message, name
        assert "Name it" not in message, name


def test_inspect_tells_what_run_would_of_zones_encodings_folders_and_session_rows(tmp_path):
    # a zone run refuses was an internal error (exit 1)
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    zone = invoke("inspect", sample / "tasks.csv", "--tz", "Mars/Base")
    assert zone.exit_code == 2, zone.stderr
    assert "--tz 'Mars/Base' is not a time zone DuckDB knows" in zone.stderr
    # undecodable bytes were printed raw: the JSON was not UTF-8
    w1252 = tmp_path / "w1252.csv"
    w1252.write_bytes(
        b"Id,bizible2__BizibleId__c,CreatedDate,Type,Subject\n"
        b"t1,c1,2026-03-02T12:40:00Z,Call,Caf\xe9 \x93quoted\x94\n"
    )
    described = subprocess.run(
        [sys.executable, "-m", "calltouch", "inspect", str(w1252), "-f", "json"],
        capture_output=True,
        check=False,
    )
    (item,) = json.loads(described.stdout.decode("utf-8"))  # strict: fails on a raw byte
    assert item["first_rows"][0][4] == "Caf\ufffd \ufffdquoted\ufffd"
    # a folder's files run leaves out are told, as run tells them
    folder = tmp_path / "tasks"
    folder.mkdir()
    shutil.copy(sample / "tasks.csv", folder / "a.csv")
    (folder / "data.xlsx").write_bytes(b"x")
    listed = invoke("inspect", folder, "-f", "json")
    (first,) = json.loads(listed.stdout)
    assert any("data.xlsx" in note for note in first["notes"])
    # a session CSV is read by DuckDB alone: a row the csv module splits otherwise is no
    # malformed row (run loads it)
    sessions = tmp_path / "s.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,CHANNEL,CAMPAIGN_NAME\n"
        's1,c1,2026-03-02 12:17:00,Paid Search.AdWords, "Spring, Sale"\n'
        "s2,c2,2026-03-02 12:18:00,Direct,x\n"
    )
    (session_item,) = json.loads(invoke("inspect", sessions, "-f", "json").stdout)
    assert session_item["rows"] == {"data": 2}
    assert session_item["rejected_by_run"] == 0 and "first_unreadable" not in session_item


def test_command_line_slips_get_usage_errors_not_bugs_or_stray_files(tmp_path, monkeypatch):
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    files = (sample / "tasks.csv", sample / "sessions.csv")
    monkeypatch.chdir(tmp_path)
    # a name longer than the file system allows was an internal error (exit 1, 'a bug')
    long = "x" * 300
    for args in (("run", *files, "-q", "-o", long), ("inspect", f"{long}.csv")):
        result = invoke(*args)
        assert result.exit_code == 2, result.stderr
        assert "a name is too long for the file system" in result.stderr
    # -o - wrote a file (or a folder) named '-'
    dashed = invoke("run", *files, "-q", "-o", "-")
    assert dashed.exit_code == 2 and "-o - would write a file named '-'" in dashed.stderr
    assert not (tmp_path / "-").exists()
    # CALLTOUCH_DB set but empty was ignored: calltouch.duckdb of the current folder used
    monkeypatch.setenv("CALLTOUCH_DB", "")
    empty = invoke("load", "tasks", files[0], "-q")
    assert empty.exit_code == 2 and "CALLTOUCH_DB is set but empty" in empty.output
    assert not (tmp_path / "calltouch.duckdb").exists()
    # ... and blank (a quoting slip), or a blank --db: a workspace file named " " was made
    monkeypatch.setenv("CALLTOUCH_DB", " ")
    blank = invoke("load", "tasks", files[0], "-q")
    assert blank.exit_code == 2 and "CALLTOUCH_DB is set but blank" in blank.output
    monkeypatch.delenv("CALLTOUCH_DB")
    blank = invoke("load", "tasks", files[0], "-q", "--db", " ")
    assert blank.exit_code == 2 and "--db is given a blank name" in blank.output
    assert not (tmp_path / " ").exists()
    # demo wrote its outputs into the sample folder it reads
    copy = tmp_path / "sample"
    shutil.copytree(sample, copy)
    monkeypatch.setattr("calltouch.cli.sample_dir", lambda: copy)
    demo = invoke("demo", "-o", copy)
    assert demo.exit_code == 2 and "is the sample folder" in " ".join(demo.stderr.split())
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in sample.iterdir())


def test_an_unquoted_glob_the_shell_expanded_is_named_as_the_likely_cause(tmp_path):
    # Click said only "Got unexpected extra argument(s) (sessions.csv)", blaming the file
    # that was right
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    expanded = [sample / "tasks.csv", sample / "tasks.csv"]  # what tasks_*.csv became
    result = invoke("run", *expanded, sample / "sessions.csv", "-o", tmp_path / "o", "-q")
    said = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "Got unexpected extra argument" in said and "A glob left unquoted" in said
    assert "quote it ('exports/tasks_*.csv'), or give the folder" in said


def test_a_choice_error_reads_without_the_validators_prefix(tmp_path):
    # Typer 0.29 checks choices with pydantic: "Invalid value for '--by': Value error, 'foo'
    # is not one of ..."
    result = invoke("report", "--by", "foo", "--db", tmp_path / "w.duckdb")
    said = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "Invalid value for '--by': 'foo' is not one of 'channel'," in said
    assert "Value error" not in said


def test_load_given_a_file_first_says_what_comes_first(tmp_path):
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    result = invoke("load", sample / "tasks.csv", "--db", tmp_path / "w.duckdb")
    said = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "load takes what the files are first, then the files" in said
    assert "calltouch load tasks exports/tasks.csv" in said
    assert not (tmp_path / "w.duckdb").exists()


def test_run_shows_a_channels_control_characters_as_signs(tmp_path):
    # run's channel rows printed the cell raw: an escape sequence in the data cleared the
    # terminal, a line break drew a row of its own (report and dashboard showed ␛ and ␊)
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,c1,2026-03-02T12:40:00Z\n")
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        'ID,COOKIE_ID,EVENT_DATE,CHANNEL\ns1,c1,2026-03-02T12:17:00Z,"\x1b[2JPaid\nFake.G"\n'
    )
    result = invoke("run", tasks, sessions, "-o", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "␛[2JPaid␊Fake" in result.stdout


def test_a_quoted_tilde_in_an_output_or_temp_folder_is_the_home_folder(tmp_path, monkeypatch):
    # inputs read '~/...' from $HOME, but -o '~/out' (quoted, as in a crontab) wrote a folder
    # named '~' in the current one, and --temp-dir '~/spill' was "the folder ~ does not exist"
    home = tmp_path / "home"
    (home / "spill").mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    files = (sample / "tasks.csv", sample / "sessions.csv")
    result = invoke("run", *files, "-o", "~/out", "--temp-dir", "~/spill", "-q")
    assert result.exit_code == 0, result.output
    assert (home / "out" / "touchpoints.csv").is_file()
    exported = invoke("run", *files, "--out=~/again", "-q")
    assert exported.exit_code == 0, exported.output
    assert (home / "again" / "touchpoints.csv").is_file()
    attached = invoke("run", *files, "-o~/third", "-q")  # the value written on to -o
    assert attached.exit_code == 0, attached.output
    assert (home / "third" / "touchpoints.csv").is_file()
    monkeypatch.setenv("CALLTOUCH_DB", "~/ws.duckdb")  # as a config file writes it
    assert invoke("load", "tasks", files[0], "-q").exit_code == 0
    assert (home / "ws.duckdb").is_file()
    assert list(work.iterdir()) == []


def test_inspect_tells_a_map_that_names_no_column(tmp_path):
    # it said the file was "neither a task nor a session export calltouch recognises", the
    # wrong --map hidden among both roles' failures, where run says it plainly
    tasks = tmp_path / "t.csv"
    tasks.write_text("Id,bizible2__BizibleId__c,CreatedDate\nT1,aa,2026-03-02T12:40:00Z\n")
    result = invoke("inspect", tasks, "-m", "tasks.call_time=My_Call_Date__c")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert "--map tasks.call_time=My_Call_Date__c names no column" in said
    assert "neither a task nor a session" not in said


def test_a_header_not_in_utf8_is_advised_after_the_headers_found(tmp_path):
    # "Headers found: ..., 'Fecha de creaci�n' The header holds bytes": a sentence run on
    tasks = tmp_path / "t.csv"
    tasks.write_bytes(b"Id,BizibleId,Fecha de creaci\xf3n\nT1,aa,2026-03-02T12:40:00Z\n")
    _, sessions = write_case(tmp_path)
    for extra in ((), ("-m", "tasks.call_time=Nope")):
        result = invoke("run", tasks, sessions, "-o", tmp_path / "o", *extra)
        said = " ".join(result.stderr.split())
        assert result.exit_code == 2
        assert ". The header holds bytes that are not UTF-8" in said
        assert "' The header" not in said


def test_a_newer_export_without_modification_times_losing_to_an_older_one_is_told(tmp_path):
    # R9 keeps a copy with LastModifiedDate over a later one without it: a week-2 report
    # export lost its BizibleIds filled in since to week 1's Data Loader export, silently
    # (opportunities were told; tasks and sessions were not)
    weeks = tmp_path / "tasks"
    weeks.mkdir()
    (weeks / "1.csv").write_text(
        "Id,BizibleId,CreatedDate,LastModifiedDate\n"
        "T1,,2026-03-02T12:40:00Z,2026-03-03T00:00:00Z\nT2,ab,2026-03-02T12:41:00Z,\n"
    )
    (weeks / "2.csv").write_text(
        "Id,BizibleId,CreatedDate\nT1,ab,2026-03-02T12:40:00Z\nT2,ab,2026-03-02T12:41:00Z\n"
    )
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    (sessions / "1.csv").write_text(
        "ID,COOKIE_ID,EVENT_DATE,CHANNEL,MODIFIED_DATE\nS1,ab,2026-03-02 12:30:00,Social,"
        "2026-03-03 00:00:00\n"
    )
    (sessions / "2.csv").write_text(
        "ID,COOKIE_ID,EVENT_DATE,CHANNEL\nS1,ab,2026-03-02 12:30:00,Paid Social\n"
    )
    result = invoke("run", weeks, sessions, "-o", tmp_path / "o", "-q")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 0, said
    # T2's copies: the earlier has no modification time either; only T1 is told
    assert "Note: 1 task read more than once was decided by an earlier copy with a " in said
    assert "(R9: a copy with LastModifiedDate wins, whatever the order)" in said
    assert "Note: 1 session read more than once was decided" in said
    assert "(R9: a copy with MODIFIED_DATE wins" in said
    plain = invoke("run", weeks / "2.csv", sessions / "2.csv", "-o", tmp_path / "p", "-q")
    assert "decided by an earlier copy" not in plain.stderr


def test_inspect_names_the_carried_columns_as_unmatched_does(tmp_path):
    # a blank header showed as '' (the table: ", BizibleId,"), a repeated one as it was,
    # where unmatched.csv names them column_2 and Note_2
    tasks = tmp_path / "t.csv"
    tasks.write_text("Id,,BizibleId,CreatedDate,Note,NOTE\nT1,x,ab,2026-03-02T12:40:00Z,a,b\n")
    (item,) = json.loads(invoke("inspect", tasks, "-f", "json").stdout)
    assert item["unmapped_columns"] == ["column_2", "Note", "NOTE_2"]
    _, sessions = write_case(tmp_path)
    assert invoke("run", tasks, sessions, "-o", tmp_path / "o", "-q").exit_code == 0
    with (tmp_path / "o" / "unmatched.csv").open(newline="") as handle:
        header = next(csv.reader(handle))
    assert set(item["unmapped_columns"]) <= set(header)


@pytest.mark.parametrize("typed", ["INTEGER", "DOUBLE", "DECIMAL(4, 1)"])
def test_a_parquet_flag_typed_as_numbers_is_true_only_as_1(tmp_path, typed):
    # 2, -1 and 2.5 were cast to true: a won, a deleted or a form-filled record, where the
    # same cells of a CSV are 'not true or false'
    opportunities = tmp_path / "o.parquet"
    rows = [("U1", 1, 0), ("U2", 0, 0), ("U3", 2, 0), ("U4", 0, 7), ("U5", -1, 0)]
    if typed != "INTEGER":
        rows.append(("U6", 2.5, 0))
    values = ", ".join(f"('0065e00000{i}00001AAB', {w}, {d})" for i, w, d in rows)
    duckdb.sql(
        "COPY (SELECT Id, 100 AS Amount, TIMESTAMPTZ '2026-03-01 00:00:00+00' AS CreatedDate, "
        f"DATE '2026-03-20' AS CloseDate, CAST(won AS {typed}) AS IsWon, true AS IsClosed, "
        f"CAST(deleted AS {typed}) AS IsDeleted FROM (VALUES {values}) v(Id, won, deleted)) "
        f"TO '{opportunities}'"
    )
    db = tmp_path / "w.duckdb"
    invoke("load", "opportunities", opportunities, "--db", db, "--max-rejects", "100%", "-q")
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.sql(
            "SELECT opportunity_id, is_won FROM opportunity_rows WHERE _error_field IS NULL "
            "ORDER BY 1"
        ).fetchall()
        rejected = set(con.sql('SELECT line, "column", error FROM rejects').fetchall())
    assert kept == [("0065e00000U100001AAB", True), ("0065e00000U200001AAB", False)]
    expected = {(3, "IsWon", "'2'"), (4, "IsDeleted", "'7'"), (5, "IsWon", "'-1'")}
    expected |= {(6, "IsWon", "'2.5'")} if typed != "INTEGER" else set()
    assert rejected == {(line, col, f"{v} is not true or false") for line, col, v in expected}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_deleted_flag_neither_true_nor_false_rejects_the_row(tmp_path, fmt):
    # IsDeleted 'maybe' or 7 was read as no deleted record, without a word, where the same
    # cell of an opportunity rejects its row
    tasks, sessions = tmp_path / "t.csv", tmp_path / "s.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate,IsDeleted\n"
        f"T1,{ABC},2026-03-02T12:40:00Z,maybe\nT2,{ABC},2026-03-02T12:41:00Z,false\n"
        f"T3,{ABC},2026-03-02T12:42:00Z,7\nT4,{ABC},2026-03-02T12:43:00Z,\n"
    )
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,IS_DELETED\n"
        f"S1,{ABC},2026-03-02T12:17:00Z,2\nS2,{ABC},2026-03-02T12:30:00Z,0\n"
    )
    if fmt == "parquet":
        for name in ("t", "s"):
            typed = "CAST(IsDeleted AS INTEGER)" if name == "s" else "IsDeleted"
            source = tmp_path / f"{name}.csv"
            target = tmp_path / f"{name}.parquet"
            column = "IS_DELETED" if name == "s" else "IsDeleted"
            duckdb.sql(
                f"COPY (SELECT * REPLACE ({typed.replace('IsDeleted', column)} AS {column}) "
                f"FROM read_csv('{source}', all_varchar = true)) TO '{target}'"
            )
        tasks, sessions = tmp_path / "t.parquet", tmp_path / "s.parquet"
    out = tmp_path / "out"
    invoke("run", tasks, sessions, "--out", out, "--max-rejects", "100%", "-q")
    with (out / "rejects.csv").open(newline="", encoding="utf-8") as f:
        rejected = [(r["line"], r["column"], r["error"]) for r in csv.DictReader(f)]
    first = 2 if fmt == "csv" else 1  # a CSV's line (its header is line 1), a Parquet's row
    assert rejected == [
        (str(first), "IsDeleted", "'maybe' is not true or false"),
        (str(first + 2), "IsDeleted", "'7' is not true or false"),
        (str(first), "IS_DELETED", "'2' is not true or false"),
    ]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["tasks"]["rejected"] == 2 and summary["tasks"].get("deleted", 0) == 0
    with (out / "touchpoints.csv").open(newline="", encoding="utf-8") as f:
        merged = {r["task_id"]: r["session_id"] for r in csv.DictReader(f)}
    assert merged == {"T2": "S2", "T4": ""}  # S1 rejected: T2 merges with S2; T4 then stands

"""No path, header or mapping string can change the SQL that runs (issue 3).

CSV headers never reach SQL (columns are read under positional names); Parquet column names
and the names of carried columns go through the one quoting filter; paths and values are bound.
These tests use names built to break naive SQL and check that they are read as data.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from calltouch import queries
from calltouch.cli import app
from tests.harness import SESSION_HEADER, session, write_rows

ABC = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
HOSTILE = [
    'Created"Date; DROP TABLE task_rows;--',
    "Zeit\\stempel ü') OR 1=1 --",
    "x\"); COPY (SELECT 1) TO 'pwned.csv'; --",  # relative: the test runs in its tmp_path
    "  spaced  name  ",
    "日本語 列",
]


def test_hostile_parquet_column_names_are_read_as_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where the hostile COPY would write pwned.csv
    hostile_time, *carried = HOSTILE
    folder = tmp_path / 'it\'s a "folder"; --'
    folder.mkdir()
    tasks = folder / "tasks; DROP TABLE x.parquet"
    con = duckdb.connect()
    names = ["Id", "BizibleId", hostile_time, *carried]
    selects = [
        "'T1'",
        f"'{ABC}'",
        "TIMESTAMPTZ '2026-03-02 12:40:00+00'",
        *[f"'value {i}'" for i in range(len(carried))],
    ]
    select_list = ", ".join(
        f"{value} AS {queries.quote_identifier(name)}"
        for value, name in zip(selects, names, strict=True)
    )
    con.execute(f"COPY (SELECT {select_list}) TO $p (FORMAT parquet)", {"p": str(tasks)})
    # a second task without a BizibleId, to see the carried columns in unmatched
    tasks2 = folder / "more tasks.parquet"
    second = select_list.replace(repr(ABC), "NULL").replace("'T1'", "'T2'")
    con.execute(f"COPY (SELECT {second}) TO $p (FORMAT parquet)", {"p": str(tasks2)})
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    out = tmp_path / "out; rm -rf"
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(folder),
            str(sessions),
            "--out",
            str(out),
            "--quiet",
            "--map",
            f"tasks.call_time={hostile_time}",
        ],
    )
    assert result.exit_code == 0, result.output
    with (out / "touchpoints.csv").open(newline="", encoding="utf-8") as handle:
        touchpoints = list(csv.DictReader(handle))
    assert [(t["task_id"], t["match_status"]) for t in touchpoints] == [("T1", "merged")]
    assert touchpoints[0]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    with (out / "unmatched.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames is not None
    for name in carried:
        assert name in reader.fieldnames
    assert rows[0]["task_id"] == "T2"
    assert rows[0][carried[0]] == "value 0"
    assert not (tmp_path / "pwned.csv").exists()


def test_hostile_map_values_never_reach_sql(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.csv"
    header = ["Id", "BizibleId", HOSTILE[1], "Type"]
    with tasks.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["T1", ABC, "2026-03-02T12:40:00Z", "Call"])
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    for mapping in (f"tasks.call_time={HOSTILE[1]}", f"tasks.subject={HOSTILE[2]}"):
        result = CliRunner(env={"COLUMNS": "400"}).invoke(
            app,
            ["run", str(tasks), str(sessions), "--out", str(tmp_path / "o"), "--quiet",
             "--map", mapping],
        )  # fmt: skip
        if "subject" in mapping:
            # that column does not exist: a clean input error quoting the name as text
            assert result.exit_code == 2
            assert "names no column" in result.stderr
        else:
            assert result.exit_code == 0, result.output

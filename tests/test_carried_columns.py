"""The task's own columns carried into unmatched.csv: every column of the file keeps its value,
whatever its header repeats and however wide the file is (Salesforce "all fields" Task exports
have 100-300 columns)."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from calltouch.cli import app
from tests.harness import SESSION_HEADER, read_csv, session, write_rows

runner = CliRunner(env={"COLUMNS": "1000", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})
ABC = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def run_tasks(
    tmp_path: Path, header: list[str], rows: list[list[str]]
) -> dict[str, dict[str, str]]:
    """Run calltouch on a task file of ``header`` and ``rows``; unmatched.csv by task id."""
    tasks = tmp_path / "tasks.csv"
    with tasks.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tasks), str(sessions), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return {row["task_id"]: row for row in read_csv(out / "unmatched.csv")}


def test_a_repeated_header_beside_a_real_suffixed_column_loses_no_value(tmp_path: Path) -> None:
    header = ["Id", "BizibleId", "CreatedDate", "Subject", "Subject", "Subject_2"]
    unmatched = run_tasks(tmp_path, header, [["T1", "", "2026-03-02T12:40:00Z", "a", "b", "c"]])
    row = unmatched["T1"]
    # the real Subject_2 keeps its name; the second Subject takes the first free suffix
    assert (row["Subject"], row["Subject_2"], row["Subject_3"]) == ("a", "c", "b")


def test_repeated_and_empty_headers_get_names_no_other_column_has(tmp_path: Path) -> None:
    header = ["Id", "BizibleId", "CreatedDate", "", "column_4", "x", "x", "x_2", "x_3"]
    values = ["T1", "", "2026-03-02T12:40:00Z", "e", "c4", "x1", "x2", "real2", "real3"]
    row = run_tasks(tmp_path, header, [values])["T1"]
    assert sorted(row.values()) == sorted(["T1", "no_bizible_id", *values])
    assert (row["column_4"], row["x"], row["x_2"], row["x_3"]) == ("c4", "x1", "real2", "real3")

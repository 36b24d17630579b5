"""The hostile-input corpus (issue 3): every file in tests/inputs/ through the real CLI.

Each case of tests/inputs/cases.toml names a task file (and a sessions file), extra options and
the exact outcome: exit code, stderr fragments, summary counts, every reject with its physical
line, and some touchpoint and unmatched cells. Whatever the outcome, there is never a traceback
and, whenever summary.json is written, ``read = touchpoints + unmatched + duplicates + rejected``
with ``"reconciled": true``. Cases marked ``xfail`` document a bug (the expectation is the
correct behaviour; the mark is strict, so fixing the bug turns the case red until it is removed).

The files are made by tests/inputs/make_inputs.py; a test checks it still writes them
byte for byte, and that the corpus has no file no case uses.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from calltouch.cli import app

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

INPUTS = Path(__file__).resolve().parent / "inputs"
MANIFEST = INPUTS / "cases.toml"
NOT_DATA = {"make_inputs.py", "cases.toml"}
DEFAULT_SESSIONS = "sessions.csv"
MIN_CASES = 35

TASK_TOTALS = ("read", "touchpoints", "merged", "standalone", "unmatched", "duplicates", "rejected")
PER_FILE = {"footer": "footer", "profile": "profile"}
CASE_KEYS = {
    "name",
    "tasks",
    "sessions",
    "args",
    "exit",
    "stderr",
    "summary",
    "rejects",
    "touchpoints",
    "unmatched",
    "unmatched_columns",
    "unmatched_values",
    "absent",
    "out",
    "xfail",
}

# A wide terminal so that rich does not wrap long paths inside the messages asserted on.
runner = CliRunner(env={"COLUMNS": "1000", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})


def load_cases() -> list[dict[str, Any]]:
    with MANIFEST.open("rb") as handle:
        return tomllib.load(handle)["case"]


CASES = load_cases()


def data_files() -> set[str]:
    return {
        p.name
        for p in INPUTS.iterdir()
        if p.is_file() and p.name not in NOT_DATA and not p.name.startswith(".")
    }


def case_params() -> list[Any]:
    params = []
    for case in CASES:
        marks = []
        if "xfail" in case:
            marks.append(pytest.mark.xfail(reason=case["xfail"], strict=True))
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def check_cell(where: str, column: str, got: str | None, want: Any) -> None:
    assert got is not None, f"{where}: no column {column!r}"
    if isinstance(want, dict):
        if "length" in want:
            assert len(got) == want["length"], f"{where}.{column}: length {len(got)}"
        if "startswith" in want:
            assert got.startswith(want["startswith"]), f"{where}.{column}: {got[:80]!r}"
        if "endswith" in want:
            assert got.endswith(want["endswith"]), f"{where}.{column}: {got[-80:]!r}"
    else:
        assert got == want, f"{where}.{column}: {got!r} != {want!r}"


def check_summary(summary: dict[str, Any], want: dict[str, Any]) -> None:
    tasks = summary["tasks"]
    # Nothing lost: the reconciliation holds and says so, whatever else happened.
    assert tasks["read"] == (
        tasks["touchpoints"] + tasks["unmatched"] + tasks["duplicates"] + tasks["rejected"]
    ), tasks
    assert summary["reconciled"] is True, summary.get("reconciliation_problems")
    for key, value in want.items():
        if key in TASK_TOTALS:
            assert tasks[key] == value, f"tasks.{key}: {tasks[key]} != {value}"
        elif key in PER_FILE:
            got = [f[PER_FILE[key]] for f in tasks["files"]]
            assert got == value, f"tasks files {key}: {got} != {value}"
        elif key == "file":
            got = [Path(f["path"]).name for f in tasks["files"]]
            assert got == value, f"tasks files: {got} != {value}"
        elif key == "sessions":
            for name, count in value.items():
                assert summary["sessions"][name] == count, f"sessions.{name}"
        else:
            raise AssertionError(f"unknown summary key {key!r} in {MANIFEST.name}")


def check_rejects(out: Path, want: list[dict[str, Any]], tasks: Path) -> None:
    _, rows = read_rows(out / "rejects.csv")
    got = [(Path(r["file"]).name, int(r["line"]), r["column"], r["error"]) for r in rows]
    assert len(rows) == len(want), f"rejects: {got}"
    for row, expected in zip(rows, want, strict=True):
        where = f"reject {expected}"
        assert Path(row["file"]).name == expected.get("file", tasks.name), where
        assert row["line"] and int(row["line"]) == expected["line"], f"{where}: {got}"
        assert row["column"] == expected["column"], f"{where}: {got}"
        assert expected["error"] in row["error"], f"{where}: {got}"
        assert row["raw"], f"{where}: no raw text"


def check_outputs(out: Path, case: dict[str, Any]) -> None:
    _, tps = read_rows(out / "touchpoints.csv")
    header, unmatched = read_rows(out / "unmatched.csv")
    by_task = {r["task_id"]: r for r in tps}
    unmatched_by_task = {r["task_id"]: r for r in unmatched}
    for task_id, cells in case.get("touchpoints", {}).items():
        assert task_id in by_task, f"no touchpoint for {task_id}: {sorted(by_task)}"
        for column, want in cells.items():
            check_cell(f"touchpoints[{task_id}]", column, by_task[task_id].get(column), want)
    for task_id, cells in case.get("unmatched", {}).items():
        row = unmatched_by_task.get(task_id)
        assert row is not None, f"{task_id} not unmatched: {sorted(unmatched_by_task)}"
        for column, want in cells.items():
            check_cell(f"unmatched[{task_id}]", column, row.get(column), want)
    for task_id, values in case.get("unmatched_values", {}).items():
        row = list(unmatched_by_task[task_id].values())
        for value in values:
            assert value in row, f"unmatched[{task_id}] lacks {value!r}: {row}"
    for column in case.get("unmatched_columns", []):
        assert column in header, f"unmatched.csv header lacks {column!r}: {header}"
    for task_id in case.get("absent", []):
        assert task_id not in by_task and task_id not in unmatched_by_task, task_id


def test_manifest_is_well_formed():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in CASES:
        assert set(case) <= CASE_KEYS, f"{case['name']}: unknown keys {set(case) - CASE_KEYS}"
        assert {"name", "tasks", "exit"} <= set(case), case["name"]
        if case["exit"] != 0:
            assert case.get("stderr"), f"{case['name']}: a failing case needs stderr fragments"
        if "xfail" in case:
            assert case["xfail"].startswith("BUG: "), case["name"]


def test_corpus_has_enough_cases_and_files():
    assert len(CASES) >= MIN_CASES
    assert len(data_files()) >= MIN_CASES


def test_every_corpus_file_is_used_by_a_case():
    used = {c["tasks"] for c in CASES} | {c.get("sessions", DEFAULT_SESSIONS) for c in CASES}
    assert used <= data_files(), f"cases name missing files: {sorted(used - data_files())}"
    assert data_files() <= used, f"orphan files: {sorted(data_files() - used)}"


def test_make_inputs_regenerates_the_committed_files_byte_for_byte(tmp_path):
    done = subprocess.run(
        [sys.executable, str(INPUTS / "make_inputs.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    made = {p.name for p in tmp_path.iterdir()}
    assert made == data_files(), (sorted(made - data_files()), sorted(data_files() - made))
    for name in sorted(made):
        assert (tmp_path / name).read_bytes() == (INPUTS / name).read_bytes(), name


@pytest.mark.slow
@pytest.mark.parametrize("case", case_params())
def test_corpus_case(case: dict[str, Any], tmp_path: Path) -> None:
    tasks = INPUTS / case["tasks"]
    sessions = INPUTS / case.get("sessions", DEFAULT_SESSIONS)
    out = tmp_path / case.get("out", "out")
    args = ["run", str(tasks), str(sessions), "--out", str(out), "--quiet", *case.get("args", [])]
    result = runner.invoke(app, args)

    assert "Traceback" not in result.output
    # an exception escaping the command (a bug) would be caught by CliRunner, not printed
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == case["exit"], result.output
    assert "Internal error" not in result.stderr
    for fragment in case.get("stderr", []):
        assert fragment in result.stderr, f"{fragment!r} not in stderr:\n{result.stderr}"
    if case["exit"] != 0:
        assert str(tasks) in result.stderr or str(sessions) in result.stderr, result.stderr

    summary_file = out / "summary.json"
    if "summary" in case:
        assert summary_file.is_file(), result.output
    if summary_file.is_file():
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        check_summary(summary, case.get("summary", {}))
    if (out / "rejects.csv").is_file():
        check_rejects(out, case.get("rejects", []), tasks)
    else:
        assert not case.get("rejects"), "rejects.csv was not written"
    if case["exit"] == 0:
        check_outputs(out, case)

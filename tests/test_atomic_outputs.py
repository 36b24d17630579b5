"""A run killed at any moment leaves the previous outputs complete (SPEC §4, issue 3).

Outputs are written to a temporary file in the output folder and renamed into place. Here a
second run, whose outputs differ from the first's, is killed with SIGKILL the moment its first
temporary output file appears (that is, mid-write); every output file must then be exactly the
first run's or exactly the second run's complete version. A later run cleans the leftovers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("touchpoints.csv", "unmatched.csv", "rejects.csv", "summary.json")


def make_inputs(folder: Path, calls: int = 60_000) -> tuple[Path, Path]:
    """Enough rows that writing touchpoints takes a noticeable moment."""
    tasks, sessions = folder / "tasks.csv", folder / "sessions.csv"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 'T' || lpad(i::VARCHAR, 8, '0') AS Id, "
        "'cookie' || (i % 5000)::VARCHAR AS BizibleId, "
        "strftime(TIMESTAMP '2026-03-02 00:00:00' + to_minutes(i % 9000), "
        "'%Y-%m-%dT%H:%M:%SZ') AS CreatedDate, 'Call' AS Type, "
        "'Subject ' || i::VARCHAR AS Subject FROM range($n) t(i)) TO $path (HEADER)",
        {"n": calls, "path": str(tasks)},
    )
    con.execute(
        "COPY (SELECT 'S' || i::VARCHAR AS ID, 'cookie' || (i % 5000)::VARCHAR AS COOKIE_ID, "
        "strftime(TIMESTAMP '2026-03-02 00:00:00' + to_minutes((i * 7) % 9000), "
        "'%Y-%m-%d %H:%M:%S') AS EVENT_DATE, 'Paid Search.Google' AS CHANNEL "
        "FROM range($n) t(i)) TO $path (HEADER)",
        {"n": calls // 2, "path": str(sessions)},
    )
    return tasks, sessions


def command(tasks: Path, sessions: Path, out: Path, window: str) -> list[str]:
    return [
        sys.executable, "-m", "calltouch", "run", str(tasks), str(sessions),
        "--out", str(out), "--window", window, "--quiet",
    ]  # fmt: skip


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in NAMES}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_run_killed_mid_write_leaves_complete_outputs(tmp_path: Path) -> None:
    tasks, sessions = make_inputs(tmp_path)
    out = tmp_path / "out"
    subprocess.run(command(tasks, sessions, out, "30m"), check=True, capture_output=True)
    first = snapshot(out)
    reference = tmp_path / "reference"
    subprocess.run(command(tasks, sessions, reference, "5m"), check=True, capture_output=True)
    second = snapshot(reference)
    assert first["touchpoints.csv"] != second["touchpoints.csv"]

    killed_mid_write = 0
    for _attempt in range(3):
        proc = subprocess.Popen(
            command(tasks, sessions, out, "5m"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(n.startswith(".touchpoints.csv.") for n in os.listdir(out)):
                os.kill(proc.pid, signal.SIGKILL)
                killed_mid_write += 1
                break
            time.sleep(0.0005)
        proc.wait()
        for name in NAMES:
            now = (out / name).read_bytes()
            assert now in (first[name], second[name]), f"{name} is neither whole version"
    assert killed_mid_write, "the run was never caught writing; make the inputs larger"

    # Re-running replaces (never appends) and removes what the killed runs left behind.
    subprocess.run(command(tasks, sessions, out, "30m"), check=True, capture_output=True)
    assert snapshot(out) == first
    assert [n for n in os.listdir(out) if n.startswith(".")] == []

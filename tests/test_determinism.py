"""Results are deterministic: the same inputs give byte-identical outputs whatever the machine's
time zone (TZ) or DuckDB's thread count, and from one run to the next (SPEC R7, R8)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# slow: whole runs repeated under other zones and thread counts, in subprocesses (make test runs
# it; plain pytest leaves it out)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = {
    "csv": ("touchpoints.csv", "unmatched.csv", "rejects.csv", "summary.json"),
    "parquet": ("touchpoints.parquet", "unmatched.parquet", "rejects.parquet", "summary.json"),
}


def run_cli(out: Path, tz: str, fmt: str, *extra: str) -> dict[str, bytes]:
    env = {**os.environ, "TZ": tz}
    args = [
        sys.executable,
        "-m",
        "calltouch",
        "run",
        "data/sample/tasks.csv",
        "data/sample/sessions.csv",
        "--out",
        str(out),
        "--format",
        fmt,
        "--quiet",
        *extra,
    ]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return {name: (out / name).read_bytes() for name in OUTPUTS[fmt]}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_machine_time_zone_never_changes_the_outputs(tmp_path: Path, fmt: str) -> None:
    utc = run_cli(tmp_path / "utc", "UTC", fmt)
    for tz in ("America/Los_Angeles", "Asia/Kolkata"):
        assert run_cli(tmp_path / tz.replace("/", "_"), tz, fmt) == utc, tz


def test_thread_count_never_changes_the_outputs(tmp_path: Path) -> None:
    one = run_cli(tmp_path / "t1", "UTC", "csv", "--threads", "1")
    four = run_cli(tmp_path / "t4", "UTC", "csv", "--threads", "4")
    assert one == four


def test_two_runs_give_byte_identical_outputs(tmp_path: Path) -> None:
    assert run_cli(tmp_path / "a", "UTC", "csv") == run_cli(tmp_path / "b", "UTC", "csv")


def test_machine_zone_does_not_shift_naive_input_times(tmp_path: Path) -> None:
    """Sessions' EVENT_DATE is naive UTC; a Kolkata machine must still read it as UTC."""
    outputs = run_cli(tmp_path / "k", "Asia/Kolkata", "csv")
    first = outputs["touchpoints.csv"].decode().splitlines()[1]
    assert first.split(",")[4].endswith("Z")
    golden = (ROOT / "tests" / "golden" / "sample" / "touchpoints.csv").read_bytes()
    assert outputs["touchpoints.csv"] == golden

"""bench/bench.py --quick works end to end (generation, agreement check, every engine, table).

Runs only where the bench extra (polars, pandas) is installed; asserts nothing about timing."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from calltouch import pipeline, queries
from calltouch.generate import generate

ROOT = Path(__file__).resolve().parents[1]
MISSING = [m for m in ("polars", "pandas", "pyarrow") if importlib.util.find_spec(m) is None]

pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"bench extra not installed ({', '.join(MISSING)}): pip install -e '.[bench]'",
)


def test_quick_bench_runs_and_prints_the_table(tmp_path: Path) -> None:
    target = tmp_path / "BENCHMARKS.md"
    target.write_text("# Benchmarks\n\nHand-written notes stay.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "bench/bench.py", "--quick", "--write", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "| sessions / calls | format | engine |" in done.stdout
    for engine in ("floor", "calltouch", "match", "polars", "pandas"):
        for fmt in ("parquet", "csv"):
            assert f"| 20k / 2k | {fmt} | {engine} |" in done.stdout
    assert "polars and calltouch agree" in done.stdout
    written = target.read_text(encoding="utf-8")
    assert "Hand-written notes stay." in written
    assert "<!-- bench:begin -->" in written and "<!-- bench:end -->" in written


@pytest.mark.parametrize(
    "window_us", [1_800_000_000, 2_700_000_000, 1_740_000_000, 1_799_999_999, 1_800_001_000]
)
def test_the_agreement_check_takes_calltouchs_own_window(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, window_us: int
) -> None:
    """calltouch's R3 verdict is read from its links, not recomputed from the gap: a calltouch
    merging with another window than 30 minutes stops the benchmark, also one that is off by
    a microsecond below or a millisecond above (the generated calls at the window's edge: an
    exclusive window, or one a second too long, passed the check when every call was a whole
    second after a session with milliseconds)."""
    con = queries.connect()
    generate(con, tmp_path, sessions=20_000, calls=2_000, seed=3, fmt="parquet")
    con.close()
    settings = dataclasses.replace(pipeline.RunSettings(), window_us=window_us)
    monkeypatch.setattr(pipeline, "RunSettings", lambda: settings)
    tasks, sessions = tmp_path / "tasks.parquet", tmp_path / "sessions.parquet"
    if window_us == 1_800_000_000:
        agreed = bench.check_agreement(tasks, sessions, "parquet")
        assert agreed["in_window"] > 0 and agreed["timed_rows"] >= agreed["calls"]
        assert agreed["at_edge"] >= 6
    else:
        with pytest.raises(SystemExit, match="agreement check failed"):
            bench.check_agreement(tasks, sessions, "parquet")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_the_agreement_check_sees_another_sessions_details(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """A merged touchpoint's channel and campaign are fetched by its session's row, not its
    id: a wrong row pick among tied sessions (R7) left the ids right and passed the check."""
    con = queries.connect()
    generate(con, tmp_path, sessions=20_000, calls=2_000, seed=3, fmt=fmt)
    con.close()
    tasks, sessions = tmp_path / f"tasks.{fmt}", tmp_path / f"sessions.{fmt}"
    assert bench.check_agreement(tasks, sessions, fmt)["calls"] > 0
    original = bench.run_calltouch_in_process

    def swapped(*args: object) -> tuple[object, dict]:
        con, phases = original(*args)
        # one merged touchpoint gets the channel of another session of its cookie's start
        con.execute(
            "UPDATE touchpoints SET channel = channel || ' (another)' WHERE task_id = "
            "(SELECT min(task_id) FROM touchpoints WHERE match_status = 'merged')"
        )
        return con, phases

    monkeypatch.setattr(bench, "run_calltouch_in_process", swapped)
    with pytest.raises(SystemExit, match=r"1 of [0-9]+ merged touchpoints show another session"):
        bench.check_agreement(tasks, sessions, fmt)

"""bench/bench.py --quick works end to end (generation, agreement check, every engine, table).

Runs only where the bench extra (polars, pandas) is installed; asserts nothing about timing."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

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

"""An installed calltouch (from its wheel, away from the repository) finds its SQL templates and
its sample, and runs the demo."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_templates_and_sample_and_runs(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("calltouch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (ROOT / "sql").iterdir() if p.suffix in {".sql", ".j2"}}
    assert {f"calltouch/sql/{t}" for t in templates} <= names
    assert {"calltouch/sample/tasks.csv", "calltouch/sample/sessions.csv"} <= names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = "from calltouch import queries; print(queries.sql_dir())"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == site / "calltouch" / "sql"
    demo = subprocess.run(
        [sys.executable, "-m", "calltouch", "demo", "--out", str(tmp_path / "out")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert demo.returncode == 0, demo.stderr
    assert "Paid Search" in demo.stdout
    assert (tmp_path / "out" / "touchpoints.csv").is_file()

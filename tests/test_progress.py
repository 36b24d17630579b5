"""Progress: DuckDB's query progress reaches a rich bar on stderr, only on a terminal and never
with --quiet or when output is piped (issue 4, point 5)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import duckdb
from rich.console import Console
from typer.testing import CliRunner

from calltouch import queries
from calltouch.cli import QueryProgress, app
from calltouch.pipeline import RunSettings, load_inputs


def test_long_queries_report_their_progress(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions.csv"
    tasks = tmp_path / "tasks.csv"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 'S' || i AS ID, 'c' || (i % 1000) AS COOKIE_ID, "
        "'2026-03-02 12:00:00' AS EVENT_DATE FROM range(1500000) t(i)) TO $p (HEADER)",
        {"p": str(sessions)},
    )
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,c1,2026-03-02T12:10:00Z\n")
    seen: list[tuple[str, float]] = []
    target = queries.connect()
    hook = lambda name, pct: seen.append((name, pct))  # noqa: E731
    with queries.reporting_progress(hook), tempfile.TemporaryDirectory() as workdir:
        load_inputs(target, str(tasks), str(sessions), RunSettings(), Path(workdir))
    loading = [pct for name, pct in seen if name == "load_sessions"]
    assert loading, seen
    assert all(-1 <= pct <= 100 for pct in loading)
    assert max(loading) > 0


def test_the_bar_shows_the_step_after_the_delay() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    bar = QueryProgress(console, delay=0.0)
    bar("match", 42.0)
    bar.progress.refresh()
    bar.close()
    assert "Matching calls to sessions" in buffer.getvalue()


def test_no_bar_before_a_second_has_passed() -> None:
    buffer = io.StringIO()
    bar = QueryProgress(Console(file=buffer, force_terminal=True), delay=60.0)
    bar("match", 42.0)
    bar.close()
    assert bar.task is None
    assert buffer.getvalue() == ""


def test_piped_output_never_shows_a_bar(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    result = CliRunner().invoke(
        app,
        ["run", str(sample / "tasks.csv"), str(sample / "sessions.csv"), "--out", str(tmp_path)],
    )
    assert result.exit_code == 0
    assert "Matching calls" not in result.stderr and "━" not in result.stderr

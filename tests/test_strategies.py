"""The two ways calltouch can link calls to sessions (an equi-join with a range condition, and
DuckDB's ASOF join) decide exactly the same, and a one-shot run on Parquet, which fetches
session details only for merged sessions, gives the same touchpoints as reading everything."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from calltouch import queries
from calltouch.generate import generate
from calltouch.pipeline import RunSettings, load_inputs, match
from calltouch.pipeline import run as run_pipeline

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gen")
    con = queries.connect()
    for fmt in ("csv", "parquet"):
        generate(con, folder / fmt, sessions=20_000, calls=3_000, seed=7, fmt=fmt)
    con.close()
    return folder


def links_of(tasks: str, sessions: str, strategy: str, per_session: str) -> list[tuple]:
    con = queries.connect()
    settings = RunSettings(per_session=per_session, max_rejects="100%")  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as workdir:
        _, settings = load_inputs(con, tasks, sessions, settings, Path(workdir))
    match(con, settings, strategy=strategy)
    rows = con.execute(
        "SELECT task_id, session_id, session_start, gap_us, match_status, match_reason "
        "FROM links ORDER BY task_id"
    ).fetchall()
    con.close()
    return rows


@pytest.mark.parametrize("per_session", ["one", "all"])
def test_range_and_asof_strategies_decide_the_same(generated: Path, per_session: str) -> None:
    tasks, sessions = str(generated / "csv" / "tasks.csv"), str(generated / "csv" / "sessions.csv")
    by_range = links_of(tasks, sessions, "range", per_session)
    by_asof = links_of(tasks, sessions, "asof", per_session)
    assert len(by_range) > 2_000
    assert by_range == by_asof


def test_strategies_agree_on_the_sample() -> None:
    sample = ROOT / "data" / "sample"
    args = (str(sample / "tasks.csv"), str(sample / "sessions.csv"))
    assert links_of(*args, "range", "one") == links_of(*args, "asof", "one")


def test_parquet_run_fetching_details_equals_csv_run(generated: Path, tmp_path: Path) -> None:
    outputs = {}
    for fmt in ("csv", "parquet"):
        con = queries.connect()
        out = tmp_path / fmt
        run_pipeline(
            con,
            str(generated / fmt / f"tasks.{fmt}"),
            str(generated / fmt / f"sessions.{fmt}"),
            out,
            RunSettings(max_rejects="100%"),
        )
        con.close()
        outputs[fmt] = (out / "touchpoints.csv").read_bytes()
    assert outputs["csv"] == outputs["parquet"]
    assert outputs["csv"].count(b",merged,") > 1_000

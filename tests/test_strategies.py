"""The two ways calltouch can link calls to sessions (an equi-join with a range condition, and
DuckDB's ASOF join) decide exactly the same, and a one-shot run, which fetches session details
only for merged sessions (Parquet) or keeps them raw for sessions starting near a call of their
cookie and tidies those that merge (CSV), gives the same touchpoints as reading everything."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pytest

from calltouch import queries
from calltouch.durations import parse_window
from calltouch.generate import generate
from calltouch.outputs import write_exports
from calltouch.pipeline import RunSettings, load_inputs, match, settings_summary, summarize
from calltouch.pipeline import run as run_pipeline

# slow: each SQL strategy's whole run on the same inputs (make test runs it; plain pytest leaves it
# out)
pytestmark = pytest.mark.slow

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


def full_load_outputs(
    tasks: str, sessions: str, out: Path, settings: RunSettings | None = None
) -> dict:
    """What a run would give if every session row were stored (the workspace's way)."""
    con = queries.connect()
    settings = settings or RunSettings(max_rejects="100%")
    with tempfile.TemporaryDirectory() as workdir:
        files, settings = load_inputs(con, tasks, sessions, settings, Path(workdir))
    match(con, settings, files)
    summary = summarize(con, settings_summary(settings))
    write_exports(con, out, "csv")
    stored = con.execute("SELECT count(*) FROM session_rows").fetchone()
    con.close()
    return {"summary": summary, "stored": stored}


@pytest.mark.parametrize("window", ["5m", "45m", "2h", "168h"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_one_shot_run_equals_full_load_at_any_window(
    generated: Path, tmp_path: Path, window: str, fmt: str
) -> None:
    # The one-shot run keeps of the sessions only what a match in its window can use (on CSV
    # the details of the sessions near a call, on Parquet the rows of a calling cookie): at
    # any window it must give what storing every session gives.
    settings = RunSettings(window_us=parse_window(window), max_rejects="100%")
    tasks = str(generated / fmt / f"tasks.{fmt}")
    sessions = str(generated / fmt / f"sessions.{fmt}")
    con = queries.connect()
    result = run_pipeline(con, tasks, sessions, tmp_path / "run", settings)
    con.close()
    full = full_load_outputs(tasks, sessions, tmp_path / "full", settings)
    assert result.summary == full["summary"]
    for name in ("touchpoints.csv", "unmatched.csv", "rejects.csv"):
        assert (tmp_path / "run" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    assert result.summary["tasks"]["merged"] > 100


@pytest.mark.parametrize(
    "formats",
    [("parquet", "parquet"), ("parquet", "text"), ("csv", "csv"), ("csv", "parquet")],
    ids="-".join,
)
def test_run_storing_only_matchable_sessions_equals_full_load(
    generated: Path, tmp_path: Path, formats: tuple[str, str]
) -> None:
    # Two session files with what the filtered load must not get wrong: ids read
    # twice (in one file and across files, one copy of a calling cookie, the other not, the
    # later modification winning), ids equal only once trimmed, blank ids, missing starts.
    # Only all-Parquet sessions are filtered; with a CSV file every row is stored.
    con = queries.connect()
    source = str(generated / "parquet" / "sessions.parquet")
    folder = tmp_path / "sessions"
    folder.mkdir()
    con.execute(
        "CREATE TABLE s AS SELECT *, row_number() OVER () AS n FROM read_parquet($p) "
        "WHERE nullif(trim(ID), '') IS NOT NULL AND EVENT_DATE IS NOT NULL",
        {"p": source},
    )
    con.execute(
        """
        CREATE TABLE first AS
        SELECT * EXCLUDE (n, ID, EVENT_DATE),
               CASE WHEN n % 997 = 0 THEN NULL WHEN n % 991 = 0 THEN '  ' ELSE ID END AS ID,
               CASE WHEN n % 983 = 0 THEN NULL ELSE EVENT_DATE END AS EVENT_DATE
        FROM s WHERE n <= 12000
        UNION ALL BY NAME  -- repeated inside the file, with another cookie and a later modification
        SELECT * EXCLUDE (n, COOKIE_ID, MODIFIED_DATE, ID, EVENT_DATE),
               'not-a-caller-' || n AS COOKIE_ID, MODIFIED_DATE + INTERVAL 1 DAY AS MODIFIED_DATE,
               ID, EVENT_DATE
        FROM s WHERE n <= 12000 AND n % 53 = 0
        """
    )
    con.execute(
        """
        CREATE TABLE second AS
        SELECT * EXCLUDE (n) FROM s
        WHERE n > 12000
        UNION ALL BY NAME  -- ids of the first file again: padded, or with an earlier start
        SELECT * EXCLUDE (n, ID), '  ' || ID || ' ' AS ID FROM s WHERE n <= 12000 AND n % 61 = 0
        UNION ALL BY NAME
        SELECT * EXCLUDE (n, EVENT_DATE, MODIFIED_DATE),
               EVENT_DATE - INTERVAL 20 MINUTE AS EVENT_DATE,
               MODIFIED_DATE - INTERVAL 1 DAY AS MODIFIED_DATE
        FROM s WHERE n <= 12000 AND n % 67 = 0
        """
    )
    for name, fmt in zip(("first", "second"), formats, strict=True):
        # "text": Parquet with the start as warehouse-style text (read by the fast path)
        start = "strftime(EVENT_DATE, '%Y-%m-%d %H:%M:%S.%g')" if fmt == "text" else "EVENT_DATE"
        suffix = "parquet" if fmt == "text" else fmt
        con.execute(
            f"COPY (SELECT * REPLACE ({start} AS EVENT_DATE) FROM {name} "
            f"ORDER BY hash(ID, EVENT_DATE, COOKIE_ID)) TO $p (FORMAT {suffix})",
            {"p": str(folder / f"{name}.{suffix}")},
        )
    con.close()
    tasks = str(generated / "parquet" / "tasks.parquet")
    sessions = str(folder / "*")

    con = queries.connect()
    with tempfile.TemporaryDirectory() as workdir:
        load_inputs(con, tasks, sessions, RunSettings(), Path(workdir), narrow=True)
    stored = con.execute("SELECT count(*) FROM session_rows").fetchone()
    # details are packed in one list, not a column each (most rows keep none)
    columns = {row[0] for row in con.execute("DESCRIBE session_rows").fetchall()}
    con.close()
    assert "_details" in columns and not columns & {"channel", "campaign", "visitor_id"}
    con = queries.connect()
    result = run_pipeline(con, tasks, sessions, tmp_path / "run", RunSettings(max_rejects="100%"))
    # the one-shot run freed its session tables once the touchpoints no longer needed them
    left = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE table_name IN ('session_rows', 'match_sessions', 'session_details')"
    ).fetchone()
    assert left == (0,)
    con.close()
    full = full_load_outputs(tasks, sessions, tmp_path / "full")

    assert stored is not None and full["stored"] is not None
    if "csv" not in formats:
        assert stored[0] < 0.9 * full["stored"][0]  # the filtered load did leave rows out
    else:
        assert stored[0] == full["stored"][0]  # CSV sessions are stored whole
    assert result.summary == full["summary"]
    assert result.summary["sessions"]["duplicates"] > 300
    assert result.summary["sessions"]["rejected"] > 30
    for name in ("touchpoints.csv", "rejects.csv", "unmatched.csv"):
        assert (tmp_path / "run" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1252"])
def test_csv_run_keeping_raw_details_equals_full_load(tmp_path: Path, encoding: str) -> None:
    # A one-shot run on CSV stores the details of sessions near a call as read and tidies those
    # of the sessions that merge. Copies of an id with different details, lines DuckDB skips,
    # padded ids and cells, unusable rows and a transcoded file must give what storing every
    # session tidied gives.
    cookie = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    other = "0f9e8d7c6b5a49382716f5e4d3c2b1a0"
    header = "ID,COOKIE_ID,EVENT_DATE,CHANNEL,CAMPAIGN_NAME,MODIFIED_DATE\n"
    rows = [
        f"S1,{cookie},2026-03-02 12:00:00,First.A,Café one,",
        f"S0,{other},2026-03-02 11:00:00,Zero.Z,none,",
        f"S1,{cookie},2026-03-02 12:00:00,Second.X,too,many,cells",  # a line DuckDB skips
        f"S1,{cookie},2026-03-02 12:00:00,Second.B,Café two,",
        f"S9,{cookie},not a time,Bad.Row,unusable,",
        f"  S1 ,{cookie},2026-03-02 12:00:00, Third.C ,  Café three\t,",  # R9's pick
        f"S2,{other},2026-03-02 12:05:00,Newer.N,newest,2026-03-05 00:00:00",
        f"S2,{other},2026-03-02 12:05:00,Older.O,older,2026-03-01 00:00:00",
    ]
    sessions = tmp_path / "sessions.csv"
    text = header + "".join(r if r.endswith("\n") else r + "\n" for r in rows)
    sessions.write_bytes(text.encode(encoding))
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate\n"
        f"T1,{cookie},2026-03-02T12:10:00Z\n"
        f"T2,{other},2026-03-02T12:15:00Z\n",
        encoding="utf-8",
    )
    settings = RunSettings(
        max_rejects="100%",
        encodings={} if encoding == "utf-8" else {"tasks": encoding, "sessions": encoding},
    )
    con = queries.connect()
    run_pipeline(con, str(tasks), str(sessions), tmp_path / "run", settings)
    con.close()
    con = queries.connect()
    with tempfile.TemporaryDirectory() as workdir:
        files, full_settings = load_inputs(con, str(tasks), str(sessions), settings, Path(workdir))
    match(con, full_settings, files)
    write_exports(con, tmp_path / "full", "csv")
    con.close()
    for name in ("touchpoints.csv", "unmatched.csv", "rejects.csv"):
        assert (tmp_path / "run" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    got = (tmp_path / "run" / "touchpoints.csv").read_text(encoding="utf-8")
    assert ",Third,C,Café three," in got and ",Newer,N,newest," in got


def test_csv_run_keeps_details_only_of_sessions_near_a_call(tmp_path: Path) -> None:
    # A one-shot run on CSV keeps session details only where a session can merge: its cookie
    # called and it starts in the call's span of one window or the span before. The rest are
    # read, checked and counted, without their details.
    cookie = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    other = "0f9e8d7c6b5a49382716f5e4d3c2b1a0"
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        "ID,COOKIE_ID,EVENT_DATE,CHANNEL,CAMPAIGN_NAME\n"
        f"S1,{cookie},2026-03-02 12:00:00,Email,near\n"  # a window before: the span before
        f"S2,{cookie},2026-03-01 12:00:00,Email,a day before\n"
        f"S3,{cookie},2026-03-02 13:00:00,Email,after the call\n"
        f"S4,{other},2026-03-02 12:30:00,Email,a cookie that never called\n",
        encoding="utf-8",
    )
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(f"Id,BizibleId,CreatedDate\nT1,{cookie},2026-03-02T12:30:00Z\n", "utf-8")
    con = queries.connect()
    with tempfile.TemporaryDirectory() as workdir:
        load_inputs(con, str(tasks), str(sessions), RunSettings(), Path(workdir), narrow=True)
    kept = con.execute(
        "SELECT session_id FROM session_rows WHERE _details IS NOT NULL ORDER BY 1"
    ).fetchall()
    stored = con.execute("SELECT count(*) FROM session_rows").fetchone()
    spans = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ct_calling_spans'"
    ).fetchone()
    con.close()
    assert kept == [("S1",)]
    assert stored == (4,)  # every CSV row is stored, only the details are left out
    assert spans == (0,)  # the load's helper table is gone
    out = run_case_outputs(tasks, sessions, tmp_path / "run")
    assert ",Email,,near," in out and ",merged," in out


def run_case_outputs(tasks: Path, sessions: Path, out: Path) -> str:
    """The touchpoints.csv of a one-shot run."""
    con = queries.connect()
    run_pipeline(con, str(tasks), str(sessions), out, RunSettings())
    con.close()
    return (out / "touchpoints.csv").read_text(encoding="utf-8")


def test_csv_run_with_raw_details_splits_only_the_files_whose_channel_holds_both(
    tmp_path: Path,
) -> None:
    # Two session files in one run: a warehouse one whose CHANNEL is "Channel.Subchannel",
    # and one with its own SUBCHANNEL column, whose CHANNEL may hold a dot of its own.
    cookie = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    other = "0f9e8d7c6b5a49382716f5e4d3c2b1a0"
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "a.csv").write_text(
        f"ID,COOKIE_ID,EVENT_DATE,CHANNEL\nS1,{cookie},2026-03-02 12:00:00, Paid Search.AdWords \n",
        encoding="utf-8",
    )
    (folder / "b.csv").write_text(
        "ID,COOKIE_ID,EVENT_DATE,CHANNEL,SUBCHANNEL\n"
        f"S2,{other},2026-03-02 12:00:00,Web.Direct , Bookmarks\n",
        encoding="utf-8",
    )
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate\n"
        f"T1,{cookie},2026-03-02T12:10:00Z\nT2,{other},2026-03-02T12:10:00Z\n",
        encoding="utf-8",
    )
    con = queries.connect()
    run_pipeline(con, str(tasks), str(folder), tmp_path / "run", RunSettings())
    con.close()
    rows = {
        r["task_id"]: (r["channel"], r["subchannel"])
        for r in csv.DictReader((tmp_path / "run" / "touchpoints.csv").open(encoding="utf-8"))
    }
    assert rows == {"T1": ("Paid Search", "AdWords"), "T2": ("Web.Direct", "Bookmarks")}

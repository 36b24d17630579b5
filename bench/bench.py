#!/usr/bin/env python3
"""Benchmark calltouch against the scan floor, polars and pandas, on the same generated files.

What this script promises:

* data comes from :func:`calltouch.generate.generate` (seed 1) and is cached under
  ``bench/.data/`` (regenerated when the generator's templates or DuckDB's version change);
* before any timing, it checks that polars and calltouch pick the same session for every call
  under R1-R3 (see :func:`check_agreement`) and stops if they do not;
* every measurement runs in a fresh subprocess (this script with ``--worker``), so each peak RSS
  is that engine's own; the engines are interleaved run by run, and the median of ``--runs`` is
  reported, with each engine's time relative to ``calltouch run`` and calltouch's to the floor;
* it prints a markdown table on stdout; ``--write FILE`` also puts it (with the machine and the
  versions) between the ``<!-- bench:begin -->`` / ``<!-- bench:end -->`` markers of FILE,
  leaving the rest of FILE alone.

The engines:

floor      a bare DuckDB scan of the columns the match needs, both inputs (for CSV with the
           read options calltouch uses);
calltouch  ``python -m calltouch run TASKS SESSIONS --out TMP --quiet`` end to end (subprocess:
           interpreter start, load, R1-R9, all outputs written);
match      calltouch's ``pipeline.match`` alone, after loading in-process (its worker also times
           the other phases, shown in the breakdown table);
polars     read both, ``join_asof(by=..., strategy="backward", tolerance="30m")``, reads and
           sorts included;
pandas     read both, ``merge_asof(by=..., tolerance=pd.Timedelta("30m"))``, reads and sorts
           included.

Usage::

    python bench/bench.py --sizes 1M/100k,10M/1M --formats parquet,csv --runs 3
    python bench/bench.py --quick                       # 20k sessions / 2k calls, 1 run
    python bench/bench.py --sizes 1M/100k --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
SEED = 1
ENGINES = ("floor", "calltouch", "match", "polars", "pandas")
QUICK_SIZE = (20_000, 2_000)
# calltouch.generate.MAX_ROWS (a test holds them equal), copied so that the arguments are
# checked before calltouch is imported: a missing calltouch gets a usage error, not a traceback
MAX_ROWS = 10**10
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

TASK_COLUMNS = (
    "Id",
    "bizible2__BizibleId__c",
    "bizible2__Bizible_Touchpoint_Date__c",
    "CreatedDate",
)
SESSION_COLUMNS = ("ID", "COOKIE_ID", "EVENT_DATE")
WINDOW_US = 30 * 60 * 1_000_000  # the default window, which every engine here uses
TASK_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.3fZ"  # polars (chrono) spelling
SESSION_TIME_FORMAT = "%Y-%m-%d %H:%M:%S%.3f"


# ----------------------------------------------------------------------------- sizes


def parse_count(text: str) -> int:
    """'1M' -> 1_000_000, '100k' -> 100_000, '2500' -> 2500."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (e.g. 100k, 1M, 2500)")
    scale = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """'1M/100k,10M/1M' -> [(1_000_000, 100_000), (10_000_000, 1_000_000)]."""
    sizes = []
    for item in text.split(","):
        sessions, sep, calls = item.partition("/")
        if not sep:
            raise argparse.ArgumentTypeError(f"size {item!r} is not SESSIONS/CALLS (e.g. 1M/100k)")
        size = (parse_count(sessions), parse_count(calls))
        if min(size) < 1:
            raise argparse.ArgumentTypeError(
                f"size {item!r} has no sessions or no calls: give at least one of each "
                "(e.g. 1M/100k)"
            )
        if max(size) > MAX_ROWS:  # refused here, not by the generator after earlier sizes ran
            raise argparse.ArgumentTypeError(
                f"size {item!r} is larger than calltouch generate makes: at most "
                f"{label(MAX_ROWS)} sessions and calls"
            )
        sizes.append(size)
    return sizes


def label(n: int) -> str:
    """1_000_000 -> '1M', 100_000 -> '100k'."""
    for scale, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if n >= scale and n % (scale // 10) == 0:
            return f"{n / scale:g}{suffix}"
    return str(n)


# ----------------------------------------------------------------------------- data

# The modules each engine's worker imports besides calltouch and DuckDB (the bench extra);
# polars also checks the agreement, and reads Parquet with pyarrow's help, as pandas does.
ENGINE_MODULES = {"polars": ("polars", "pyarrow"), "pandas": ("pandas", "pyarrow")}


def missing_modules(engines: list[str]) -> list[str]:
    """The modules ``engines`` need that this interpreter cannot import (calltouch included:
    every worker runs it, or runs with this interpreter)."""
    import importlib.util

    wanted = ["calltouch"] + [m for e in engines for m in ENGINE_MODULES.get(e, ())]
    return sorted({m for m in wanted if importlib.util.find_spec(m) is None})


def positive(text: str) -> int:
    """--runs: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def generator_fingerprint() -> str:
    """Changes whenever the generated files could: the generator's code or DuckDB's version."""
    import duckdb

    digest = hashlib.sha256(duckdb.__version__.encode())
    # the generator's templates and module, and what runs them (the macros it uses, the
    # query layer)
    made_by = [
        *(ROOT / "sql").glob("*generate*"),
        ROOT / "sql" / "session_setup.sql",
        ROOT / "calltouch" / "generate.py",
        ROOT / "calltouch" / "queries.py",
    ]
    for path in sorted(made_by):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def dataset(sessions: int, calls: int, fmt: str) -> tuple[Path, Path, float | None]:
    """The (tasks, sessions) files of one size and format, generated unless cached; also the
    seconds generation took (None when cached)."""
    from calltouch import queries
    from calltouch.generate import generate

    folder = DATA / f"s{sessions}_c{calls}_seed{SEED}" / fmt
    tasks, sess = folder / f"tasks.{fmt}", folder / f"sessions.{fmt}"
    stamp = folder / "generated.json"
    key = {"sessions": sessions, "calls": calls, "seed": SEED, "format": fmt}
    key["fingerprint"] = generator_fingerprint()
    cached = stamp.is_file() and tasks.is_file() and sess.is_file()
    if cached and json.loads(stamp.read_text(encoding="utf-8")) == key:
        return tasks, sess, None
    shutil.rmtree(folder, ignore_errors=True)
    con = queries.connect()
    started = time.perf_counter()
    generate(con, folder, sessions=sessions, calls=calls, seed=SEED, fmt=fmt)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    con.close()
    stamp.write_text(json.dumps(key), encoding="utf-8")
    return tasks, sess, seconds


# ----------------------------------------------------------------------------- workers
# Each runs in its own process (``bench.py --worker NAME``) and returns its timings.


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB.

    /proc/self/status VmHWM belongs to the process's own memory map, which exec replaces; the
    ru_maxrss of getrusage(RUSAGE_SELF) would instead carry over the peak of the (large) parent
    this worker was forked from.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        found = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
        if found:
            return int(found.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mib() -> float:
    """The largest peak RSS of this process's finished children, in MiB (ru_maxrss is KiB).

    Only meaningful for a worker with one child; that child's figure includes, at worst, the
    small worker it was forked from.
    """
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def csv_header(path: Path) -> list[str]:
    """The header cells of a generated CSV file (quotes stripped)."""
    with path.open(encoding="utf-8") as handle:
        return [cell.strip('"') for cell in handle.readline().rstrip("\r\n").split(",")]


def work_floor(tasks: Path, sessions: Path, fmt: str) -> dict[str, Any]:
    """Scan only the columns the match needs, forcing DuckDB to read every value."""
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    for path, columns in ((tasks, TASK_COLUMNS), (sessions, SESSION_COLUMNS)):
        # hash() of every value: a bare max() would be answered from Parquet statistics.
        wanted = ", ".join(f'bit_xor(hash("{c}"))' for c in columns)
        if fmt == "parquet":
            source, params = "read_parquet($path)", {"path": str(path)}
        else:
            # calltouch's own read options (sql/_load.sql.j2): every column as text, strict.
            source = (
                "read_csv($path, header = true, columns = $columns, delim = ',', quote = '\"', "
                "escape = '\"', auto_detect = false, encoding = 'utf-8', null_padding = false, "
                "strict_mode = true, max_line_size = 16777216, buffer_size = 33554432, "
                "store_rejects = true, "
                "rejects_table = 'floor_rejects', rejects_scan = 'floor_rejects_scan')"
            )
            params = {"path": str(path), "columns": dict.fromkeys(csv_header(path), "VARCHAR")}
        con.execute(f"SELECT count(*), {wanted} FROM {source}", params).fetchall()  # noqa: S608
    return {"seconds": time.perf_counter() - started, "rss_mib": peak_rss_mib()}


def work_calltouch(tasks: Path, sessions: Path, fmt: str) -> dict[str, Any]:
    """``calltouch run`` end to end, as a user runs it; peak RSS is the child's."""
    with tempfile.TemporaryDirectory(prefix="bench-out-") as out:
        args = [sys.executable, "-m", "calltouch", "run", str(tasks), str(sessions)]
        args += ["--out", out, "--quiet"]
        if fmt == "parquet":
            args += ["--format", "parquet"]
        started = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"calltouch run failed ({done.returncode}): {done.stderr}")
        summary = json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "rss_mib": children_peak_rss_mib(),
        "merged": summary["tasks"]["merged"],
    }


def run_calltouch_in_process(tasks: Path, sessions: Path, fmt: str, out: Path) -> tuple[Any, dict]:
    """``pipeline.run`` in this process, timing its phases; returns the open connection too.

    The phases are timed by wrapping the functions ``pipeline.run`` calls (looked up in the
    pipeline module), so this follows the pipeline's own order and arguments, whatever they are.
    """
    from calltouch import pipeline, queries

    phases = dict.fromkeys(("load", "match", "summary", "write"), 0.0)
    wrapped = {
        "load_inputs": "load",
        "match": "match",
        "summarize": "summary",
        "write_exports": "write",
        "write_json": "write",
    }

    def timer(name: str, phase: str) -> Callable[..., Any]:
        original = getattr(pipeline, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                phases[phase] += time.perf_counter() - started

        return timed

    originals = {name: getattr(pipeline, name) for name in wrapped}
    for name, phase in wrapped.items():
        setattr(pipeline, name, timer(name, phase))
    con = queries.connect()
    try:
        pipeline.run(con, str(tasks), str(sessions), out, pipeline.RunSettings(), fmt=fmt)  # type: ignore[arg-type]
    finally:
        for name, original in originals.items():
            setattr(pipeline, name, original)
    return con, phases


def work_match(tasks: Path, sessions: Path, fmt: str) -> dict[str, Any]:
    """Load in-process, then time ``pipeline.match`` alone (and, for the breakdown, the rest)."""
    with tempfile.TemporaryDirectory(prefix="bench-match-") as tmp:
        con, phases = run_calltouch_in_process(tasks, sessions, fmt, Path(tmp))
        con.close()
    return {"seconds": phases["match"], "rss_mib": peak_rss_mib(), "phases": phases}


def polars_frames(tasks: Path, sessions: Path, fmt: str, extra: tuple[str, ...] = ()) -> Any:
    """Read both inputs with polars: calls with a BizibleId and a naive UTC call_time; sessions."""
    import polars as pl

    task_cols = [*TASK_COLUMNS, *extra]
    if fmt == "parquet":
        t = pl.read_parquet(tasks, columns=task_cols)
        s = pl.read_parquet(sessions, columns=list(SESSION_COLUMNS))
        times = [
            pl.col(c).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            for c in ("bizible2__Bizible_Touchpoint_Date__c", "CreatedDate")
        ]
        t = t.with_columns(times)
    else:
        t = pl.read_csv(
            tasks, columns=task_cols, schema_overrides=dict.fromkeys(task_cols, pl.String)
        )
        s = pl.read_csv(
            sessions,
            columns=list(SESSION_COLUMNS),
            schema_overrides=dict.fromkeys(SESSION_COLUMNS, pl.String),
        )
        t = t.with_columns(
            pl.col(c).str.to_datetime(TASK_TIME_FORMAT, time_unit="us", strict=False)
            for c in ("bizible2__Bizible_Touchpoint_Date__c", "CreatedDate")
        )
        s = s.with_columns(
            pl.col("EVENT_DATE").str.to_datetime(SESSION_TIME_FORMAT, time_unit="us")
        )
    calls = t.with_columns(
        call_time=pl.coalesce("bizible2__Bizible_Touchpoint_Date__c", "CreatedDate").cast(
            pl.Datetime("us")
        ),
        bizible_id=pl.col("bizible2__BizibleId__c").str.strip_chars(),
    ).filter(pl.col("bizible_id").is_not_null() & (pl.col("bizible_id") != ""))
    s = s.with_columns(pl.col("EVENT_DATE").cast(pl.Datetime("us")))
    return calls, s


def polars_asof(calls: Any, sessions: Any) -> Any:
    """The backward ASOF join within 30 minutes, both sides sorted by time first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "sortedness cannot be checked when 'by' is given"
        return calls.sort("call_time").join_asof(
            sessions.sort("EVENT_DATE"),
            left_on="call_time",
            right_on="EVENT_DATE",
            by_left="bizible_id",
            by_right="COOKIE_ID",
            strategy="backward",
            tolerance="30m",
        )


def work_polars(tasks: Path, sessions: Path, fmt: str) -> dict[str, Any]:
    started = time.perf_counter()
    calls, sess = polars_frames(tasks, sessions, fmt)
    joined = polars_asof(calls, sess)
    in_window = int(joined["ID"].is_not_null().sum())
    return {
        "seconds": time.perf_counter() - started,
        "rss_mib": peak_rss_mib(),
        "in_window": in_window,
    }


def work_pandas(tasks: Path, sessions: Path, fmt: str) -> dict[str, Any]:
    import pandas as pd

    started = time.perf_counter()
    if fmt == "parquet":
        t = pd.read_parquet(tasks, columns=list(TASK_COLUMNS))
        s = pd.read_parquet(sessions, columns=list(SESSION_COLUMNS))
        for c in ("bizible2__Bizible_Touchpoint_Date__c", "CreatedDate"):
            t[c] = t[c].dt.tz_convert("UTC").dt.tz_localize(None)
    else:
        t = pd.read_csv(tasks, usecols=list(TASK_COLUMNS), dtype=str, keep_default_na=False)
        s = pd.read_csv(sessions, usecols=list(SESSION_COLUMNS), dtype=str, keep_default_na=False)
        for c in ("bizible2__Bizible_Touchpoint_Date__c", "CreatedDate"):
            t[c] = pd.to_datetime(t[c], format="%Y-%m-%dT%H:%M:%S.%fZ", errors="coerce")
        s["EVENT_DATE"] = pd.to_datetime(s["EVENT_DATE"], format="%Y-%m-%d %H:%M:%S.%f")
    t["call_time"] = (
        t["bizible2__Bizible_Touchpoint_Date__c"].fillna(t["CreatedDate"]).astype("datetime64[us]")
    )
    t["bizible_id"] = t["bizible2__BizibleId__c"].fillna("").str.strip()
    calls = t[t["bizible_id"] != ""].sort_values("call_time")
    s["EVENT_DATE"] = s["EVENT_DATE"].astype("datetime64[us]")
    s = s.sort_values("EVENT_DATE")
    joined = pd.merge_asof(
        calls,
        s,
        left_on="call_time",
        right_on="EVENT_DATE",
        left_by="bizible_id",
        right_by="COOKIE_ID",
        tolerance=pd.Timedelta("30m"),
        direction="backward",
    )
    in_window = int(joined["ID"].notna().sum())
    return {
        "seconds": time.perf_counter() - started,
        "rss_mib": peak_rss_mib(),
        "in_window": in_window,
    }


WORKERS: dict[str, Callable[[Path, Path, str], dict[str, Any]]] = {
    "floor": work_floor,
    "calltouch": work_calltouch,
    "match": work_match,
    "polars": work_polars,
    "pandas": work_pandas,
}


def measure(engine: str, tasks: Path, sessions: Path, fmt: str) -> dict[str, Any]:
    """Run one worker in a fresh process and return what it reports."""
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", engine]
    args += ["--tasks", str(tasks), "--sessions", str(sessions), "--worker-format", fmt]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} worker failed ({done.returncode}):\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def startup_seconds(runs: int = 3) -> float:
    """Median wall time of ``python -m calltouch --version``: the fixed cost in every CLI run."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "calltouch", "--version"],
            capture_output=True,
            cwd=ROOT,
            check=True,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ----------------------------------------------------------------------------- agreement


def merged_details_differ(merged: Any, sessions: Path, fmt: str) -> int:
    """How many of calltouch's merged touchpoints (``merged``: task_id, session_id,
    session_start, campaign, landing_page and channel.subchannel) differ from their session
    id's row in the sessions file: the details are fetched by the session's row, not by its
    id, so a wrong row pick (R7) shows here and not in the links' ids."""
    import polars as pl

    columns = ["ID", "EVENT_DATE", "CHANNEL", "CAMPAIGN_NAME", "LANDING_PAGE"]
    if fmt == "parquet":
        rows = pl.read_parquet(sessions, columns=columns)
    else:
        rows = pl.read_csv(
            sessions, columns=columns, schema_overrides=dict.fromkeys(columns, pl.String)
        ).with_columns(pl.col("EVENT_DATE").str.to_datetime(SESSION_TIME_FORMAT, time_unit="us"))
    rows = rows.with_columns(pl.col("EVENT_DATE").cast(pl.Datetime("us")))
    joined = merged.with_columns(pl.col("session_start").cast(pl.Datetime("us"))).join(
        rows, left_on="session_id", right_on="ID", how="left"
    )
    same = (
        pl.col("session_start").eq_missing(pl.col("EVENT_DATE"))
        & pl.col("channel").eq_missing(pl.col("CHANNEL"))
        & pl.col("campaign").eq_missing(pl.col("CAMPAIGN_NAME"))
        & pl.col("landing_page").eq_missing(pl.col("LANDING_PAGE"))
    )
    return joined.filter(~same).height


def check_agreement(tasks: Path, sessions: Path, fmt: str) -> dict[str, int]:
    """polars and calltouch must pick the same session for every call (R1-R3).

    calltouch: after ``pipeline.match`` the table ``links`` holds, per de-duplicated task with
    a BizibleId, its candidate session (R2, with R7's smallest id among tied starts) and its
    own R3 verdict: ``match_reason`` ``within_window``, or ``session_already_used`` when R6
    made it standalone (R6 is ignored here). calltouch's verdict is taken, not recomputed from
    the gap, so that a wrong window in calltouch stops the benchmark.

    polars: tasks de-duplicated by Id keeping the last by LastModifiedDate (R9), sessions
    reduced to one row per (cookie, start) holding the smallest ID (R7), then the same ASOF
    join as the timed run. Session ids are checked to be unique first (R9 on sessions would
    otherwise matter).

    Also returns what the timed join (without R9 and R7, as the polars and pandas scripts
    are timed) gives on the same calls: its rows (a task read twice is joined twice) and the
    calls it links to another session than the check (a tied start's other session).
    """
    import polars as pl

    calls, sess = polars_frames(tasks, sessions, fmt, extra=("LastModifiedDate",))
    if sess["ID"].n_unique() != sess.height:
        raise SystemExit("agreement check: session ids repeat; this check assumes they do not")
    timed = polars_asof(calls, sess).select(
        pl.col("Id").alias("task_id"), pl.col("ID").alias("timed_session")
    )
    calls = calls.sort("LastModifiedDate").unique(subset="Id", keep="last")
    starts = sess.group_by("COOKIE_ID", "EVENT_DATE").agg(pl.col("ID").min())
    theirs = polars_asof(calls, starts).select(
        pl.col("Id").alias("task_id"), pl.col("ID").alias("polars_session")
    )

    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        con, _ = run_calltouch_in_process(tasks, sessions, fmt, Path(tmp))
    links = con.table("links").pl()
    merged = con.sql(
        "SELECT task_id, session_id, session_start, campaign, landing_page, "
        "concat_ws('.', channel, subchannel) AS channel FROM touchpoints "
        "WHERE match_status = 'merged'"
    ).pl()
    con.close()
    details_differ = merged_details_differ(merged, sessions, fmt)
    if details_differ:
        raise SystemExit(
            f"agreement check failed on {fmt}: {details_differ} of {merged.height} merged "
            "touchpoints show another session's start, channel, campaign or landing page "
            "than their session id's"
        )
    ours = links.select(
        "task_id",
        pl.when(pl.col("match_reason").is_in(["within_window", "session_already_used"]))
        .then(pl.col("session_id"))
        .alias("calltouch_session"),
    )
    # every call on both sides, once: a call one side lost reads as "no session" after the
    # join, which agrees with the other side's call outside the window
    for side, frame in (("calltouch", ours), ("polars", theirs)):
        if frame["task_id"].n_unique() != frame.height or frame.height != calls.height:
            raise SystemExit(
                f"agreement check failed on {fmt}: {side} holds {frame.height} rows for "
                f"{frame['task_id'].n_unique()} calls, of {calls.height} de-duplicated calls"
            )
    both = ours.join(theirs, on="task_id", how="full", coalesce=True)
    differ = both.filter(pl.col("calltouch_session").ne_missing(pl.col("polars_session")))
    if differ.height:
        print(differ.head(10), file=sys.stderr)
        raise SystemExit(
            f"agreement check failed on {fmt}: {differ.height} of {both.height} calls differ"
        )
    timed_differ = timed.join(theirs, on="task_id", how="left").filter(
        pl.col("timed_session").ne_missing(pl.col("polars_session"))
    )
    edge = links.filter((pl.col("gap_us") - WINDOW_US).abs() <= 1000)
    return {
        "calls": both.height,
        "in_window": int(both["polars_session"].is_not_null().sum()),
        "at_edge": edge.height,
        "tied_starts": sess.height - starts.height,
        "timed_rows": timed.height,
        "timed_differ": timed_differ["task_id"].n_unique(),
    }


# ----------------------------------------------------------------------------- report


@dataclass
class Cell:
    """The runs of one engine on one size and format."""

    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r["seconds"] for r in self.runs)

    @property
    def best(self) -> float:
        return min(r["seconds"] for r in self.runs)

    @property
    def rss(self) -> float:
        return max(r["rss_mib"] for r in self.runs)


def machine() -> dict[str, str]:
    """Cores, memory, CPU model and the versions that matter."""
    import duckdb

    info = {
        "cores": str(len(os.sched_getaffinity(0))),
        "memory": "?",
        "cpu": platform.processor() or "?",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        if found:
            info["memory"] = f"{int(found.group(1)) / 1024**2:.1f} GiB"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        if found:
            info["cpu"] = found.group(1).strip()
    for name in ("polars", "pandas", "pyarrow"):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            info[name] = "not installed"
    return info


def render(
    results: dict[tuple[int, int, str], dict[str, Cell]],
    runs: int,
    notes: list[str],
    command: str,
) -> str:
    info = machine()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `{command}`.",
        "",
        f"Machine: {info['cores']} cores ({info['cpu']}), {info['memory']} RAM. "
        f"Python {info['python']}, DuckDB {info['duckdb']}, polars {info['polars']}, "
        f"pandas {info['pandas']}, pyarrow {info['pyarrow']}.",
        "",
        f"Median (and fastest) of {runs} run(s), engines interleaved run by run; *÷ calltouch* = "
        "median engine time / median `calltouch run` time (above 1 = slower than calltouch); "
        "peak RSS is each engine's own process (largest over the runs).",
        "",
        "| sessions / calls | format | engine | median s | min s | ÷ calltouch | peak RSS MiB |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    breakdown = [
        "",
        "Where `calltouch run`'s time goes (in-process, median of the match worker's runs; "
        "the CLI adds the interpreter start and imports):",
        "",
        "| sessions / calls | format | load s | match s | summary s | write s | "
        "calltouch ÷ floor |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (sessions, calls, fmt), cells in results.items():
        size = f"{label(sessions)} / {label(calls)}"
        base = cells["calltouch"].median
        for engine in ENGINES:
            if engine not in cells:
                continue
            cell = cells[engine]
            lines.append(
                f"| {size} | {fmt} | {engine} | {cell.median:.2f} | {cell.best:.2f} "
                f"| {cell.median / base:.2f} | {cell.rss:.0f} |"
            )
        phases = {
            p: statistics.median(r["phases"][p] for r in cells["match"].runs)
            for p in ("load", "match", "summary", "write")
        }
        breakdown.append(
            f"| {size} | {fmt} | {phases['load']:.2f} | {phases['match']:.2f} | "
            f"{phases['summary']:.2f} | {phases['write']:.2f} | "
            f"{base / cells['floor'].median:.1f} |"
        )
    return "\n".join([*lines, *breakdown, "", *notes]) + "\n"


def write_section(path: Path, text: str) -> None:
    """Put ``text`` between the bench markers of ``path`` (creating either as needed)."""
    block = f"{BEGIN}\n{text}{END}\n"
    if path.is_file():
        current = path.read_text(encoding="utf-8")
        if BEGIN in current and END in current:
            head, _, rest = current.partition(BEGIN)
            _, _, tail = rest.partition(END)
            path.write_text(head + block + tail.lstrip("\n"), encoding="utf-8")
            return
        path.write_text(current.rstrip("\n") + "\n\n" + block, encoding="utf-8")
        return
    path.write_text("# Benchmarks\n\n" + block, encoding="utf-8")


# ----------------------------------------------------------------------------- main


def recorded_args(args: list[str]) -> list[str]:
    """The arguments as BENCHMARKS.md records them: a --json dump's path is left out and
    --write's is reduced to the file's name (either may be somewhere on this machine, not in
    the project)."""
    out: list[str] = []
    after = ""
    for arg in args:
        if after == "--json":
            after = ""
        elif after == "--write":
            out.append(Path(arg).name)
            after = ""
        elif arg == "--json":
            after = arg
        elif arg == "--write":
            after = arg
            out.append(arg)
        elif arg.startswith("--write="):
            out.append("--write=" + Path(arg.removeprefix("--write=")).name)
        elif not arg.startswith("--json="):
            out.append(arg)
    return out


def recorded_quick(path: Path) -> bool:
    """Whether ``path`` holds no recorded table, or one of ``--quick`` (whose times mean
    nothing): only such a file may take a quick run's table."""
    if not path.is_file():
        return True
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return True
    block = text[text.index(BEGIN) : text.index(END)]
    return "--quick" in block


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, help="default 1M/100k")
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--runs", type=positive, help="default 3")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--quick", action="store_true", help="20k sessions / 2k calls, 1 run")
    parser.add_argument("--write", type=Path, metavar="FILE", help="also write into FILE")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also dump every run as JSON")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--tasks", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sessions", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-format", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        report = WORKERS[args.worker](args.tasks, args.sessions, args.worker_format)
        print(json.dumps(report))
        return 0

    sizes = [QUICK_SIZE] if args.quick else args.sizes or parse_sizes("1M/100k")
    runs = 1 if args.quick else args.runs or 3
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(formats) - {"parquet", "csv"} | set(engines) - set(ENGINES)
    if not formats:  # an empty table would replace the recorded one (--write)
        parser.error("--formats names no format: give parquet, csv or parquet,csv")
    if unknown or not {"floor", "calltouch", "match"} <= set(engines):
        parser.error(f"unknown format/engine {sorted(unknown)} or floor/calltouch/match missing")
    if args.quick and (args.sizes is not None or args.runs is not None):
        # the recorded command would name options that had no effect
        parser.error("--quick runs 20k / 2k once: leave out --sizes and --runs, or --quick")
    if args.quick and args.write and not recorded_quick(args.write):
        parser.error(
            f"--quick's times mean nothing, and {args.write} records a full run's table: "
            "write a quick run elsewhere, or leave out --quick"
        )
    missing = missing_modules(engines)
    if missing:  # found before any data is generated or any engine is timed
        parser.error(
            f"{sys.executable} cannot import {', '.join(missing)}: run `make bench` (it "
            "installs the bench extra into .venv), or `pip install -e '.[bench]'` into this "
            "Python, or leave polars/pandas out with --engines floor,calltouch,match"
        )
    command = "python bench/bench.py " + " ".join(
        recorded_args(argv if argv is not None else sys.argv[1:])
    )
    load_before = os.getloadavg()[0]
    startup = startup_seconds()
    notes: list[str] = [
        f"- `python -m calltouch --version` takes {startup:.2f} s (interpreter start and "
        "imports): part of every `calltouch run` time above."
    ]
    results: dict[tuple[int, int, str], dict[str, Cell]] = {}
    for sessions, calls in sizes:
        for fmt in formats:
            size = f"{label(sessions)} / {label(calls)} {fmt}"
            tasks_path, sessions_path, gen_seconds = dataset(sessions, calls, fmt)
            if gen_seconds is not None:
                notes.append(f"- {size}: generated in {gen_seconds:.1f} s.")
                print(f"{size}: generated in {gen_seconds:.1f} s", file=sys.stderr)
            if "polars" not in engines:
                notes.append(f"- {size}: polars not run, so its agreement was not checked.")
            else:
                agreed = check_agreement(tasks_path, sessions_path, fmt)
                notes.append(
                    f"- {size}: polars and calltouch agree on all {agreed['calls']} calls with "
                    f"a BizibleId ({agreed['in_window']} within 30 min; {agreed['at_edge']} "
                    "at its edge, 30:00 exactly or a millisecond less or more; "
                    f"{agreed['tied_starts']} tied session starts). The timed joins skip R9 "
                    f"and R7 (pandas' as polars'): polars' gives {agreed['timed_rows']} rows "
                    f"for these calls (a task read twice is joined twice), "
                    f"{agreed['timed_differ']} of them linked to another session than "
                    "calltouch's (another of tied starts)."
                )
                print(f"{size}: agreement checked: {agreed}", file=sys.stderr)
            cells = {engine: Cell() for engine in engines}
            for run in range(runs):
                for engine in engines:
                    report = measure(engine, tasks_path, sessions_path, fmt)
                    cells[engine].runs.append(report)
                    print(
                        f"{size} run {run + 1}/{runs} {engine}: {report['seconds']:.2f} s, "
                        f"{report['rss_mib']:.0f} MiB",
                        file=sys.stderr,
                    )
            results[(sessions, calls, fmt)] = cells
    notes.append(
        f"- Load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on "
        f"{len(os.sched_getaffinity(0))} cores: other jobs share this machine, so compare "
        "engines within one table, not across runs."
    )
    text = render(results, runs, notes, command)
    if args.json:
        raw = [
            {"sessions": s, "calls": c, "format": f, "engine": e, "runs": cell.runs}
            for (s, c, f), cells in results.items()
            for e, cell in cells.items()
        ]
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    print(text)
    if args.write:
        write_section(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``calltouch.dashboard``: the one-screen dashboard, drawn on fixed-size recording consoles.

The layout is checked as text at 80x24, 120x40 and 160x48 against the numbers of the Report it
was drawn from; data that looks like rich markup prints literally; ``run`` draws once on a
non-terminal, redraws in watch mode when ``changed()`` changes, survives a failing ``load()`` and
quits on ``q`` (through a pseudo-terminal) or Ctrl-C. Every test that starts a thread bounds its
wait, so none can hang.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from calltouch import dashboard, queries, reporting
from calltouch.pipeline import RunSettings, run
from calltouch.reporting import Report, ReportOptions, pct
from calltouch.workspace import UNMATCHABLE
from tests.harness import SESSION_HEADER, TASK_HEADER, invoke, session, task, write_rows

SIZES = [(80, 24), (120, 40), (160, 48)]
SPARK = "▁▂▃▄▅▆▇"  # the channel and campaign bars use only █ and ░
WAIT = 3.0  # seconds any wait in these tests may last at most


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    con = queries.connect()
    out = tmp_path_factory.mktemp("dashboard")
    run(con, "data/sample/tasks.csv", "data/sample/sessions.csv", out, RunSettings())
    return reporting.build(con, ReportOptions(by="channel"), extras=True)


def draw(report: Report | None, width: int, height: int, **kwargs: str) -> str:
    console = Console(
        record=True, width=width, height=height, force_terminal=False, file=io.StringIO()
    )
    console.print(dashboard.render(report, **kwargs))
    return console.export_text()


def report_of(
    rows: list[tuple[str, int, int]],
    *,
    unmatched: int | None = 0,
    campaigns: list[tuple[str, int, int]] | None = None,
    reasons: list[tuple[str, str, int]] | None = None,
) -> Report:
    """A Report in the shape reporting.build gives, from (label, merged, standalone) rows."""

    def group(label: str, merged: int, standalone: int, total: int) -> dict:
        calls = merged + standalone
        return {
            "level": "group",
            "label": label,
            "calls": calls,
            "merged": merged,
            "standalone": standalone,
            "merge_rate": merged / calls if calls else None,
            "share": calls / total if total else None,
        }

    total = sum(m + s for _, m, s in rows)
    merged = sum(m for _, m, _ in rows)
    groups = [group(*r, total) for r in rows]
    groups.append({**group("Total", merged, total - merged, total), "level": "total"})
    return Report(
        options=ReportOptions(by="channel"),
        groups=groups,
        reasons=[{"status": s, "reason": r, "calls": c} for r, s, c in reasons or []],
        headline={
            "calls": total,
            "merged": merged,
            "standalone": total - merged,
            "unmatched": unmatched,
            "merge_rate": merged / total if total else None,
            "first_call": "2026-03-02T12:40:00Z" if total else None,
            "last_call": "2026-03-09T09:00:00Z" if total else None,
        },
        weekly=[group("2026-W10", merged, total - merged, total)] if total else [],
        campaigns=[group(*c, total) for c in campaigns or []],
    )


# --------------------------------------------------------------------------- render


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_dashboard_shows_the_report_at_each_size(sample_report, width, height):
    text = draw(sample_report, width, height, source="ws.duckdb", updated="12:00:00")
    lines = text.splitlines()
    assert len(lines) == height
    assert all(len(line) <= width for line in lines)

    head = sample_report.headline
    for value in (head["calls"], head["merged"], head["standalone"], head["unmatched"]):
        assert f"{value:,}" in text
    assert pct(head["merge_rate"]) in text
    assert head["first_call"][:10] in text
    assert head["last_call"][:10] in text

    # the largest channels each on a line with their bar; at 160x48 all of them
    shown = sample_report.rows if width >= 160 else sample_report.rows[:3]
    for row in shown:
        line = next(ln for ln in lines if f"│ {row['label']} " in ln)
        assert "█" in line or "░" in line, line
        assert f"{row['calls']:,}" in line

    # the weekly sparkline, between its first and last week
    assert any(ch in text for ch in SPARK)
    assert sample_report.weekly[0]["label"] in text
    assert sample_report.weekly[-1]["label"] in text

    named = next(c for c in sample_report.campaigns if not c["label"].startswith("("))
    assert (named["label"] if width >= 160 else named["label"][:10]) in text
    assert sample_report.reasons[0]["reason"] in text
    assert "q or Ctrl-C to quit" in lines[-1]
    assert "ws.duckdb" in lines[-1]


def test_small_screens_show_fewer_rows_with_a_note_and_large_ones_show_all(sample_report):
    small = draw(sample_report, 80, 24)
    assert "more rows" in small
    assert "more campaigns" in small
    large = draw(sample_report, 160, 48)
    assert "more" not in large
    assert all(c["label"] in large for c in sample_report.campaigns)
    # the tall screen lists the weeks with their merge rate
    assert "Merge %" in large
    assert all(w["label"] in large for w in sample_report.weekly)


@pytest.mark.parametrize(("width", "height"), [(40, 12), (59, 20), (30, 6), (200, 60)])
def test_odd_sizes_still_draw_without_cutting_numbers(sample_report, width, height):
    text = draw(sample_report, width, height)
    assert len(text.splitlines()) == height
    assert f"{sample_report.headline['calls']:,}" in text
    assert "q or Ctrl-C to quit" in text


HOSTILE = "[bold]Evil[/bold]"
HOSTILE_2 = "[red]x[/red]"


def test_data_that_looks_like_markup_prints_literally():
    report = report_of(
        [(HOSTILE, 5, 1), (HOSTILE_2, 2, 2)],
        campaigns=[("[link=https://example.com]c[/link]", 3, 0)],
        reasons=[("[blink]why", "standalone", 3)],
    )
    text = draw(report, 160, 48)
    assert HOSTILE in text
    assert HOSTILE_2 in text
    assert "[link=https://example.com]c[/link]" in text
    assert "[blink]why" in text


def test_markup_in_real_workspace_data_prints_literally(tmp_path: Path):
    """End to end: a channel and campaign with markup, loaded and matched by the pipeline."""
    tasks = write_rows(
        tmp_path / "tasks.csv",
        [task("00T000000000001AAA", "abc", "12:40"), task("00T000000000002AAA", "abc", "18:00")],
        TASK_HEADER,
    )
    sessions = write_rows(
        tmp_path / "sessions.csv",
        [session("S1", "abc", "12:17", channel=f"{HOSTILE}.x", CAMPAIGN_NAME=HOSTILE_2)],
        SESSION_HEADER,
    )
    con = queries.connect()
    run(con, str(tasks), str(sessions), tmp_path / "out", RunSettings())
    report = reporting.build(con, ReportOptions(by="channel"), extras=True)
    text = draw(report, 120, 40)
    assert HOSTILE in text
    assert HOSTILE_2 in text
    assert "outside_window" in text


def test_periods_show_the_latest_that_fit_with_the_earlier_ones_counted():
    # by week, the oldest weeks were listed and the current one hidden under "... 2 more rows"
    weeks = [(f"2026-W{n:02d}", n, 1) for n in range(1, 31)]
    report = replace(report_of(weeks), options=ReportOptions(by="week"))
    text = draw(report, 100, 24)
    assert "2026-W30" in text and "2026-W01" not in text
    assert re.search(r"\.\.\. \d+ earlier weeks", text)
    assert "more rows" not in text
    assert "more rows" in draw(report_of(weeks), 100, 24)  # other groupings: the largest


def test_an_empty_scope_is_not_told_to_wait():
    # a matched workspace with no call in --since/--until said "No touchpoints to show yet."
    report = replace(report_of([]), options=ReportOptions(by="channel", status="merged"))
    for width, height in ((160, 24), (40, 10)):
        text = " ".join(draw(report, width, height).split())
        assert "No touchpoints in this scope" in text and "yet" not in text


def test_an_empty_workspace_shows_what_to_do():
    for report in (report_of([]), None):
        text = draw(report, 160, 24)
        assert "No touchpoints to show yet" in text
        assert "calltouch load tasks" in text
        assert "calltouch match" in text
        assert "Calls by channel" not in text


def test_calls_without_bizible_ids_are_explained():
    # below 60 columns only "No touchpoints to show yet." was left, which sends the user to
    # run match: the reason is R1
    for width, height in ((80, 24), (40, 12)):
        text = " ".join(draw(report_of([], unmatched=7), width, height).split())
        assert "7 calls are loaded, but none has a BizibleId" in text, width


@pytest.mark.parametrize(("width", "height"), [(40, 6), (59, 5), (30, 8)])
def test_a_small_screen_shows_the_error_and_the_footer_first(width, height):
    # the reason for an empty screen, put before the error, pushed it and the footer off
    error = "Cannot read the workspace: w.duckdb is locked"
    lines = draw(report_of([], unmatched=7), width, height, error=error).splitlines()
    assert "Cannot read the workspace" in " ".join(lines[:3])
    assert lines[height - 1].strip() == "q or Ctrl-C to quit"


def test_a_narrow_screen_keeps_the_scope_of_its_numbers(sample_report):
    # below 60 columns the title lost "(since ..., merged only)": filtered totals passed for
    # the whole workspace's
    options = replace(sample_report.options, since=date(2026, 3, 1), status="merged")
    report = replace(sample_report, options=options)
    for width, height in ((80, 24), (50, 24)):
        text = " ".join(draw(report, width, height).split())
        assert "(since 2026-03-01, merged only)" in text, width


def test_an_error_is_shown_above_the_last_data(sample_report):
    text = draw(sample_report, 80, 24, error="IOException: Could not set lock [bold]")
    assert "Could not refresh" in text
    assert "IOException: Could not set lock [bold]" in text
    assert f"{sample_report.headline['calls']:,}" in text


def test_sparkline_scales_to_the_peak():
    assert dashboard.sparkline([0, 4, 8]) == [" ▄█"]
    assert dashboard.sparkline([1, 8], rows=2) == [" █", "▂█"]
    assert dashboard.sparkline([1, 800]) == ["▁█"]  # a small week never vanishes
    assert dashboard.sparkline([8], column_width=3) == ["██ "]
    assert dashboard.sparkline([0, 0]) == ["  "]
    assert dashboard.sparkline([]) == [""]


def test_weeks_without_calls_are_drawn_as_gaps():
    weekly = [
        {"label": "2026-W01", "calls": 8, "merge_rate": 1.0},
        {"label": "2026-W03", "calls": 4, "merge_rate": 0.5},
    ]
    filled = dashboard._filled_weeks(weekly)
    assert [label for label, _, _ in filled] == ["2026-W01", "2026-W02", "2026-W03"]
    assert [calls for _, calls, _ in filled] == [8, 0, 4]
    across_years = dashboard._filled_weeks(
        [{"label": "2025-W52", "calls": 1, "merge_rate": 1.0}, *weekly[:1]]
    )
    assert [label for label, _, _ in across_years] == ["2025-W52", "2026-W01"]
    # the last ISO week there is: no week after it to step to
    last = dashboard._filled_weeks(
        [
            {"label": "9999-W50", "calls": 1, "merge_rate": 1.0},
            {"label": "9999-W52", "calls": 2, "merge_rate": 0.5},
        ]
    )
    assert [label for label, _, _ in last] == ["9999-W50", "9999-W51", "9999-W52"]


# --------------------------------------------------------------------------- run


def headline_values(frame: str) -> list[str]:
    """The values under the headline tiles of one drawn frame."""
    lines = frame.strip("\n").splitlines()
    labels = next(i for i, line in enumerate(lines) if line.startswith("│ Calls"))
    return lines[labels + 1].strip("│ ").split()


@pytest.mark.parametrize(
    ("reason", "remedy", "width"),
    [
        ("1 load(s) of tasks or sessions since the last match", "run calltouch match", 60),
        ("1 load(s) of tasks or sessions since the last match", "run calltouch match", 80),
        (UNMATCHABLE, "reload into --db NEW.duckdb", 80),
        (UNMATCHABLE, "reload into --db NEW.duckdb", 60),
    ],
)
def test_the_stale_footer_keeps_its_remedy_at_narrow_widths(
    sample_report: Report, reason: str, remedy: str, width: int
) -> None:
    # at 80 columns the footer read "stale: 1 load(s) of tasks or sessions since the last
    # match;…": the fix, "run calltouch match", was the part cut
    stale = replace(sample_report, stale=reason)
    text = draw(stale, width, 24, source="calltouch.duckdb", hint=dashboard.QUIT_HINT)
    assert f"stale: {remedy}" in text, text


def recording_console(**kwargs: object) -> Console:
    options = {"width": 120, "height": 40, "force_terminal": False, **kwargs}
    return Console(record=True, file=io.StringIO(), **options)


def start(target, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=target, kwargs=kwargs, daemon=True)
    thread.start()
    return thread


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_run_without_watch_on_a_file_draws_once_and_returns(sample_report):
    console = recording_console()
    loads = []
    thread = start(
        dashboard.run,
        load=lambda: loads.append(1) or sample_report,
        watch=False,
        console=console,
        source="ws.duckdb",
    )
    thread.join(WAIT)
    assert not thread.is_alive()
    text = console.export_text()
    assert len(loads) == 1
    assert text.count("calltouch dashboard") == 1
    assert len(text.splitlines()) == 40
    assert f"{sample_report.headline['calls']:,}" in text
    assert "ws.duckdb" in text
    assert "to quit" not in text  # drawn once: nothing to quit


def test_run_on_a_dumb_terminal_draws_once_and_returns(sample_report):
    # TERM=dumb (an editor's shell): the alternate screen drew nothing, and the dashboard
    # waited for a q on a blank screen
    console = recording_console(force_terminal=True, _environ={"TERM": "dumb"})
    thread = start(
        dashboard.run, load=lambda: sample_report, watch=False, console=console, source="w"
    )
    thread.join(WAIT)
    assert not thread.is_alive()
    text = console.export_text()
    assert text.count("calltouch dashboard") == 1
    assert f"{sample_report.headline['calls']:,}" in text


def test_a_matched_workspace_without_calls_is_not_told_to_match(tmp_path: Path) -> None:
    """Matched with no task to link, the dashboard asked to load exports and then match, as
    for a workspace never matched."""
    db = tmp_path / "w.duckdb"
    sessions = write_rows(tmp_path / "s.csv", [session("S1", "abc", "10:00")], SESSION_HEADER)
    invoke("load", "sessions", sessions, "--db", db)
    invoke("match", "--db", db, "--quiet")
    text = invoke("dashboard", "--db", db).stdout
    assert "The last match had no calls to link" in text
    assert "then run `calltouch match` again" in text


@contextlib.contextmanager
def watching(
    load: Callable[[], Report | None], changed: Callable[[], object], console: Console
) -> Iterator[threading.Thread]:
    """dashboard.run watching in a thread (polling every 10 ms) while the block runs; then
    stopped, and checked to have stopped."""
    stop = threading.Event()
    thread = start(
        dashboard.run,
        load=load,
        watch=True,
        console=console,
        changed=changed,
        poll_seconds=0.01,
        stop=stop,
    )
    try:
        yield thread
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive()


def test_watch_redraws_when_changed_changes_and_stops_on_request():
    first = report_of([("Paid Search", 11, 0)])
    second = report_of([("Paid Search", 11, 0), ("Brand New Channel", 3, 4)])
    version = {"value": 1}
    loads: list[Report] = []

    def load() -> Report:
        loads.append(first if version["value"] == 1 else second)
        return loads[-1]

    console = recording_console()
    with watching(load, lambda: version["value"], console):
        wait_until(lambda: len(loads) == 1, "the first draw")
        time.sleep(0.05)  # several polls without a change: no reload
        assert len(loads) == 1
        version["value"] = 2
        wait_until(lambda: len(loads) == 2, "the redraw")
        time.sleep(0.05)
        assert len(loads) == 2  # changed once, drawn again once
    text = console.export_text()
    assert text.count("calltouch dashboard") == 2
    before, after = text.split("Ctrl-C to quit")[:2]
    assert "Brand New Channel" not in before
    assert "Brand New Channel" in after
    assert headline_values(before)[:3] == ["11", "11", "0"]
    assert headline_values(after)[:3] == ["18", "14", "4"]  # calls, merged, standalone


def test_a_failing_load_shows_the_error_and_watching_goes_on():
    good = report_of([("Paid Search", 5, 1)])
    version = {"value": 1}
    loads: list[str] = []

    def load() -> Report:
        loads.append("load")
        if version["value"] == 1:
            raise RuntimeError("the workspace is being written [bold]now[/bold]")
        return good

    console = recording_console(width=80, height=24)
    with watching(load, lambda: version["value"], console) as thread:
        wait_until(lambda: len(loads) == 1, "the failing load")
        assert thread.is_alive()
        version["value"] = 2
        wait_until(lambda: len(loads) == 2, "the reload")
    first, second = console.export_text().split("Ctrl-C to quit")[:2]
    assert "RuntimeError: the workspace is being written [bold]now[/bold]" in first
    assert "Paid Search" in second
    assert "RuntimeError" not in second


def test_a_workspace_held_by_another_program_is_tried_again_unchanged():
    # a program that held the workspace and let go without writing it (a DuckDB client that
    # only read) changes nothing the watch polls: the error stayed on screen for good
    from calltouch.errors import WorkspaceInUseError

    held = {"value": True}
    loads: list[str] = []

    def load() -> Report:
        loads.append("load")
        if held["value"]:
            raise WorkspaceInUseError("the workspace w.duckdb is in use by another program")
        return report_of([("Paid Search", 5, 1)])

    console = recording_console(width=80, height=24)
    with watching(load, lambda: 1, console):
        wait_until(lambda: len(loads) >= 3, "the loads tried again")
        held["value"] = False
        wait_until(lambda: "Paid Search" in console.export_text(clear=False), "the drawing")
    drawings = console.export_text().split("Ctrl-C to quit")[:-1]
    # tried at each poll, drawn only when something changed: once held, once read
    assert len(drawings) == 2 and "in use by another program" in drawings[0], drawings
    assert "Paid Search" in drawings[1] and "in use" not in drawings[1]


def test_a_failing_changed_does_not_crash_the_watch():
    calls = {"n": 0}

    def changed() -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("the workspace file vanished")
        return 1

    stop = threading.Event()
    thread = start(
        dashboard.run,
        load=lambda: report_of([("Direct", 1, 0)]),
        watch=True,
        console=recording_console(),
        changed=changed,
        poll_seconds=0.01,
        stop=stop,
    )
    wait_until(lambda: calls["n"] > 5, "polls after the failure")
    stop.set()
    thread.join(WAIT)
    assert not thread.is_alive()


def test_ctrl_c_ends_the_dashboard_quietly():
    polls: list[int] = []

    def changed() -> int:  # Ctrl-C arrives while watching, after the first drawing
        polls.append(1)
        if len(polls) > 1:
            raise KeyboardInterrupt
        return 1

    console = recording_console()
    # run in this thread: KeyboardInterrupt must not escape it
    dashboard.run(
        lambda: report_of([("Direct", 1, 0)]),
        watch=True,
        console=console,
        changed=changed,
        poll_seconds=0.01,
    )
    assert "Direct" in console.export_text()


@pytest.mark.skipif(
    sys.platform == "win32" or dashboard.termios is None, reason="needs a POSIX terminal"
)
def test_q_on_a_terminal_quits_and_restores_the_terminal():
    import termios

    master, slave = os.openpty()
    keys = os.fdopen(slave, "r", closefd=False)
    before = termios.tcgetattr(slave)
    console = Console(file=io.StringIO(), force_terminal=True, width=100, height=30)
    stop = threading.Event()
    loads: list[int] = []
    thread = start(
        dashboard.run,
        load=lambda: loads.append(1) or report_of([("Direct", 1, 0)]),
        watch=False,
        console=console,
        stop=stop,
        keys=keys,
    )
    try:
        wait_until(lambda: loads, "the first draw")
        time.sleep(0.1)
        assert thread.is_alive()  # a terminal keeps the dashboard up
        os.write(master, b"x")
        time.sleep(0.1)
        assert thread.is_alive()  # other keys do nothing
        os.write(master, b"Q")
        thread.join(WAIT)
        assert not thread.is_alive()
        assert termios.tcgetattr(slave) == before
        assert stop.is_set()
    finally:
        stop.set()
        thread.join(WAIT)
        keys.close()
        os.close(master)
        os.close(slave)
    assert "Direct" in console.file.getvalue()


def test_no_key_reading_when_input_is_not_a_terminal():
    stop = threading.Event()
    with dashboard.quit_keys(io.StringIO("q"), stop) as reading:
        assert reading is False
    assert not stop.is_set()


def test_the_dashboard_imports_no_typer():
    source = Path(dashboard.__file__).read_text(encoding="utf-8")
    assert "import typer" not in source
    assert "from typer" not in source


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_unmatched_not_counted_under_a_status_shows_a_dash(width, height):
    # --status merged or standalone chooses no task without a touchpoint: the headline's
    # unmatched is None there, shown as a dash at every size (it had crashed the compact
    # screen and shown a false 0 on the others)
    report = report_of([("Paid Search", 3, 0)], unmatched=None)
    text = draw(report, width, height, source="ws.duckdb", updated="12:00:00")
    assert "—" in text


def test_the_time_of_the_last_reload_is_shown_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    # it was the machine's local clock, where every other time calltouch shows is UTC
    import time
    from datetime import UTC, datetime

    from calltouch.dashboard import _State

    monkeypatch.setenv("TZ", "Pacific/Chatham")  # 12:45 or 13:45 ahead of UTC
    time.tzset()
    try:
        state = _State(lambda: None, "ws.duckdb")
        before = datetime.now(UTC)
        state.reload()
        after = datetime.now(UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert state.updated.endswith(" UTC")
    assert state.updated[:-4] in {before.strftime("%H:%M:%S"), after.strftime("%H:%M:%S")}


@pytest.mark.parametrize(("width", "height"), SIZES[1:])
def test_merged_calls_only_do_not_claim_every_call_merged(
    tmp_path: Path, width: int, height: int
) -> None:
    """--status merged has no reasons by choice, whatever the calls left out."""
    con = queries.connect()
    try:
        run(con, "data/sample/tasks.csv", "data/sample/sessions.csv", tmp_path, RunSettings())
        report = reporting.build(con, ReportOptions(by="channel", status="merged"), extras=True)
    finally:
        con.close()
    text = draw(report, width, height, source="ws.duckdb", updated="12:00:00")
    assert "Every call merged" not in text
    assert "merged calls only" in text

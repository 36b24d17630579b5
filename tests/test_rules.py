"""One test per matching rule of SPEC §2 (R1-R9), each named after its rule, plus the worked
examples. Every test runs the real pipeline on small CSV exports (tests/harness.py)."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from calltouch import queries
from calltouch.durations import parse_window
from calltouch.pipeline import RunSettings
from calltouch.pipeline import run as run_pipeline
from tests.harness import (
    TASK_HEADER,
    CalltouchError,
    Outcome,
    at,
    read_outcome,
    run_case,
    session,
    task,
)

ABC = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
DEF = "0f9e8d7c6b5a49382716f5e4d3c2b1a0"
GHI_COOKIE = "77aa77aa77aa77aa77aa77aa77aa77aa"


# ----------------------------------------------------------------------------- R1


def test_r1_no_bizible_id_no_touchpoint(tmp_path: Path) -> None:
    """Missing, empty and white-space BizibleIds give no touchpoint: unmatched, no_bizible_id."""
    out = run_case(
        tmp_path,
        [
            task("T1", None, "12:40"),
            task("T2", "", "12:40"),
            task("T3", "   \t ", "12:40"),
            task("T4", ABC, "12:40"),
        ],
        [session("S1", ABC, "12:17")],
    )
    for task_id in ("T1", "T2", "T3"):
        assert task_id not in out.touchpoints
        assert out.unmatched[task_id]["reason"] == "no_bizible_id"
    assert out.status("T4") == ("merged", "within_window")
    assert out.summary["tasks"]["unmatched"] == 3
    assert out.summary["tasks"]["touchpoints"] == 1


def test_r1_a_database_exports_null_word_is_no_bizible_id(tmp_path: Path) -> None:
    """\\N (MySQL, Hive, Snowflake unloads) and NULL (SQL Server) are how database exports
    write a missing value: read as BizibleIds, every such call merged with a session of
    another visitor whose cookie was written the same way. They are blank (R1), as are the
    sessions' cookies and details written so; the task's own columns keep them as read."""
    out = run_case(
        tmp_path,
        [
            task("T1", "\\N", "12:40"),
            task("T2", "NULL", "12:40"),
            task("T3", " null ", "12:40"),
            task("T4", ABC, "12:40", Type="NULL"),
        ],
        [
            session("S1", "\\N", "12:17"),
            session("S2", "NULL", "12:20"),
            session("S3", ABC, "12:30", channel="NULL", CAMPAIGN_NAME="\\N"),
        ],
    )
    for task_id in ("T1", "T2", "T3"):
        assert out.unmatched[task_id]["reason"] == "no_bizible_id"
        assert out.unmatched[task_id]["BizibleId"].strip() in ("\\N", "NULL", "null")
    merged = out.touchpoints["T4"]
    assert (merged["session_id"], merged["match_status"]) == ("S3", "merged")
    # a NULL Type is blank (R4: a merged call is a Web Visit), a NULL channel none
    assert (merged["touchpoint_type"], merged["channel"], merged["campaign"]) == (
        "Web Visit",
        "",
        "",
    )


def test_r1_unmatched_carries_the_tasks_own_columns(tmp_path: Path) -> None:
    out = run_case(tmp_path, [task("T1", " ", "12:40", subject="Pricing call")], [])
    row = out.unmatched["T1"]
    assert row["Subject"] == "Pricing call"
    assert row["CreatedDate"] == at("12:40")
    assert row["Id"] == "T1"


# ----------------------------------------------------------------------------- R2


def test_r2_candidate_is_latest_session_at_or_before_call(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:40")],
        [
            session("S-early", ABC, "12:00", "Email.Newsletter"),
            session("S-latest", ABC, "12:20", "Paid Search.AdWords"),
            session("S-later", ABC, "12:45", "Display.GDN"),
        ],
    )
    row = out.touchpoints["T1"]
    assert row["session_id"] == "S-latest"
    assert row["channel"] == "Paid Search"


def test_r2_session_at_the_exact_call_time_is_a_candidate(tmp_path: Path) -> None:
    out = run_case(tmp_path, [task("T1", ABC, "12:17")], [session("S1", ABC, "12:17")])
    assert out.status("T1") == ("merged", "within_window")
    assert out.touchpoints["T1"]["minutes_after_session_start"] == "0.0"


def test_r2_sessions_after_the_call_are_never_candidates(tmp_path: Path) -> None:
    out = run_case(tmp_path, [task("T1", ABC, "12:40")], [session("S1", ABC, "12:40:01")])
    assert out.status("T1") == ("standalone", "only_later_sessions")


def test_r2_bizible_ids_trimmed_but_case_sensitive(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T-trim", f"  {ABC}\t", "12:40"), task("T-case", ABC.upper(), "12:40")],
        [session("S1", ABC, "12:17"), session("S2", f" {DEF} ", "12:20")],
    )
    assert out.status("T-trim") == ("merged", "within_window")
    assert out.touchpoints["T-trim"]["bizible_id"] == ABC
    assert out.status("T-case") == ("standalone", "no_session_for_id")


def test_r1_r2_unicode_white_space_is_trimmed_too(tmp_path: Path) -> None:
    # Japanese Excel exports pad with the ideographic space U+3000; typesetting tools leave
    # em spaces (U+2003): both are white space, like the no-break space
    out = run_case(
        tmp_path,
        [
            task("T-blank", "\u3000\u2003", "12:40"),
            task("T-em", f"{ABC}\u2003", "12:40"),
            task("T-ideo", f"\u3000{DEF}", "12:41"),
        ],
        [session("S1", ABC, "12:17"), session("S2", f"{DEF}\u00a0", "12:20")],
    )
    assert out.status("T-blank") == ("unmatched", "no_bizible_id")
    assert out.status("T-em") == ("merged", "within_window")
    assert out.touchpoints["T-em"]["bizible_id"] == ABC
    assert out.status("T-ideo") == ("merged", "within_window")


# ----------------------------------------------------------------------------- R3


def test_r3_window_is_inclusive_at_exactly_30_minutes(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T-at", ABC, at("12:47:00")), task("T-past", DEF, at("12:47:00.001"))],
        [session("S1", ABC, "12:17"), session("S2", DEF, "12:17")],
    )
    assert out.status("T-at") == ("merged", "within_window")
    assert out.touchpoints["T-at"]["minutes_after_session_start"] == "30.0"
    assert out.status("T-past") == ("standalone", "outside_window")


def test_r3_an_outside_window_call_never_shows_the_window_as_its_minutes(tmp_path: Path) -> None:
    # rounded to 5 decimals, 30 min and 100 us read 30.0: the window, which merges
    out = run_case(
        tmp_path,
        [
            task("T-us", ABC, at("12:47:00.0001")),
            task("T-one", DEF, at("12:47:00.000001")),
            task("T-far", GHI_COOKIE, at("13:05:00")),
        ],
        [
            session("S1", ABC, "12:17"),
            session("S2", DEF, "12:17"),
            session("S3", GHI_COOKIE, "12:17"),
        ],
    )
    minutes = {t: out.touchpoints[t]["nearest_session_minutes"] for t in ("T-us", "T-one", "T-far")}
    assert minutes == {"T-us": "30.00001", "T-one": "30.00001", "T-far": "48.0"}
    assert {out.status(t) for t in minutes} == {("standalone", "outside_window")}


def test_r3_the_window_corner_holds_for_a_window_above_the_default(tmp_path: Path) -> None:
    # a touchpoints step given the default window (30m) showed 45.0 for a call 100 us past a
    # 45m window, which reads as merging
    out = run_case(
        tmp_path, [task("T1", ABC, at("13:02:00.0001"))], [session("S1", ABC, "12:17")],
        window="45m",
    )  # fmt: skip
    assert out.status("T1") == ("standalone", "outside_window")
    assert out.touchpoints["T1"]["nearest_session_minutes"] == "45.00001"


@pytest.mark.parametrize("seconds", [66, 33, 249, 90, 2700, 604800])
def test_r3_the_window_corner_holds_for_windows_not_whole_minutes(
    tmp_path: Path, seconds: int
) -> None:
    # 66 s is 1.1 minutes, and 1.1 * 60000000 is 66000000.00000001 in floating point: the
    # corner was missed, and the call a microsecond past the window read 1.1. Windows above
    # the default (45m, 168h) too: a touchpoints step given the default window passed the rest
    start = datetime(2026, 3, 2, 12, 17, tzinfo=UTC)
    call = (start + timedelta(seconds=seconds, microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    out = run_case(
        tmp_path, [task("T1", ABC, call)], [session("S1", ABC, "12:17")], window=f"{seconds}s"
    )
    assert out.status("T1") == ("standalone", "outside_window")
    assert float(out.touchpoints["T1"]["nearest_session_minutes"]) > seconds / 60


def test_r3_minutes_a_millisecond_apart_are_written_without_an_exponent(tmp_path: Path) -> None:
    # DuckDB writes a DOUBLE below 0.0001 as 2e-05: in CSV the minutes are plain decimals
    out = run_case(
        tmp_path,
        [task("T1", ABC, at("12:17:00.001")), task("T2", DEF, at("12:17:00.0006"))],
        [session("S1", ABC, "12:17"), session("S2", DEF, "12:17")],
    )
    for task_id, minutes in (("T1", "0.00002"), ("T2", "0.00001")):
        row = out.touchpoints[task_id]
        assert row["minutes_after_session_start"] == row["nearest_session_minutes"] == minutes


def test_r3_window_option_sets_the_window(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T-in", ABC, "13:02"), task("T-out", DEF, "13:02:01")],
        [session("S1", ABC, "12:17"), session("S2", DEF, "12:17")],
        window="45m",
    )
    assert out.status("T-in") == ("merged", "within_window")
    assert out.status("T-out") == ("standalone", "outside_window")
    assert out.summary["window_minutes"] == 45


@pytest.mark.parametrize(
    ("window", "call", "merged"),
    [
        ("45m", "13:02", True),
        ("45m", "13:02:01", False),
        ("1h", "13:17", True),
        ("1h", "13:17:01", False),
        ("90s", "12:18:30", True),
        ("90s", "12:18:31", False),
        # summary.json's window_minutes read 0.0 (rounded to 6 decimals) for a 1us window
        ("1us", "2026-03-02T12:17:00.000001Z", True),
        ("1us", "2026-03-02T12:17:00.000002Z", False),
    ],
)
def test_r3_window_option(tmp_path: Path, window: str, call: str, merged: bool) -> None:
    out = run_case(tmp_path, [task("T1", ABC, call)], [session("S1", ABC, "12:17")], window=window)
    assert out.status("T1")[0] == ("merged" if merged else "standalone")
    assert parse_window(out.summary["settings"]["window"]) == parse_window(window)
    assert out.summary["window_minutes"] == pytest.approx(parse_window(window) / 60_000_000)
    assert out.summary["window_minutes"] > 0


def test_r3_session_starting_a_whole_window_before_keeps_its_details(tmp_path: Path) -> None:
    # 12:00 and 12:30 fall in consecutive 30-minute spans: the session's details are kept
    # because the call's span and the one before both count (see the parametrized test below).
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:30", "")],
        [session("S1", ABC, "12:00", "Social.LinkedIn", medium="paid social", source="li")],
    )
    row = out.touchpoints["T1"]
    assert out.status("T1") == ("merged", "within_window")
    assert (row["channel"], row["subchannel"]) == ("Social", "LinkedIn")
    assert (row["medium"], row["touchpoint_source"]) == ("paid social", "li")


@pytest.mark.parametrize(
    ("window", "start", "call"),
    [
        ("30m", "2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z"),  # a window apart, spans apart
        ("30m", "2026-03-02T12:29:59Z", "2026-03-02T12:30:00Z"),
        ("7m", "2026-03-02T12:17:00Z", "2026-03-02T12:24:00Z"),
        ("0s", "2026-03-02T12:17:00.123Z", "2026-03-02T12:17:00.123Z"),
        ("168h", "2026-02-23T12:17:00Z", "2026-03-02T12:17:00Z"),
        ("30m", "1969-12-31T23:10:00Z", "1969-12-31T23:40:00Z"),  # spans -1 and 0 (truncated)
        ("30m", "1969-12-31T23:00:00Z", "1969-12-31T23:30:00Z"),
    ],
)
def test_r3_merged_session_shows_its_details_at_any_window_edge(
    tmp_path: Path, window: str, start: str, call: str
) -> None:
    # A one-shot run on CSV keeps the details only of the sessions that start in the span of
    # one window of a call of their cookie, or the span before (calling_spans): a merged
    # session must never lose them, at any window and on either side of a span's edge.
    out = run_case(
        tmp_path,
        [task("T1", ABC, call), task("T2", DEF, call)],
        [
            session("S1", ABC, start, "Social.LinkedIn", campaign="Q1", landing="https://x.io/a"),
            session("S2", DEF, "2026-03-09T12:00:00Z", "Email"),  # only later: no details
        ],
        window=window,
    )
    row = out.touchpoints["T1"]
    assert out.status("T1") == ("merged", "within_window")
    assert (row["channel"], row["subchannel"]) == ("Social", "LinkedIn")
    assert (row["campaign"], row["landing_page"]) == ("Q1", "https://x.io/a")
    assert out.status("T2") == ("standalone", "only_later_sessions")


# ----------------------------------------------------------------------------- R4


def test_r4_merged_touchpoint_takes_type_from_task_and_marketing_from_session(
    tmp_path: Path,
) -> None:
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:40", "Inbound Call", who="00Q000000000001AAA")],
        [
            session(
                "S1",
                ABC,
                "12:17",
                "Paid Search.AdWords",
                medium="cpc",
                source="google",
                campaign="Spring Sale",
                ad="Ad 7",
                landing="https://www.example.com/pricing",
                referrer="https://www.google.com/",
                phrase="call tracking software",
            )
        ],
    )
    row = out.touchpoints["T1"]
    assert row["touchpoint_id"] == "TP_T1"
    assert row["match_status"] == "merged"
    assert row["touchpoint_type"] == "Inbound Call"
    assert row["medium"] == "Inbound Call"
    assert row["touchpoint_source"] == "google"
    assert (row["channel"], row["subchannel"]) == ("Paid Search", "AdWords")
    assert row["campaign"] == "Spring Sale"
    assert row["ad_name"] == "Ad 7"
    assert row["landing_page"] == "https://www.example.com/pricing"
    assert row["referrer_page"] == "https://www.google.com/"
    assert row["search_phrase"] == "call tracking software"
    assert row["touchpoint_date"] == at("12:40")
    assert row["session_start"] == at("12:17")
    assert row["minutes_after_session_start"] == "23.0"
    assert row["who_id"] == "00Q000000000001AAA"


def test_r4_blank_type_gives_web_visit_and_session_medium(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:40", "  ")],
        [session("S1", ABC, "12:17", "Social.LinkedIn", medium="social")],
    )
    row = out.touchpoints["T1"]
    assert row["touchpoint_type"] == "Web Visit"
    assert row["medium"] == "social"


def test_r4_a_call_logs_own_type_wins_over_its_profiles_default(tmp_path: Path) -> None:
    # a vendor log's profile fills a blank Type with Call; a Type the log has is the type
    header = ("Call ID", "Start Time", "Source", "biz", "Type")
    out = run_case(
        tmp_path,
        [
            {"Call ID": "C1", "Start Time": at("12:40"), "biz": ABC, "Type": "Inbound Call"},
            {"Call ID": "C2", "Start Time": at("13:40"), "biz": ABC, "Type": ""},
        ],
        [session("S1", ABC, "12:17", medium="cpc")],
        task_header=header,
        maps=["tasks.bizible_id=biz"],
    )
    assert out.summary["tasks"]["files"][0]["profile"] == "callrail"
    types = {t: (r["touchpoint_type"], r["medium"]) for t, r in out.touchpoints.items()}
    assert types == {"C1": ("Inbound Call", "Inbound Call"), "C2": ("Call", "Call")}


# ----------------------------------------------------------------------------- R5


def test_r5_standalone_reasons(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [
            task("T-none", "feedfacefeedfacefeedfacefeedface", "12:10"),
            task("T-later", ABC, "12:10"),
            task("T-outside", DEF, "13:05"),
        ],
        [session("S1", ABC, "12:17"), session("S2", DEF, "12:17")],
    )
    assert out.status("T-none") == ("standalone", "no_session_for_id")
    assert out.status("T-later") == ("standalone", "only_later_sessions")
    assert out.status("T-outside") == ("standalone", "outside_window")
    assert out.touchpoints["T-outside"]["nearest_session_minutes"] == "48.0"
    assert out.touchpoints["T-later"]["nearest_session_minutes"] == ""


def test_r5_standalone_has_no_session_data(tmp_path: Path) -> None:
    out = run_case(tmp_path, [task("T1", ABC, "13:05", None)], [session("S1", ABC, "12:17")])
    row = out.touchpoints["T1"]
    assert row["match_status"] == "standalone"
    assert row["touchpoint_type"] == "CRM Activity"
    assert row["medium"] == ""
    assert row["touchpoint_source"] == "CRM Activity"
    assert row["channel"] == "Other"
    for column in (
        "subchannel",
        "campaign",
        "ad_name",
        "landing_page",
        "referrer_page",
        "search_phrase",
        "session_id",
        "session_start",
        "minutes_after_session_start",
    ):
        assert row[column] == "", column


def test_r5_standalone_keeps_type_as_type_and_medium(tmp_path: Path) -> None:
    out = run_case(tmp_path, [task("T1", ABC, "13:05", "Call")], [])
    row = out.touchpoints["T1"]
    assert (row["touchpoint_type"], row["medium"]) == ("Call", "Call")


# ----------------------------------------------------------------------------- R6


def test_r6_one_touchpoint_per_session(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [
            task("T3", ABC, "12:30"),
            task("T1", ABC, "12:20"),
            task("T2", ABC, "12:25"),
        ],
        [session("S1", ABC, "12:17")],
    )
    assert out.status("T1") == ("merged", "within_window")
    assert out.status("T2") == ("standalone", "session_already_used")
    assert out.status("T3") == ("standalone", "session_already_used")
    assert out.touchpoints["T2"]["session_id"] == ""
    assert out.touchpoints["T2"]["nearest_session_minutes"] == "8.0"


def test_r6_earliest_call_merges_whatever_its_id(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:25"), task("T9", ABC, "12:20")],
        [session("S1", ABC, "12:17")],
    )
    assert out.status("T9") == ("merged", "within_window")
    assert out.status("T1") == ("standalone", "session_already_used")


def test_r6_tie_on_call_time_smallest_task_id_merges(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T-b", ABC, "12:20"), task("T-a", ABC, "12:20")],
        [session("S1", ABC, "12:17")],
    )
    assert out.status("T-a") == ("merged", "within_window")
    assert out.status("T-b") == ("standalone", "session_already_used")


def test_r6_per_session_all_lifts_the_limit(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:20"), task("T2", ABC, "12:25"), task("T3", ABC, "13:00")],
        [session("S1", ABC, "12:17")],
        per_session="all",
    )
    assert out.status("T1") == ("merged", "within_window")
    assert out.status("T2") == ("merged", "within_window")
    assert out.status("T3") == ("standalone", "outside_window")
    assert out.touchpoints["T2"]["session_id"] == "S1"


def test_r6_used_session_does_not_push_a_call_to_an_earlier_session(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:20"), task("T2", ABC, "12:25")],
        [session("S0", ABC, "12:05"), session("S1", ABC, "12:17")],
    )
    assert out.touchpoints["T1"]["session_id"] == "S1"
    assert out.status("T2") == ("standalone", "session_already_used")


# ----------------------------------------------------------------------------- R7


def test_r7_tied_session_starts_smallest_session_id_wins(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:40")],
        [
            session("S-b", ABC, "12:17", "Display.GDN"),
            session("S-a", ABC, "12:17", "Email.Newsletter"),
            session("S-c", ABC, "12:17", "Social.LinkedIn"),
        ],
    )
    assert out.touchpoints["T1"]["session_id"] == "S-a"
    assert out.touchpoints["T1"]["channel"] == "Email"


def test_r7_output_order_is_touchpoint_date_then_task_id(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [
            task("T9", ABC, "12:30"),
            task("T2", DEF, "12:40"),
            task("T1", DEF, "12:30"),
            task("T5", "x", "11:00"),
        ],
        [session("S1", ABC, "12:17")],
    )
    assert [r["task_id"] for r in out.touchpoint_rows] == ["T5", "T1", "T9", "T2"]


def test_r7_output_order_is_by_the_instant_not_its_iso_text(tmp_path: Path) -> None:
    # as text '12:30:00.100Z' sorts before '12:30:00Z'; as instants it is 100 ms later
    out = run_case(
        tmp_path,
        [
            task("A1", ABC, "2026-03-02T12:30:00.500Z"),
            task("B1", DEF, "2026-03-02T12:30:00.100Z"),
            task("C1", ABC, "2026-03-02T12:30:00Z"),
            task("D1", DEF, "2026-03-02T12:30:01Z"),
        ],
        [session("S1", ABC, "12:17")],
    )
    assert [r["task_id"] for r in out.touchpoint_rows] == ["C1", "B1", "A1", "D1"]


def test_r7_same_inputs_give_byte_identical_outputs(tmp_path: Path) -> None:
    tasks = [task(f"T{i}", ABC if i % 2 else DEF, f"12:{10 + i}") for i in range(20)]
    sessions = [
        session("S1", ABC, "12:00"),
        session("S2", DEF, "12:15"),
        session("S0", DEF, "12:15"),
    ]
    first = run_case(tmp_path, tasks, sessions, out_name="a")
    second = run_case(tmp_path, tasks, sessions, threads=1, out_name="b")
    for name in ("touchpoints.csv", "unmatched.csv", "rejects.csv", "summary.json"):
        assert (first.out / name).read_bytes() == (second.out / name).read_bytes(), name


# ----------------------------------------------------------------------------- R8


def test_r8_offsets_and_z_are_converted_to_utc(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [
            task("T-offset", ABC, "2026-03-02T14:40:00+02:00"),
            task("T-compact", DEF, "2026-03-02T07:40:00.000-0500"),
        ],
        [session("S1", ABC, "2026-03-02 12:17:00"), session("S2", DEF, "2026-03-02T12:17:00Z")],
    )
    assert out.touchpoints["T-offset"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.status("T-offset") == ("merged", "within_window")
    assert out.touchpoints["T-compact"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.status("T-compact") == ("merged", "within_window")


def test_r8_naive_values_are_read_in_the_inputs_zone(tmp_path: Path) -> None:
    # Tasks in New York local time (EST, UTC-5 on 2 March), sessions naive UTC.
    out = run_case(
        tmp_path,
        [task("T1", ABC, "2026-03-02 07:40:00"), task("T2", DEF, "2026-03-02T12:40:00Z")],
        [session("S1", ABC, "2026-03-02 12:17:00"), session("S2", DEF, "2026-03-02 12:17:00")],
        tasks_tz="America/New_York",
    )
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.status("T1") == ("merged", "within_window")
    # A value with a zone ignores --tasks-tz.
    assert out.touchpoints["T2"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.summary["settings"]["tasks_tz"] == "America/New_York"


def test_r8_daylight_saving_is_applied_per_instant(tmp_path: Path) -> None:
    # 2026-03-08 is the US spring-forward day: 10:00 EDT is 14:00 UTC.
    out = run_case(
        tmp_path,
        [task("T1", ABC, "2026-03-08 10:00:00")],
        [session("S1", ABC, "2026-03-08 09:50:00")],
        tasks_tz="America/New_York",
        sessions_tz="America/New_York",
    )
    row = out.touchpoints["T1"]
    assert row["touchpoint_date"] == "2026-03-08T14:00:00Z"
    assert row["session_start"] == "2026-03-08T13:50:00Z"
    assert row["minutes_after_session_start"] == "10.0"


# ----------------------------------------------------------------------------- R9


def test_r9_duplicate_task_last_by_last_modified_date(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [
            task("T1", ABC, "12:40", subject="newest", modified="2026-03-05T10:00:00Z"),
            task("T1", ABC, "12:40", subject="older", modified="2026-03-04T10:00:00Z"),
        ],
        [session("S1", ABC, "12:17")],
    )
    assert out.touchpoints["T1"]["subject"] == "newest"
    assert out.summary["tasks"]["duplicates"] == 1
    assert out.summary["tasks"]["read"] == 2


def test_r9_duplicate_task_without_modstamp_keeps_last_read(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [
            task("T1", ABC, "12:40", subject="first"),
            task("T1", None, "12:40", subject="second"),
            task("T1", DEF, "12:40", subject="third"),
        ],
        [session("S1", ABC, "12:17")],
    )
    assert out.touchpoints["T1"]["subject"] == "third"
    assert out.status("T1") == ("standalone", "no_session_for_id")
    assert out.summary["tasks"]["duplicates"] == 2


def test_r9_15_and_18_character_ids_are_one_task(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [
            task("00T5g00000AbCdE", ABC, "12:40", subject="from a report"),
            task("00T5g00000AbCdEEAV", ABC, "12:40", subject="from the API"),
        ],
        [session("S1", ABC, "12:17")],
    )
    assert list(out.touchpoints) == ["00T5g00000AbCdEEAV"]
    assert out.touchpoints["00T5g00000AbCdEEAV"]["subject"] == "from the API"
    assert out.summary["tasks"]["duplicates"] == 1


def test_r9_a_task_deleted_after_an_earlier_export_is_gone(tmp_path: Path) -> None:
    # Overlapping exports (Data Loader's Export All): the later copy says the task was
    # deleted. R9 keeps the last copy, a deleted record, so there is no task: the earlier
    # copy is a duplicate, not a call. A task restored after its deletion is one.
    out = run_case(
        tmp_path,
        [
            task("T1", ABC, "12:40", modified="2026-03-04T10:00:00Z", IsDeleted="false"),
            task("T1", ABC, "12:40", modified="2026-03-05T10:00:00Z", IsDeleted="true"),
            task("T2", ABC, "12:45", modified="2026-03-04T10:00:00Z", IsDeleted="true"),
            task("T2", ABC, "12:45", modified="2026-03-05T10:00:00Z", IsDeleted="false"),
        ],
        [session("S1", ABC, "12:17")],
        task_header=(*TASK_HEADER, "IsDeleted"),
    )
    assert list(out.touchpoints) == ["T2"]
    assert out.status("T2") == ("merged", "within_window")
    tasks = out.summary["tasks"]
    assert (tasks["read"], tasks["duplicates"], tasks["rejected"]) == (4, 1, 2)


def test_r9_duplicate_sessions_keep_the_last_modified(tmp_path: Path) -> None:
    out = run_case(
        tmp_path,
        [task("T1", ABC, "12:40")],
        [
            session("S1", ABC, "12:17", "Display.GDN", modified="2026-03-05 10:00:00"),
            session("S1", ABC, "12:17", "Email.Newsletter", modified="2026-03-04 10:00:00"),
        ],
    )
    assert out.touchpoints["T1"]["channel"] == "Display"
    assert out.summary["sessions"]["duplicates"] == 1
    assert out.summary["sessions"]["kept"] == 1


def test_r9_duplicate_session_without_modstamp_keeps_the_last_in_file_order(
    tmp_path: Path,
) -> None:
    """S0 is the file's first row (cookie ABC, which calls) and its last (DEF, which does not):
    R9 keeps the last read, so the call finds no session. A one-shot run on Parquet stores
    only the rows that can match, in the order its threads finish them: R9 must read the
    file's own row order (a large row group then a small one make the threads finish the
    later rows first). CSV and one thread too, for the same answer."""
    n = 100_000
    con = duckdb.connect()
    for fmt, options in (
        ("csv", "FORMAT csv"),
        ("parquet", "FORMAT parquet, ROW_GROUP_SIZE 90000"),
    ):
        con.execute(
            f"""COPY (
                SELECT CASE WHEN i IN (0, {n} - 1) THEN 'S0' ELSE 'F' || i END AS ID,
                       CASE WHEN i = 0 THEN '{ABC}' WHEN i = {n} - 1 THEN '{DEF}'
                            ELSE 'f' || i END AS COOKIE_ID,
                       '2026-03-02T12:17:00Z' AS EVENT_DATE
                FROM range({n}) AS r(i) ORDER BY i
            ) TO '{tmp_path / f"sessions.{fmt}"}' ({options})"""
        )
    con.close()
    (tmp_path / "tasks.csv").write_text(
        f"Id,bizible2__BizibleId__c,CreatedDate\nT1,{ABC},2026-03-02T12:40:00Z\n"
    )
    for fmt in ("csv", "parquet"):
        for threads in (1, 2):
            out = tmp_path / f"out_{fmt}_{threads}"
            run_con = queries.connect(threads=threads)
            try:
                run_pipeline(
                    run_con,
                    str(tmp_path / "tasks.csv"),
                    str(tmp_path / f"sessions.{fmt}"),
                    out,
                    RunSettings(window_us=parse_window("30m")),
                )
            finally:
                run_con.close()
            outcome = read_outcome(out)
            assert outcome.status("T1") == ("standalone", "no_session_for_id"), (fmt, threads)
            assert outcome.summary["sessions"]["duplicates"] == 1


def _sessions_csv(path: Path, rows: int, cells: str) -> Path:
    """A narrow session CSV of ``rows`` rows written by DuckDB: ``cells`` is the SELECT list
    over ``i`` (the row's number)."""
    con = duckdb.connect()
    con.execute(f"COPY (SELECT {cells} FROM range({rows}) AS r(i) ORDER BY i) TO '{path}'")
    con.close()
    return path


@pytest.mark.parametrize("threads", [2])
def test_r9_csv_copies_keep_the_file_order_at_scale(tmp_path: Path, threads: int) -> None:
    """In a CSV file large enough for DuckDB's threads to store its rows out of file order
    (the cookie checks of a one-shot load are joins), R9's last read copy is still the
    file's last: S0 first with cookie ABC (which calls), last with DEF. (A parameter keeps
    this slower test out of the mutation runs; the Parquet case above is in them.)"""
    n = 1_500_000
    sessions = _sessions_csv(
        tmp_path / "sessions.csv",
        n,
        f"CASE WHEN i IN (0, {n} - 1) THEN 'S0' ELSE 'F' || i END AS ID, "
        f"CASE WHEN i = 0 THEN '{ABC}' WHEN i = {n} - 1 THEN '{DEF}' ELSE 'f' || i END "
        "AS COOKIE_ID, '2026-03-02T12:17:00Z' AS EVENT_DATE",
    )
    (tmp_path / "tasks.csv").write_text(
        f"Id,bizible2__BizibleId__c,CreatedDate\nT1,{ABC},2026-03-02T12:40:00Z\n"
    )
    run_con = queries.connect(threads=threads)
    try:
        run_pipeline(
            run_con,
            str(tmp_path / "tasks.csv"),
            str(sessions),
            tmp_path / "out",
            RunSettings(window_us=parse_window("30m")),
        )
    finally:
        run_con.close()
    outcome = read_outcome(tmp_path / "out")
    assert outcome.status("T1") == ("standalone", "no_session_for_id")
    assert outcome.summary["sessions"]["duplicates"] == 1


def _parquet(path: Path, select: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    return path


def _run_files(tasks: Path, sessions: Path, out: Path, settings: RunSettings) -> Outcome:
    """Run the pipeline in-process on files already written; the outputs read back."""
    con = queries.connect()
    try:
        run_pipeline(con, str(tasks), str(sessions), out, settings)
    finally:
        con.close()
    return read_outcome(out)


def test_r2_a_parquet_file_under_key_value_folders_is_read_as_its_own_columns(
    tmp_path: Path,
) -> None:
    """A warehouse's partition folders (EVENT_DATE=2026-03-02/, CHANNEL=Paid Search/) named
    columns DuckDB read from the path in place of the file's own: the session's start became a
    date (the run stopped: 'holds dates without a time of day'), its channel lost its
    subchannel; any folder of the path (date=2026-03-30/, type=tasks/ above the export) was a
    column profile detection could map (call_time <- date). A file is its own columns; a
    partitioned export's keys, left out of its files, are named in a note."""
    row = (
        "SELECT '{id}' AS ID, '{ABC}' AS COOKIE_ID, '2026-03-02 {at}' AS EVENT_DATE, "
        "'Paid Search.AdWords' AS CHANNEL"
    )
    _parquet(
        tmp_path / "s" / "EVENT_DATE=2026-03-02" / "a.parquet",
        row.format(id="S1", ABC=ABC, at="12:17:00"),
    )
    _parquet(
        tmp_path / "s" / "CHANNEL=Paid Search" / "b.parquet",
        row.format(id="S2", ABC=ABC, at="12:20:00"),
    )
    # a partitioned export, whose files leave the key's column out: not read, said
    _parquet(
        tmp_path / "s" / "CHANNEL=Email.Newsletter" / "c.parquet",
        f"SELECT 'S3' AS ID, '{DEF}' AS COOKIE_ID, '2026-03-02 12:30:00' AS EVENT_DATE",
    )
    _parquet(
        tmp_path / "x" / "date=2026-03-30" / "type=tasks" / "part.parquet",
        f"SELECT * FROM (VALUES ('T1', '{ABC}', '2026-03-02T12:40:00Z'), "
        f"('T2', NULL, '2026-03-02T12:40:00Z'), ('T3', '{DEF}', '2026-03-02T12:40:00Z')) "
        "AS v(Id, BizibleId, CreatedDate)",
    )
    out = tmp_path / "out"
    run_pipeline(queries.connect(), str(tmp_path / "x"), str(tmp_path / "s"), out, RunSettings())
    outcome = read_outcome(out)
    merged = outcome.touchpoints["T1"]
    assert (merged["session_id"], merged["channel"], merged["subchannel"]) == (
        "S2",
        "Paid Search",
        "AdWords",
    )
    assert merged["session_start"] == "2026-03-02T12:20:00Z"
    # R4: a blank Type, not the folder's 'tasks'; the call at its own time, not the folder's
    assert (merged["touchpoint_type"], merged["touchpoint_date"]) == (
        "Web Visit",
        "2026-03-02T12:40:00Z",
    )
    assert outcome.summary["sessions"]["kept"] == 3
    assert list(outcome.unmatched["T2"]) == ["task_id", "reason", "Id", "BizibleId", "CreatedDate"]
    partitioned = outcome.touchpoints["T3"]
    assert (partitioned["session_id"], partitioned["channel"]) == ("S3", "")
    notes = {
        Path(f["path"]).parent.name: f.get("notes", [])
        for f in outcome.summary["sessions"]["files"]
    }
    assert notes["CHANNEL=Email.Newsletter"] == [
        "its folders CHANNEL=Email.Newsletter are not read: calltouch reads a file's own columns "
        "only; export those columns in the files (a partitioned export leaves its keys out of "
        "them)"
    ]
    assert notes["CHANNEL=Paid Search"] == notes["EVENT_DATE=2026-03-02"] == []
    (task_file,) = outcome.summary["tasks"]["files"]
    assert "its folders type=tasks are not read" in task_file["notes"][0]


def test_r2_parquet_text_stored_as_bytes_is_read_as_its_text(tmp_path: Path) -> None:
    """Some writers store strings as BYTE_ARRAY without the UTF-8 annotation (BLOB to DuckDB):
    the cookie 'ä1' was read as '\\xC3\\xA41' and matched nothing, a campaign 'Campaña' and
    a Subject 'Café' came out escaped. Bytes that are no UTF-8 stay escaped, as before."""
    _parquet(
        tmp_path / "s.parquet",
        "SELECT 'S1'::BLOB AS ID, encode('ä1') AS COOKIE_ID, "
        "'2026-03-02 12:17:00'::BLOB AS EVENT_DATE, encode('Paid Search.AdWords') AS CHANNEL, "
        "encode('Campaña Q1') AS CAMPAIGN_NAME",
    )
    _parquet(
        tmp_path / "t.parquet",
        "SELECT 'T1' AS Id, encode('ä1') AS BizibleId, "
        "'2026-03-02T12:40:00Z'::BLOB AS CreatedDate, "
        "encode('Café') AS Subject, '\\xC3\\x28'::BLOB AS Junk",
    )
    out = tmp_path / "out"
    run_pipeline(
        queries.connect(),
        str(tmp_path / "t.parquet"),
        str(tmp_path / "s.parquet"),
        out,
        RunSettings(),
    )
    outcome = read_outcome(out)
    tp = outcome.touchpoints["T1"]
    assert (tp["match_status"], tp["bizible_id"], tp["campaign"], tp["subject"]) == (
        "merged",
        "ä1",
        "Campaña Q1",
        "Café",
    )
    # the bytes that are no UTF-8 are said, not left to be found escaped in the outputs
    (task_file,) = outcome.summary["tasks"]["files"]
    assert task_file["notes"] == [
        "Junk holds 1 cell of bytes that are not UTF-8 text (e.g. '\\xC3('), read as DuckDB "
        "escapes them: write the column as UTF-8 text (a string column, not binary)"
    ]
    (session_file,) = outcome.summary["sessions"]["files"]
    assert not any("UTF-8" in note for note in session_file.get("notes", []))


def test_r9_ids_typed_as_numbers_are_the_ids_they_write(tmp_path: Path) -> None:
    """A Parquet file typing its ids DOUBLE (pandas does, for an integer column with a
    NULL) or DECIMAL holds the ids 5 and 1001, not '5.0' and '1001.00': its copies are the
    BIGINT file's copies (R9), and its cookie matches the task's BizibleId 1001 (R2)."""
    _parquet(
        tmp_path / "s" / "a.parquet",
        "SELECT 5::BIGINT AS ID, 1001::BIGINT AS COOKIE_ID, "
        "TIMESTAMP '2026-03-02 12:17:00' AS EVENT_DATE, 'Paid Search.AdWords' AS CHANNEL",
    )
    _parquet(
        tmp_path / "s" / "b.parquet",
        "SELECT 5.0::DOUBLE AS ID, 1001.0::DOUBLE AS COOKIE_ID, "
        "TIMESTAMP '2026-03-02 12:30:00' AS EVENT_DATE, 'Email.Newsletter' AS CHANNEL",
    )
    _parquet(
        tmp_path / "t" / "a.parquet",
        "SELECT 77::BIGINT AS Id, '1001' AS BizibleId, "
        "TIMESTAMP '2026-03-02 12:40:00' AS CreatedDate, 'Inbound' AS Type",
    )
    _parquet(
        tmp_path / "t" / "b.parquet",
        "SELECT 77.00::DECIMAL(18, 2) AS Id, 1001.00::DECIMAL(18, 2) AS BizibleId, "
        "TIMESTAMP '2026-03-02 12:40:00' AS CreatedDate, 'Call' AS Type",
    )
    out = _run_files(tmp_path / "t", tmp_path / "s", tmp_path / "out", RunSettings())
    assert list(out.touchpoints) == ["77"]
    tp = out.touchpoints["77"]
    assert (tp["touchpoint_type"], tp["bizible_id"]) == ("Call", "1001")  # the last read copy
    assert (tp["session_id"], tp["channel"], tp["minutes_after_session_start"]) == (
        "5",
        "Email",
        "10.0",
    )
    assert out.summary["tasks"]["duplicates"] == 1
    assert (out.summary["sessions"]["kept"], out.summary["sessions"]["duplicates"]) == (1, 1)


def test_r1_a_nan_bizible_id_is_no_bizible_id_and_a_nan_session_id_no_id(tmp_path: Path) -> None:
    """NaN in a number-typed id column is no value: a NaN BizibleId matched a NaN cookie, and
    two NaN session ids were one id. A FLOAT or DOUBLE id column gets a note: it keeps 7 or
    15 significant digits only."""
    tasks = _parquet(
        tmp_path / "t.parquet",
        "SELECT * FROM (VALUES ('T1', 'nan'::DOUBLE), ('T2', 1001::DOUBLE)) AS v(Id, BizibleId), "
        "(SELECT TIMESTAMP '2026-03-02 12:40:00' AS CreatedDate)",
    )
    sessions = _parquet(
        tmp_path / "s.parquet",
        "SELECT * FROM (VALUES ('nan'::FLOAT, 'nan'::DOUBLE), ('nan'::FLOAT, 7::DOUBLE), "
        "(5::FLOAT, 1001::DOUBLE)) AS v(ID, COOKIE_ID), "
        "(SELECT TIMESTAMP '2026-03-02 12:30:00' AS EVENT_DATE)",
    )
    out = _run_files(tasks, sessions, tmp_path / "out", RunSettings(max_rejects="100%"))
    assert out.unmatched["T1"]["reason"] == "no_bizible_id"
    assert out.status("T2") == ("merged", "within_window")
    assert out.touchpoints["T2"]["session_id"] == "5"
    assert [(r["line"], r["column"]) for r in out.rejects] == [("1", "ID"), ("2", "ID")]
    (task_file,) = out.summary["tasks"]["files"]
    assert task_file["notes"] == [
        "BizibleId (bizible_id) holds ids as DOUBLE numbers, exact to 15 digits only: "
        "export ids as text or integers"
    ]
    (session_file,) = out.summary["sessions"]["files"]
    assert any(n.startswith("ID (session_id) holds ids as FLOAT") for n in session_file["notes"])


def test_r1_a_nan_id_outside_the_files_statistics_is_no_value_not_a_failed_load(
    tmp_path: Path,
) -> None:
    """pyarrow leaves NaN out of a column's min/max statistics; DuckDB then dropped the NaN
    branch of the number's text and the cast of NaN stopped the whole load ('re-export the
    file'). The NaN is made here by patching a value DuckDB wrote, the statistics kept."""

    def with_nan(path: Path, query: str, value: float) -> Path:
        duckdb.sql(f"COPY ({query}) TO '{path}' (COMPRESSION uncompressed)")
        data = path.read_bytes()
        assert data.count(struct.pack("<d", value)) == 1
        path.write_bytes(data.replace(struct.pack("<d", value), struct.pack("<d", math.nan)))
        return path

    tasks = with_nan(
        tmp_path / "t.parquet",
        "SELECT * FROM (VALUES (1001::DOUBLE, 'c1'), (1002.0, 'c2'), (1003.0, 'c3')) "
        "AS v(Id, BizibleId), (SELECT TIMESTAMP '2026-03-02 12:40:00' AS CreatedDate)",
        1002.0,
    )
    sessions = with_nan(
        tmp_path / "s.parquet",
        "SELECT * FROM (VALUES ('S1', 7001::DOUBLE), ('S2', 7002.0), ('S3', 7003.0)) "
        "AS v(ID, COOKIE_ID), (SELECT TIMESTAMP '2026-03-02 12:30:00' AS EVENT_DATE)",
        7002.0,
    )
    out = _run_files(tasks, sessions, tmp_path / "out", RunSettings(max_rejects="100%"))
    assert sorted(out.touchpoints) == ["1001", "1003"]
    assert [(r["line"], r["column"], r["error"]) for r in out.rejects] == [
        ("2", "Id", "the task id is empty")
    ]
    # the session of a NaN cookie is kept (a session's cookie may be blank), linked to no call
    assert out.summary["sessions"]["kept"] == 3


def test_r9_a_modification_time_typed_date_orders_copies_by_day(tmp_path: Path) -> None:
    """A LastModifiedDate typed DATE only orders copies (R9): it is read as midnight, with a
    note, not refused as a call time would be."""
    tasks = _parquet(
        tmp_path / "t.parquet",
        f"SELECT * FROM (VALUES ('T1', 'Later', DATE '2026-03-04'), "
        f"('T1', 'Earlier', DATE '2026-03-03')) AS v(Id, Type, LastModifiedDate), "
        f"(SELECT '{ABC}' AS BizibleId, TIMESTAMP '2026-03-02 12:40:00' AS CreatedDate)",
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-02T12:17:00Z\n", "utf-8")
    run_pipeline(queries.connect(), str(tasks), str(sessions), tmp_path / "out", RunSettings())
    out = read_outcome(tmp_path / "out")
    assert out.touchpoints["T1"]["touchpoint_type"] == "Later"
    (loaded,) = out.summary["tasks"]["files"]
    assert loaded["time_styles"]["modstamp"] == "DATE (midnight in the input's zone)"
    assert any(n.startswith("LastModifiedDate holds dates without") for n in loaded["notes"])


def test_r9_a_modification_time_written_as_a_date_orders_copies_by_day(tmp_path: Path) -> None:
    """A CSV's LastModifiedDate / MODIFIED_DATE written as a date alone is its midnight, as a
    Parquet DATE is: the row was rejected ('a date without a time of day'), though the field
    only orders copies (R9)."""
    tasks = [
        task("T1", ABC, "12:40", "Day", modified="2026-03-03"),
        task("T1", ABC, "12:41", "Time", modified="2026-03-02T23:00:00Z"),
        task("T1", ABC, "12:42", "Earlier", modified="2026-03-02"),
    ]
    sessions = [
        session("S1", ABC, "12:17", modified="2026-03-05"),
        session("S1", ABC, "12:30", modified="2026-03-04T10:00:00Z"),
    ]
    out = run_case(tmp_path, tasks, sessions)
    assert not out.rejects
    for role, column in (("tasks", "LastModifiedDate"), ("sessions", "MODIFIED_DATE")):
        (loaded,) = out.summary[role]["files"]
        assert f"{column} holds dates without a time of day: read as midnight" in " ".join(
            loaded["notes"]
        )
    assert out.touchpoints["T1"]["touchpoint_type"] == "Day"
    assert out.touchpoints["T1"]["session_start"] == "2026-03-02T12:17:00Z"
    # a date alone still cannot place a call
    late = run_case(
        tmp_path / "b", [task("T2", ABC, "12:00", CreatedDate="2026-03-02")], [], max_rejects="100%"
    )
    assert "is a date without a time of day" in late.rejects[0]["error"]
    # a day no calendar has is no midnight: its message says so
    bad = run_case(
        tmp_path / "c", [task("T3", ABC, "12:00", modified="2026-02-30")], [], max_rejects="100%"
    )
    assert bad.rejects[0]["error"] == "'2026-02-30' is not a date (no such day)"


@pytest.mark.parametrize(
    ("created", "later", "earlier", "odd_day"),
    [
        # a Salesforce report export (month first, AM/PM) whose Last Modified Date is a date
        ("3/20/2026 12:40 PM", "3/22/2026", "3/21/2026", "2/30/2026"),
        # a European export (day first, dotted)
        ("20.03.2026 12:40", "22.03.2026", "21.03.2026", "30.02.2026"),
    ],
)
def test_r9_a_modification_time_written_as_a_locale_date_orders_copies_by_day(
    tmp_path: Path, created: str, later: str, earlier: str, odd_day: str
) -> None:
    """A locale date alone as the modification time is its midnight in the file's day/month
    order, as an ISO date alone is: the copy modified on the later day wins (R9). It was
    rejected as 'not a date-time', the whole file's copies with it."""
    header = "Activity ID,Bizible Id,Created Date,Last Modified Date,Subject\n"
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        header
        + f"00T000000000001,{ABC},{created},{later},Later\n"
        + f"00T000000000001,{ABC},{created},{earlier},Earlier\n",
        "utf-8",
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-20T12:17:00Z\n", "utf-8")
    run_pipeline(queries.connect(), str(tasks), str(sessions), tmp_path / "out", RunSettings())
    out = read_outcome(tmp_path / "out")
    assert not out.rejects
    (tp,) = out.touchpoints.values()
    assert tp["subject"] == "Later"
    assert tp["match_status"] == "merged"
    (loaded,) = out.summary["tasks"]["files"]
    assert any(n.startswith("Last Modified Date holds dates without") for n in loaded["notes"])
    # a day no calendar has is rejected as such; a locale date alone cannot place a call
    tasks.write_text(
        header
        + f"00T000000000002,{ABC},{created},{odd_day},Odd\n"
        + f"00T000000000003,{ABC},{later},{later},Dated\n",
        "utf-8",
    )
    settings = RunSettings(max_rejects="100%")
    run_pipeline(queries.connect(), str(tasks), str(sessions), tmp_path / "out2", settings)
    errors = {r["line"]: r["error"] for r in read_outcome(tmp_path / "out2").rejects}
    assert errors == {
        "2": f"{odd_day!r} is not a date (no such day)",
        "3": f"{later!r} is a date without a time of day",
    }


def test_r9_a_modification_time_never_decides_nor_stops_the_files_day_month_order(
    tmp_path: Path,
) -> None:
    """A few locale dates alone in the modification time of a file of ISO times made the
    file's day/month order a question (exit 2, 'cannot tell ... whether dates are month/day
    or day/month'): those rows are rejected, saying why, and the run goes on. A date alone
    written year first (2026/03/27) is read whatever the order, and the note says so only
    when the dates are read."""
    rows = [
        task(f"T{i:04d}", ABC, f"12:{i % 60:02d}", modified="3/4/2026" if i in (5, 6) else None)
        for i in range(1000)
    ]
    out = run_case(tmp_path, rows, [session("S1", ABC, "12:17")])
    assert [(r["line"], r["error"]) for r in out.rejects] == [
        (
            str(line),
            "'3/4/2026' is a date in a day/month order this file does not tell (its first rows "
            "show no such date, or none past 12): --date-order reads it",
        )
        for line in (7, 8)
    ]
    assert "notes" not in out.summary["tasks"]["files"][0]
    # a locale date-time there too, which said 'is not a date-time (expected ...)'
    timed = run_case(
        tmp_path / "t",
        [task("T1", ABC, "12:40", modified="3/4/2026 10:22")],
        [],
        max_rejects="100%",
    )
    assert timed.rejects[0]["error"].startswith(
        "'3/4/2026 10:22' is a date-time in a day/month order this file does not tell"
    )
    # blank in the first rows, it was surveyed with the call times and stopped the file
    # ('mixes day-first and month-first'): it is read in the call times' order
    late = [
        task(f"L{i:03d}", ABC, "12:00", CreatedDate="26/3/2026 15:58", modified=None)
        for i in range(600)
    ] + [task("L600", ABC, "12:00", CreatedDate="26/3/2026 15:58", modified="3/25/2026 10:00")]
    read = run_case(tmp_path / "late", late, [], max_rejects="100%")
    assert [r["line"] for r in read.rejects] == ["602"]
    assert "25 cannot be a month" in read.rejects[0]["error"]
    first = [
        task("T1", ABC, "12:40", "Earlier", modified="2026/03/27"),
        task("T1", ABC, "12:40", "Later", modified="2026/03/28"),
        task("T1", ABC, "12:40", "Earliest", modified="2026.3.2"),
    ]
    dated = run_case(tmp_path / "b", first, [session("S1", ABC, "12:17")])
    assert not dated.rejects
    assert dated.touchpoints["T1"]["touchpoint_type"] == "Later"
    assert "read as midnight" in dated.summary["tasks"]["files"][0]["notes"][0]


@pytest.mark.parametrize(
    ("column", "advice"),
    [
        ("bizible2__Bizible_Touchpoint_Date__c", "--map tasks.touchpoint_date="),
        ("CreatedDate", "not ActivityDate"),
    ],
)
def test_r8_a_call_time_typed_date_is_refused_with_advice_for_that_column(
    tmp_path: Path, column: str, advice: str
) -> None:
    tasks = _parquet(
        tmp_path / "t.parquet",
        f"SELECT 'T1' AS Id, '{ABC}' AS BizibleId, TIMESTAMP '2026-03-02 12:40:00' AS "
        f"{'Created' if column != 'CreatedDate' else 'Other'}, DATE '2026-03-02' AS {column}",
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-02T12:17:00Z\n", "utf-8")
    with pytest.raises(CalltouchError) as caught:
        run_pipeline(queries.connect(), str(tasks), str(sessions), tmp_path / "out", RunSettings())
    assert f"column '{column}'" in caught.value.message
    assert "holds dates without a time of day" in caught.value.message
    assert advice in (caught.value.hint or "")
    if column != "CreatedDate":  # the advice must not be to export the column refused
        assert "export the Buyer Touchpoint Date with its time of day" in caught.value.hint


# ----------------------------------------------------------------------------- worked examples

WORKED_EXAMPLES = [
    # (name, session starts, call, (status, reason), session used, minutes)
    ("paid_ad_23_min", ["12:17"], "12:40", ("merged", "within_window"), "S0", "23.0"),
    ("48_min_outside", ["12:17"], "13:05", ("standalone", "outside_window"), "", "48.0"),
    ("exactly_30_min", ["12:17"], "12:47:00", ("merged", "within_window"), "S0", "30.0"),
    ("latest_of_two", ["12:17", "12:50"], "13:05", ("merged", "within_window"), "S1", "15.0"),
    ("only_later", ["12:17"], "12:10", ("standalone", "only_later_sessions"), "", ""),
    ("no_session", [], "12:10", ("standalone", "no_session_for_id"), "", ""),
]


@pytest.mark.parametrize(
    ("starts", "call", "expected", "session_id", "minutes"),
    [pytest.param(*case[1:], id=case[0]) for case in WORKED_EXAMPLES],
)
def test_worked_example(
    tmp_path: Path,
    starts: list[str],
    call: str,
    expected: tuple[str, str],
    session_id: str,
    minutes: str,
) -> None:
    sessions = [
        session(f"S{i}", ABC, start, "Paid Search.Google Ads") for i, start in enumerate(starts)
    ]
    out = run_case(tmp_path, [task("T1", ABC, call)], sessions)
    assert out.status("T1") == expected
    row = out.touchpoints["T1"]
    assert row["session_id"] == session_id
    if expected[0] == "merged":
        assert row["minutes_after_session_start"] == minutes
        assert row["channel"] == "Paid Search"
    else:
        assert row["nearest_session_minutes"] == minutes


def test_worked_example_blank_bizible_id(tmp_path: Path) -> None:
    out = run_case(tmp_path, [task("T1", "", "12:40")], [session("S1", ABC, "12:17")])
    assert out.status("T1") == ("unmatched", "no_bizible_id")


def test_r8_local_times_the_clocks_skip_or_repeat_are_read_after_the_change(
    tmp_path: Path,
) -> None:
    # as the README says: New York skips 02:00-03:00 on 2026-03-08 and repeats 01:00-02:00 on
    # 2026-11-01; such times are read after the change, whatever the machine's zone
    out = run_case(
        tmp_path,
        [task("T1", ABC, "2026-03-08 02:30:00"), task("T2", ABC, "2026-11-01 01:30:00")],
        [session("S1", ABC, "2026-03-08 07:20:00"), session("S2", ABC, "2026-11-01 06:20:00")],
        tasks_tz="America/New_York",
    )
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-08T07:30:00Z"
    assert out.touchpoints["T2"]["touchpoint_date"] == "2026-11-01T06:30:00Z"
    assert out.touchpoints["T2"]["minutes_after_session_start"] == "10.0"


def test_r8_a_lower_case_z_or_t_reads_as_upper_case(tmp_path: Path) -> None:
    # RFC 3339 allows 'z' for 'Z' and 't' for 'T'; some exporters write them
    out = run_case(
        tmp_path,
        [
            task("T1", ABC, "2026-03-02T12:40:00z"),
            task("T2", DEF, "2026-03-02T12:40:00.250z"),
            task("T3", GHI_COOKIE, "2026-03-02t14:41:00+02:00"),
        ],
        [
            session("S1", ABC, "12:17"),
            session("S2", DEF, "12:17"),
            session("S3", GHI_COOKIE, "12:17"),
        ],
    )
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.touchpoints["T2"]["touchpoint_date"] == "2026-03-02T12:40:00.250Z"
    assert out.touchpoints["T3"]["touchpoint_date"] == "2026-03-02T12:41:00Z"
    assert out.touchpoints["T1"]["match_status"] == "merged"


def test_r8_a_lower_case_z_is_utc_too_beside_locale_times(tmp_path: Path) -> None:
    # one locale value sends the column through the locale formats; a 'z' must still read
    out = run_case(
        tmp_path,
        [task("T1", ABC, "2026-03-02T12:40:00z"), task("T2", DEF, "3/25/2026 12:40")],
        [session("S1", ABC, "12:17"), session("S2", DEF, "12:17")],
    )
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.touchpoints["T2"]["touchpoint_date"] == "2026-03-25T12:40:00Z"


def test_r8_a_m_p_m_and_no_break_spaces_before_am_pm_read(tmp_path: Path) -> None:
    # Canadian English writes "1:05 p.m."; recent locale data puts a narrow no-break space
    # (U+202F) or a no-break space before AM/PM: each was rejected as not a date-time
    values = ["3/25/2026, 1:05 p.m.", "3/25/2026, 1:05\u202fPM", "3/25/2026, 11:40\u00a0a.m."]
    out = run_case(
        tmp_path,
        [task(f"T{i}", ABC, v) for i, v in enumerate(values)],
        [session("S1", ABC, "12:17")],
    )
    assert out.rejects == []
    assert [out.touchpoints[f"T{i}"]["touchpoint_date"] for i in range(3)] == [
        "2026-03-25T13:05:00Z",
        "2026-03-25T13:05:00Z",
        "2026-03-25T11:40:00Z",
    ]


def test_r8_two_digit_years_are_this_century_never_the_year_26(tmp_path: Path) -> None:
    # Excel re-saves a CSV's dates as m/d/yy h:mm; DuckDB's casts and %Y read "26" as the
    # year 26, and '3/2/26' even as 0003-02-26 (year first)
    out = run_case(
        tmp_path,
        [
            task("T1", ABC, "3/2/26 12:40:00"),
            task("T2", DEF, "3/25/26 12:40"),
            task("T3", GHI_COOKIE, "3/2/26, 12:42 PM"),
            task("T4", ABC, "3/2/2026 12:45"),
        ],
        [
            session("S1", ABC, "12:17"),
            session("S2", DEF, "12:17"),
            session("S3", GHI_COOKIE, "12:17"),
        ],
    )
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.touchpoints["T1"]["match_status"] == "merged"
    assert out.touchpoints["T2"]["touchpoint_date"] == "2026-03-25T12:40:00Z"
    assert out.touchpoints["T3"]["touchpoint_date"] == "2026-03-02T12:42:00Z"
    assert out.touchpoints["T4"]["touchpoint_date"] == "2026-03-02T12:45:00Z"


def test_r8_a_year_first_date_needs_four_digits(tmp_path: Path) -> None:
    # DuckDB's cast and its %Y read '26-03-02 12:41:00' as the year 26. Here the column's
    # sample shows a first number above 12, so it is day first: 26 March 2002 (dd-mm-yy);
    # the 'T' form fits no locale format and is rejected. Never the year 26.
    tasks = [task(f"T{i}", ABC, f"2026-03-02 12:{40 + i}:00") for i in range(5)]
    tasks += [task("T-short", DEF, "26-03-02 12:41:00"), task("T-t", DEF, "26-3-2T12:40:00")]
    out = run_case(tmp_path, tasks, [session("S1", ABC, "12:17")], max_rejects="100%")
    assert out.touchpoints["T0"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.touchpoints["T-short"]["touchpoint_date"] == "2002-03-26T12:41:00Z"
    assert "T-t" not in out.touchpoints
    assert [r["line"] for r in out.rejects] == ["8"]


def test_r8_an_offset_no_place_has_is_not_a_date_time(tmp_path: Path) -> None:
    # DuckDB's cast and strptime's %z read +25:00 and +99:99, moving the call by days
    good = ["+14:00", "-12:00", "+18:00", "+05:30:15", "-0800", "+05"]
    bad = ["+25:00", "+99:99", "-00:60", "+19", "+0561", "+05:30:60", "+18:30", "-18:00:01"]
    tasks = [task(f"G{i}", ABC, f"2026-03-02T12:40:00{o}") for i, o in enumerate(good)]
    tasks += [task(f"B{i}", ABC, f"2026-03-02T12:40:00{o}") for i, o in enumerate(bad)]
    tasks += [
        task("L-bad", ABC, "3/25/2026 12:40 -2400"),
        task("L-good", ABC, "3/25/2026 12:40 +0530"),
    ]
    out = run_case(tmp_path, tasks, [session("S1", ABC, "12:17")], max_rejects="100%")
    assert out.touchpoints["G0"]["touchpoint_date"] == "2026-03-01T22:40:00Z"
    assert out.touchpoints["G1"]["touchpoint_date"] == "2026-03-03T00:40:00Z"
    assert out.touchpoints["L-good"]["touchpoint_date"] == "2026-03-25T07:10:00Z"
    assert sorted(out.touchpoints) == sorted([f"G{i}" for i in range(len(good))] + ["L-good"])
    assert [r["error"].split("'")[1] for r in out.rejects] == [
        *(f"2026-03-02T12:40:00{o}" for o in bad),
        "3/25/2026 12:40 -2400",
    ]
    # the message says what is wrong with it: the offset, not the date-time
    assert all("has a UTC offset no place has" in r["error"] for r in out.rejects)
    # and only of ISO-8601 text: a locale date's dashes are no offset
    locale = run_case(
        tmp_path / "l", [task("D", ABC, "12:00", CreatedDate="25-03-2026")], [], max_rejects="100%"
    )
    assert locale.rejects[0]["error"] == "'25-03-2026' is a date without a time of day"


def test_r8_an_offset_after_utc_or_gmt_or_a_space_keeps_its_minutes(tmp_path: Path) -> None:
    # DuckDB's cast reads 'UTC+05:30' as +05:00 (a shift as long as the window), and refuses
    # an offset after a space in the T form; GMT+05:30 it reads right
    offsets = {
        "U": " UTC+05:30",
        "u": " utc+05:30",
        "G": " GMT+05:30",
        "N": " UTC-03:30",
        "C": " UTC+0530",
        "H": " UTC+05",
        "S": " +05:30",
        "P": " UTC+5:30",
        "Q": " UTC+05:30:00",
    }
    tasks = [task(k, ABC, f"2026-03-02T12:17:00{o}") for k, o in offsets.items()]
    tasks += [
        task("Z", ABC, "2026-03-02T12:17:00 +0000"),
        task("B", ABC, "2026-03-02T12:17:00 UTC+25:00"),
        task("X", ABC, "2026-03-02T12:17:00 UTC+5:99"),  # never read with its minutes lost
    ]
    out = run_case(tmp_path, tasks, [], max_rejects="100%")
    got = {k: out.touchpoints[k]["touchpoint_date"] for k in [*offsets, "Z"]}
    assert got == {
        "U": "2026-03-02T06:47:00Z",
        "u": "2026-03-02T06:47:00Z",
        "G": "2026-03-02T06:47:00Z",
        "N": "2026-03-02T15:47:00Z",
        "C": "2026-03-02T06:47:00Z",
        "H": "2026-03-02T07:17:00Z",
        "S": "2026-03-02T06:47:00Z",
        "P": "2026-03-02T06:47:00Z",
        "Q": "2026-03-02T06:47:00Z",
        "Z": "2026-03-02T12:17:00Z",
    }
    assert "B" not in out.touchpoints and "X" not in out.touchpoints
    assert [r["error"].split(" (")[0] for r in out.rejects] == [
        "'2026-03-02T12:17:00 UTC+25:00' has a UTC offset no place has",
        "'2026-03-02T12:17:00 UTC+5:99' is not a date-time",
    ]


def test_r8_a_time_outside_the_years_1_to_9999_is_not_a_date_time(tmp_path: Path) -> None:
    # DuckDB reads the year 0000 as 1 BC, and an offset moves 9999-12-31 into the year
    # 10000: Python's dates (the HTML report, the dashboard) cannot hold either
    tasks = [
        task("T-zero", ABC, "0000-06-01T12:40:00Z"),
        task("T-offset", ABC, "0001-01-01T00:00:00+05:00"),  # 0000-12-31 in UTC
        task("T-unpadded", ABC, "0001-1-1 00:30:00+01:00"),
        task("T-late", ABC, "9999-12-31T23:00:00-05:00"),  # 10000-01-01 in UTC
        task("T-one", ABC, "0001-01-01T06:00:00+05:00"),
        task("T-last", ABC, "9999-12-31T23:00:00Z"),
        task("T-now", ABC, "2026-03-02T12:40:00Z"),
    ]
    out = run_case(tmp_path, tasks, [session("S1", ABC, "12:17")], max_rejects="100%")
    assert out.touchpoints["T-one"]["touchpoint_date"] == "0001-01-01T01:00:00Z"
    assert out.touchpoints["T-last"]["touchpoint_date"] == "9999-12-31T23:00:00Z"
    assert sorted(out.touchpoints) == ["T-last", "T-now", "T-one"]
    assert len(out.rejects) == 4
    # said so where the text is otherwise a date-time (not '0001-1-1', unpadded)
    said = [r["error"] for r in out.rejects if "within the years 1-9999" in r["error"]]
    assert len(said) == 3


def test_r8_a_naive_time_the_inputs_zone_moves_past_9999_is_rejected(tmp_path: Path) -> None:
    tasks = [task("T-late", ABC, "9999-12-31 23:00:00"), task("T-now", ABC, "2026-03-02 07:40")]
    out = run_case(
        tmp_path,
        tasks,
        [session("S1", ABC, "12:17")],
        tasks_tz="America/New_York",
        max_rejects="100%",
    )
    assert sorted(out.touchpoints) == ["T-now"]
    assert [r["error"] for r in out.rejects] == [
        "'9999-12-31 23:00:00' is not a date-time within the years 1-9999 (in UTC)"
    ]


def test_r8_a_bad_time_is_said_as_such_not_as_out_of_years(tmp_path: Path) -> None:
    # an Excel serial number, compact ISO, an epoch and a 30 February of 9999
    values = ["46083.51180556", "20260302T101700Z", "1772446620.5", "9999-02-30 10:00:00"]
    tasks = [task(f"T{i}", ABC, v) for i, v in enumerate(values)]
    out = run_case(tmp_path, tasks, [session("S1", ABC, "12:17")], max_rejects="100%")
    assert all("(expected e.g. 2026-03-02T12:17:00Z)" in r["error"] for r in out.rejects)
    assert len(out.rejects) == 4


def test_r8_a_typed_parquet_time_outside_the_years_1_to_9999_is_rejected(tmp_path: Path) -> None:
    tasks = tmp_path / "t.parquet"
    duckdb.sql(
        f"""COPY (SELECT * FROM (VALUES
                ('T1', '{ABC}', TIMESTAMPTZ '0000-06-01 00:30:00+00'),
                ('T2', '{ABC}', TIMESTAMPTZ '9999-12-31 23:00:00-05'),
                ('T3', '{ABC}', TIMESTAMPTZ '2026-03-02 12:40:00+00'))
            AS v(Id, BizibleId, CreatedDate)) TO '{tasks}'"""
    )
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-02T12:17:00Z\n", "utf-8")
    # read in New York, a zoned value is still shown in UTC: 10000-01-01, not 9999-12-31 -05
    settings = RunSettings(max_rejects="100%", tasks_tz="America/New_York")
    run_pipeline(queries.connect(), str(tasks), str(sessions), tmp_path / "out", settings)
    out = read_outcome(tmp_path / "out")
    assert sorted(out.touchpoints) == ["T3"]
    assert [r["line"] for r in out.rejects] == ["1", "2"]
    assert out.rejects[1]["error"].startswith("'10000-01-01 04:00:00' is not a date-time within")


def test_r8_nanoseconds_are_cut_to_the_microsecond_in_csv_and_parquet_alike(
    tmp_path: Path,
) -> None:
    # a call 1 ns before its session's start: Parquet's cast rounded it up to the start
    # (merged), the text's seventh digit is dropped (only later sessions): the same data
    # must give the same answer in both formats
    sessions = tmp_path / "s.csv"
    sessions.write_text(f"ID,COOKIE_ID,EVENT_DATE\nS1,{ABC},2026-03-02T12:10:00Z\n", "utf-8")
    times = ["2026-03-02 12:09:59.999999999", "1969-12-31 23:59:59.9999999"]
    text = tmp_path / "t.csv"
    text.write_text(
        "Id,BizibleId,CreatedDate\n"
        + "".join(f"T{i},{ABC},{t.replace(' ', 'T')}Z\n" for i, t in enumerate(times)),
        encoding="utf-8",
    )
    typed = tmp_path / "t.parquet"
    rows = ", ".join(f"('T{i}', '{ABC}', TIMESTAMP_NS '{t}')" for i, t in enumerate(times))
    duckdb.sql(
        f"COPY (SELECT * FROM (VALUES {rows}) AS v(Id, BizibleId, CreatedDate)) TO '{typed}'"
    )
    outcomes = []
    for tasks in (text, typed):
        out = tmp_path / tasks.suffix[1:]
        run_pipeline(queries.connect(), str(tasks), str(sessions), out, RunSettings())
        outcomes.append(read_outcome(out))
    for out in outcomes:
        assert out.status("T0") == ("standalone", "only_later_sessions")
        assert out.touchpoints["T0"]["touchpoint_date"] == "2026-03-02T12:09:59.999999Z"
        assert out.touchpoints["T1"]["touchpoint_date"] == "1969-12-31T23:59:59.999999Z"


def test_r8_a_locale_time_with_a_long_or_12_hour_fraction_reads_as_iso_text_does(
    tmp_path: Path,
) -> None:
    # ISO text drops digits beyond the microsecond; a locale time with them, or a fraction
    # before AM/PM, was rejected as no date-time
    tasks = [
        task("T-long", ABC, "3/20/2026 12:17:00.123456789"),
        task("T-am", ABC, "3/20/2026 1:30:00.5 AM"),
        task("T-pm", ABC, "3/20/2026 1:30:00.25 PM"),
        task("T-zoned", ABC, "3/20/2026 12:17:00.1234567 +05:30"),
    ]
    out = run_case(tmp_path, tasks, [])
    assert out.rejects == []
    assert {t: out.touchpoints[t]["touchpoint_date"] for t in out.touchpoints} == {
        "T-long": "2026-03-20T12:17:00.123456Z",
        "T-am": "2026-03-20T01:30:00.500Z",
        "T-pm": "2026-03-20T13:30:00.250Z",
        "T-zoned": "2026-03-20T06:47:00.123456Z",
    }

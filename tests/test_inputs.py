"""Input formats calltouch must read with no options (SPEC §3), through the real pipeline, and
unit tests of the input helpers (calltouch.inputs, calltouch.durations)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import threading
import zlib
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calltouch import csvscan, queries
from calltouch.durations import format_window, parse_window
from calltouch.errors import InputError, UsageError
from calltouch.inputs import (
    folder_notes,
    map_columns,
    parse_encodings,
    parse_maps,
    resolve,
    sniff_csv,
)
from calltouch.pipeline import RunSettings, max_rejects_advice, parse_max_rejects
from calltouch.pipeline import run as run_pipeline
from calltouch.timeformats import decide_date_order
from tests.harness import (
    SESSION_HEADER,
    TASK_HEADER,
    at,
    invoke,
    read_csv,
    read_outcome,
    run_case,
    session,
    task,
    write_rows,
)

ABC = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
DEF = "0f9e8d7c6b5a49382716f5e4d3c2b1a0"
GHI = "77aa88bb99cc00dd11ee22ff33aa44bb"

SF18_SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def sf18(id15: str) -> str:
    """The 18-character form of a 15-character Salesforce id (3 chunks of 5, bit i = upper)."""
    suffix = ""
    for start in (0, 5, 10):
        chunk = id15[start : start + 5]
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += SF18_SUFFIX_CHARS[bits]
    return id15 + suffix


def run_paths(tmp_path: Path, tasks: Path | str, sessions: Path | str, **settings):
    """Run the pipeline on files already written; read the CSV outputs back. Rejected rows do
    not stop these runs (--max-rejects 100%) unless a test asks otherwise."""
    settings.setdefault("max_rejects", "100%")
    out = tmp_path / "out"
    con = queries.connect()
    try:
        run_pipeline(con, str(tasks), str(sessions), out, RunSettings(**settings))
    finally:
        con.close()
    return read_outcome(out)


def sessions_file(path: Path, rows: list[dict] | None = None) -> Path:
    rows = rows if rows is not None else [session("S1", ABC, "12:17")]
    return write_rows(path, rows, SESSION_HEADER)


def assert_reconciled(summary: dict) -> None:
    tasks = summary["tasks"]
    assert tasks["read"] == (
        tasks["touchpoints"] + tasks["unmatched"] + tasks["duplicates"] + tasks["rejected"]
    )
    sessions = summary["sessions"]
    assert sessions["read"] == sessions["kept"] + sessions["duplicates"] + sessions["rejected"]
    assert summary["reconciled"] is True


# ----------------------------------------------------------------------------- sf18 helper


def test_sf18_helper_matches_the_documented_salesforce_example():
    assert sf18("001A0000006Vm9r") == "001A0000006Vm9rIAC"
    assert sf18("00T5e0000kBRaog") == "00T5e0000kBRaogEAD"


# ----------------------------------------------------------------------------- Data Loader

DATA_LOADER_HEADER = (
    "ID",
    "WHOID",
    "BIZIBLE2__BIZIBLEID__C",
    "BIZIBLE2__BIZIBLE_TOUCHPOINT_DATE__C",
    "CREATEDDATE",
    "TYPE",
    "SUBJECT",
)


def test_data_loader_export_quoted_upper_case_loads_and_merges(tmp_path):
    tasks = write_rows(
        tmp_path / "tasks.csv",
        [
            {
                "ID": "00T5e0000kBRaogEAD",
                "WHOID": "00Q5e0000gZ6ZNmEAN",
                "BIZIBLE2__BIZIBLEID__C": ABC,
                "BIZIBLE2__BIZIBLE_TOUCHPOINT_DATE__C": "2026-03-02T12:40:00.000Z",
                "CREATEDDATE": "2026-03-02T12:41:30.000Z",
                "TYPE": "Inbound Call",
                "SUBJECT": "Call: pricing",
            }
        ],
        DATA_LOADER_HEADER,
        quote_all=True,
    )
    assert tasks.read_text().startswith('"ID","WHOID","BIZIBLE2__BIZIBLEID__C"')
    out = run_paths(tmp_path, tasks, sessions_file(tmp_path / "sessions.csv"))
    row = out.touchpoints["00T5e0000kBRaogEAD"]
    assert row["touchpoint_id"] == "TP_00T5e0000kBRaogEAD"
    assert row["who_id"] == "00Q5e0000gZ6ZNmEAN"
    assert row["bizible_id"] == ABC
    assert row["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert row["touchpoint_type"] == "Inbound Call"
    assert row["medium"] == "Inbound Call"
    assert (row["channel"], row["subchannel"]) == ("Paid Search", "AdWords")
    assert row["match_status"] == "merged"
    assert row["minutes_after_session_start"] == "23.0"
    assert row["subject"] == "Call: pricing"
    assert out.summary["tasks"]["files"][0]["mapping"] == {
        "task_id": "ID",
        "bizible_id": "BIZIBLE2__BIZIBLEID__C",
        "touchpoint_date": "BIZIBLE2__BIZIBLE_TOUCHPOINT_DATE__C",
        "call_time": "CREATEDDATE",
        "task_type": "TYPE",
        "who_id": "WHOID",
        "subject": "SUBJECT",
    }


def test_salesforce_api_mixed_case_names_load_and_merge(tmp_path):
    header = (
        "Id",
        "WhoId",
        "bizible2__BizibleId__c",
        "bizible2__Bizible_Touchpoint_Date__c",
        "CreatedDate",
        "Type",
    )
    row = {
        "Id": "00T5e0000kBRaogEAD",
        "WhoId": "00Q5e0000gZ6ZNmEAN",
        "bizible2__BizibleId__c": ABC,
        "bizible2__Bizible_Touchpoint_Date__c": "",
        "CreatedDate": "2026-03-02T12:47:00.000+0000",
        "Type": "Call",
    }
    out = run_case(tmp_path, [row], [session("S1", ABC, "12:17")], task_header=header)
    tp = out.touchpoints["00T5e0000kBRaogEAD"]
    assert tp["match_status"] == "merged"
    assert tp["minutes_after_session_start"] == "30.0"
    assert tp["touchpoint_date"] == "2026-03-02T12:47:00Z"
    assert tp["who_id"] == "00Q5e0000gZ6ZNmEAN"
    assert tp["touchpoint_type"] == "Call"


# ----------------------------------------------------------------------------- warehouse

WAREHOUSE_TASK_HEADER = (
    "ID",
    "BIZIBLE_COOKIE_ID",
    "CREATED_DATE",
    "ACTIVITY_TYPE",
    "LEAD_ID",
    "CONTACT_ID",
)
WAREHOUSE_SESSION_HEADER = (
    "ID",
    "COOKIE_ID",
    "VISITOR_ID",
    "EVENT_DATE",
    "CHANNEL",
    "MEDIUM",
    "WEB_SOURCE",
    "CAMPAIGN_NAME",
    "LANDING_PAGE",
    "REFERRER_PAGE",
    "SEARCH_PHRASE",
)


def test_fivetran_names_of_the_bizible_fields_are_read():
    # Fivetran's warehouse copy of Salesforce writes bizible2__BizibleId__c as
    # bizible_2_bizible_id_c: run refused the file, and once --map named the id, the call
    # time was the CreatedDate (minutes late) while the touchpoint date column sat unread
    header = [
        "id", "who_id", "created_date", "last_modified_date", "is_deleted",
        "bizible_2_bizible_id_c", "bizible_2_bizible_touchpoint_date_c",
    ]  # fmt: skip
    mapping = map_columns("tasks", header, "fivetran.csv")
    assert mapping.header_of("bizible_id") == "bizible_2_bizible_id_c"
    assert mapping.header_of("touchpoint_date") == "bizible_2_bizible_touchpoint_date_c"
    assert mapping.header_of("call_time") == "created_date"
    assert mapping.header_of("modstamp") == "last_modified_date"
    assert not mapping.notes
    people = map_columns("people", ["id", "bizible_2_bizible_id_c"], "leads.csv")
    assert people.header_of("bizible_id") == "bizible_2_bizible_id_c"


@pytest.mark.parametrize("column", ["Touchpoint_Date__c", "Buyer Touchpoint Date (PT)"])
def test_an_unread_column_named_a_touchpoint_date_is_noted(column):
    header = ["Id", "BizibleId", "CreatedDate", column]
    (note,) = map_columns("tasks", header, "t.csv").notes
    assert note == (
        f"column {column!r} looks like the Buyer Touchpoint Date, which is the call time when "
        "filled, but it is not read: the call time is the CreatedDate; --map "
        f"tasks.touchpoint_date='{column}' reads it (--map tasks.touchpoint_date= keeps this "
        "reading, without this note)"
    )
    named = map_columns("tasks", header, "t.csv", {"touchpoint_date": column})
    assert named.header_of("touchpoint_date") == column and not named.notes
    ignored = map_columns("tasks", header, "t.csv", {"touchpoint_date": ""})
    assert ignored.notes == ["touchpoint_date ignored (--map)"]
    # the touchpoint date read from another column: nothing to say
    read = map_columns("tasks", [*header, "bizible2__Bizible_Touchpoint_Date__c"], "t.csv")
    assert not read.notes


@pytest.mark.slow
def test_warehouse_biz_tables_load_with_naive_utc_timestamps(tmp_path):
    tasks = [
        {
            "ID": "00T5e0000kBRaogEAD",
            "BIZIBLE_COOKIE_ID": ABC,
            "CREATED_DATE": "2026-03-02 12:40:00.000",
            "ACTIVITY_TYPE": "Call",
            "LEAD_ID": "00Q5e0000gZ6ZNmEAN",
            "CONTACT_ID": "",
        }
    ]
    sessions = [
        {
            "ID": "s-1001",
            "COOKIE_ID": ABC,
            "VISITOR_ID": "v-42",
            "EVENT_DATE": "2026-03-02 12:17:00.000",
            "CHANNEL": "Paid Search.AdWords",
            "MEDIUM": "cpc",
            "WEB_SOURCE": "google",
            "CAMPAIGN_NAME": "Spring Promo",
            "LANDING_PAGE": "https://www.example.com/pricing",
            "REFERRER_PAGE": "https://www.google.com/",
            "SEARCH_PHRASE": "call tracking software",
        }
    ]
    out = run_case(
        tmp_path,
        tasks,
        sessions,
        task_header=WAREHOUSE_TASK_HEADER,
        session_header=WAREHOUSE_SESSION_HEADER,
    )
    tp = out.touchpoints["00T5e0000kBRaogEAD"]
    assert tp["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert tp["session_start"] == "2026-03-02T12:17:00Z"
    assert tp["minutes_after_session_start"] == "23.0"
    assert tp["session_id"] == "s-1001"
    assert tp["who_id"] == "00Q5e0000gZ6ZNmEAN"
    assert tp["touchpoint_type"] == "Call"
    assert (tp["channel"], tp["subchannel"]) == ("Paid Search", "AdWords")
    assert tp["touchpoint_source"] == "google"
    assert tp["campaign"] == "Spring Promo"
    assert tp["landing_page"] == "https://www.example.com/pricing"
    assert tp["referrer_page"] == "https://www.google.com/"
    assert tp["search_phrase"] == "call tracking software"
    for role in ("tasks", "sessions"):
        assert not any("notes" in f for f in out.summary[role]["files"])
    # a zone meant for one export's local times shifts the warehouse's UTC times: said
    shifted = run_case(
        tmp_path / "shifted",
        tasks,
        sessions,
        tasks_tz="America/New_York",
        task_header=WAREHOUSE_TASK_HEADER,
        session_header=WAREHOUSE_SESSION_HEADER,
    )
    (loaded,) = shifted.summary["tasks"]["files"]
    assert (
        "its times without a zone are read in America/New_York, but the warehouse profile's "
        "exports write them in UTC: check the zone given to this input (--tasks-tz)"
    ) in loaded["notes"]
    assert "notes" not in shifted.summary["sessions"]["files"][0]
    # every time with its zone: --tz places none of them, nothing to check
    zoned = [{**tasks[0], "CREATED_DATE": "2026-03-02T12:40:00Z"}]
    stated = run_case(
        tmp_path / "zoned",
        zoned,
        sessions,
        tasks_tz="America/New_York",
        task_header=WAREHOUSE_TASK_HEADER,
        session_header=WAREHOUSE_SESSION_HEADER,
    )
    assert "notes" not in stated.summary["tasks"]["files"][0]
    # UTC under another of its names is UTC
    for name in ("utc", "Etc/UTC", "GMT"):
        same = run_case(
            tmp_path / name.replace("/", "_"),
            tasks,
            sessions,
            tasks_tz=name,
            task_header=WAREHOUSE_TASK_HEADER,
            session_header=WAREHOUSE_SESSION_HEADER,
        )
        assert "notes" not in same.summary["tasks"]["files"][0], name


@pytest.mark.slow
@pytest.mark.parametrize("column", ["Start Time (UTC)", "start_time_utc", "UTC Start Time"])
def test_a_time_column_whose_name_says_utc_is_noted_when_another_zone_reads_it(tmp_path, column):
    # Invoca's Start Time (UTC) was moved by --tz America/New_York without a word, where a
    # warehouse file's times get this note
    header = ("Transaction ID", column, "Calling Phone Number", "biz")
    tasks = [{"Transaction ID": "INV1", column: "2026-03-02 15:22:00", "biz": ABC}]
    sessions = [session("S1", ABC, "2026-03-02T15:00:00Z")]
    shifted = run_case(
        tmp_path / "shifted",
        tasks,
        sessions,
        tasks_tz="America/New_York",
        task_header=header,
        maps=["tasks.bizible_id=biz", f"tasks.call_time={column}"],
    )
    (loaded,) = shifted.summary["tasks"]["files"]
    assert (
        f"its times without a zone are read in America/New_York, but its column {column!r} "
        "says they are UTC: check the zone given to this input (--tasks-tz)"
    ) in loaded["notes"]
    read_as_utc = run_case(
        tmp_path / "utc", tasks, sessions, task_header=header,
        maps=["tasks.bizible_id=biz", f"tasks.call_time={column}"],
    )  # fmt: skip
    # the one note left: Invoca's call log has no Type
    assert read_as_utc.summary["tasks"]["files"][0]["notes"] == [
        "task_type is 'Call' for every row (the invoca profile's default)"
    ]
    assert read_as_utc.touchpoints["INV1"]["touchpoint_date"] == "2026-03-02T15:22:00Z"


def test_a_column_name_holding_utc_inside_a_word_is_no_zone(tmp_path):
    header = ("Id", "Outcome Time", "BizibleId")
    tasks = [{"Id": "T1", "Outcome Time": "2026-03-02 15:22:00", "BizibleId": ABC}]
    out = run_case(
        tmp_path, tasks, [session("S1", ABC, "2026-03-02T15:00:00Z")],
        tasks_tz="America/New_York", task_header=header,
        maps=["tasks.call_time=Outcome Time"],
    )  # fmt: skip
    assert "notes" not in out.summary["tasks"]["files"][0]


# ----------------------------------------------------------------------------- channels


def test_separate_channel_and_subchannel_columns_are_not_split(tmp_path):
    header = ("ID", "COOKIE_ID", "EVENT_DATE", "channel", "subchannel")
    sessions = [
        {"ID": "S1", "COOKIE_ID": ABC, "EVENT_DATE": "2026-03-02T12:17:00Z",
         "channel": "Paid Search", "subchannel": "AdWords"},
        {"ID": "S2", "COOKIE_ID": DEF, "EVENT_DATE": "2026-03-02T12:17:00Z",
         "channel": "Partner.Network", "subchannel": "acme.com"},
    ]  # fmt: skip
    tasks = [
        {"Id": "T1", "BizibleId": ABC, "CreatedDate": "2026-03-02T12:40:00Z"},
        {"Id": "T2", "BizibleId": DEF, "CreatedDate": "2026-03-02T12:40:00Z"},
    ]
    out = run_case(tmp_path, tasks, sessions, session_header=header)
    assert (out.touchpoints["T1"]["channel"], out.touchpoints["T1"]["subchannel"]) == (
        "Paid Search",
        "AdWords",
    )
    assert (out.touchpoints["T2"]["channel"], out.touchpoints["T2"]["subchannel"]) == (
        "Partner.Network",
        "acme.com",
    )


def test_channel_cell_is_split_at_its_first_dot_only(tmp_path):
    out = run_case(
        tmp_path,
        [
            {"Id": "T1", "BizibleId": ABC, "CreatedDate": "2026-03-02T12:40:00Z"},
            {"Id": "T2", "BizibleId": DEF, "CreatedDate": "2026-03-02T12:40:00Z"},
        ],
        [
            session("S1", ABC, "12:17", "Referral.partner-site.com"),
            session("S2", DEF, "12:17", "Direct"),
        ],
    )
    assert (out.touchpoints["T1"]["channel"], out.touchpoints["T1"]["subchannel"]) == (
        "Referral",
        "partner-site.com",
    )
    assert (out.touchpoints["T2"]["channel"], out.touchpoints["T2"]["subchannel"]) == (
        "Direct",
        "",
    )


# Each channel cell (in a session of its own) and the (channel, subchannel) it shows: the cell
# is tidied, split at its first dot, and each part tidied again (a blank part is no value).
CHANNEL_CELLS = {
    "Referral.partner-site.com": ("Referral", "partner-site.com"),
    "Direct": ("Direct", ""),
    " Paid Search . AdWords ": ("Paid Search", "AdWords"),
    "Social.": ("Social", ""),
    ".Bing": ("", "Bing"),
    "\u3000Email\u3000.\u3000Newsletter\u3000": ("Email", "Newsletter"),
    "NULL.x": ("", "x"),
    "x.NULL": ("x", ""),
    ".": ("", ""),
    "Café.Réseau.fr": ("Café", "Réseau.fr"),
    "NULL": ("", ""),
}


def _channel_outputs(tmp_path: Path, path: str) -> dict[str, tuple[str, str]]:
    """The (channel, subchannel) each CHANNEL_CELLS cell's call shows, by ``path``: a one-shot
    run on CSV (the details kept raw), on Parquet (fetched after matching), or the workspace
    (a column each)."""
    cells = list(CHANNEL_CELLS)
    tasks = [task(f"T{i}", f"cookie-{i}", "12:40") for i in range(len(cells))]
    sessions = [session(f"S{i}", f"cookie-{i}", "12:17", cell) for i, cell in enumerate(cells)]
    tasks_file = write_rows(tmp_path / "tasks.csv", tasks, TASK_HEADER)
    sessions_file = write_rows(tmp_path / "sessions.csv", sessions, SESSION_HEADER)
    if path == "parquet":
        parquet = tmp_path / "sessions.parquet"
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{sessions_file}', all_varchar = true)) "
            f"TO '{parquet}' (FORMAT parquet)"
        )
        sessions_file = parquet
    out = tmp_path / "out"
    if path == "workspace":
        db = tmp_path / "ws.duckdb"
        invoke("load", "tasks", tasks_file, "--db", db)
        invoke("load", "sessions", sessions_file, "--db", db)
        invoke("match", "--db", db)
        out.mkdir()
        invoke("export", "touchpoints", "-o", out / "touchpoints.csv", "--db", db)
        rows = read_csv(out / "touchpoints.csv")
    else:
        con = queries.connect()
        try:
            run_pipeline(con, str(tasks_file), str(sessions_file), out, RunSettings())
        finally:
            con.close()
        rows = read_outcome(out).touchpoint_rows
    assert {r["match_status"] for r in rows} == {"merged"}
    return {cells[int(r["task_id"][1:])]: (r["channel"], r["subchannel"]) for r in rows}


@pytest.mark.slow
@pytest.mark.parametrize("path", ["csv", "parquet", "workspace"])
def test_channel_cell_is_tidied_split_at_its_first_dot_and_its_parts_tidied(tmp_path, path):
    # The split is computed a level below the parts' tidying (ct_channel_part): the same
    # channels whichever way the details are read.
    assert _channel_outputs(tmp_path, path) == CHANNEL_CELLS


# ----------------------------------------------------------------------------- call time

# A call time's zone written as letters: what it reads as (UTC), or None when it is rejected.
ZONE_WORDS = {
    "2026-07-02 10:22:00 UTC": "2026-07-02T10:22:00Z",
    "2026-07-02 10:22:00 gmt": "2026-07-02T10:22:00Z",
    "2026-07-02T10:22:00Z": "2026-07-02T10:22:00Z",
    "2026-07-02 10:22:00 America/New_York": "2026-07-02T14:22:00Z",
    "2026-07-02 10:22:00 PST": None,  # DuckDB read it as Los Angeles, summer time: 17:22Z
    "2026-07-02 10:22:00 BST": None,  # as Dhaka (UTC+6), not British Summer Time
    "2026-07-02 10:22:00 IST": None,  # as Kolkata
    "2026-03-02 10:22:00 AST": None,  # as Anchorage, not Atlantic Standard Time
    "2026-07-02 10:22:00 PDT": None,  # refused by the cast, while PST was read
    "2026-07-02 10:22 cst": None,
}


def test_a_zone_abbreviation_is_rejected_with_advice_not_guessed(tmp_path):
    values = list(ZONE_WORDS)
    tasks = [task(f"T{i}", ABC, value) for i, value in enumerate(values)]
    out = run_case(tmp_path, tasks, [session("S1", ABC, "2026-07-02T09:00:00Z")])
    for i, value in enumerate(values):
        expected = ZONE_WORDS[value]
        if expected is not None:
            assert out.touchpoints[f"T{i}"]["touchpoint_date"] == expected, value
            continue
        assert f"T{i}" not in out.touchpoints, value
        (reject,) = [r for r in out.rejects if r["raw"].startswith(f"T{i},")]
        zone = value.rsplit(" ", 1)[1]
        assert f"gives its zone as an abbreviation ({zone!r})" in reject["error"], reject
        assert "with an offset (-08:00)" in reject["error"]


def test_a_locale_time_with_a_zone_abbreviation_gets_the_same_advice(tmp_path):
    tasks = [
        task("T1", ABC, "3/14/2026, 10:22 AM"),
        task("T2", ABC, "3/14/2026, 10:22 AM PST"),
        task("T3", ABC, "3/14/2026, 10:22 PM"),
    ]
    out = run_case(tmp_path, tasks, [session("S1", ABC, "2026-03-14T10:00:00Z")])
    assert set(out.touchpoints) == {"T1", "T3"}
    (reject,) = out.rejects
    assert "gives its zone as an abbreviation ('PST')" in reject["error"], reject


@pytest.mark.parametrize(
    ("read", "day"),
    [
        # '3/13/2026 10:00 AM UTC' was rejected where '2026-03-13 10:00:00 UTC' and
        # '3/13/2026 10:00 AM +00:00' were read
        (
            {
                "3/13/2026 10:00 AM GMT": "2026-03-13T10:00:00Z",
                "03/13/2026 10:20:00 UTC": "2026-03-13T10:20:00Z",
                "3/13/2026 5:10 AM America/New_York": "2026-03-13T09:10:00Z",
                "3/13/2026 3:45 PM UTC+05:30": "2026-03-13T10:15:00Z",
            },
            "3/13/2026",
        ),
        # 'Mar 14, 2026 10:22 AM' was rejected as "not a date-time", the whole file with it
        (
            {
                "Mar 14, 2026 10:22 AM": "2026-03-14T10:22:00Z",
                "March 14, 2026, 10:40 PM": "2026-03-14T22:40:00Z",
                "14-Mar-26 10:25": "2026-03-14T10:25:00Z",
            },
            "Mar 14, 2026",
        ),
    ],
    ids=["zone words", "month names"],
)
def test_more_locale_time_forms_are_read(tmp_path, read, day):
    # beside them, an abbreviation is still refused with advice
    values = [*read, f"{day} 10:22 AM PST"]
    tasks = [task(f"T{i}", ABC, value) for i, value in enumerate(values)]
    out = run_case(tmp_path, tasks, [session("S1", ABC, "2026-03-13T09:50:00Z")])
    got = {values[i]: out.touchpoints[f"T{i}"]["touchpoint_date"] for i in range(len(read))}
    assert got == read and len(out.touchpoints) == len(read)
    (reject,) = out.rejects
    assert "gives its zone as an abbreviation ('PST')" in reject["error"], reject


# Times a file cut mid-row ends with, which DuckDB's cast (and strptime's %M) read as
# another time: 00:03, 21:05, 08:00, 08:00:00, and 10:02 on 14 March.
CUT_SHORT = [
    "2026-03-14T00:3",
    "2026-03-14 21:5",
    "2026-03-14T08:",
    "2026-03-14T08:00:0",
    "2026-03-14T08:00:00.",
    "3/14/2026 10:2",
]


@pytest.mark.slow
@pytest.mark.parametrize("value", CUT_SHORT)
def test_a_time_cut_short_is_rejected_not_read_as_another(tmp_path, value):
    # the last row of a file that ends mid-row: a reject naming the cause, never a guess
    tasks = [task("T1", ABC, "3/14/2026 10:22 a.m."), task("T2", ABC, value)]
    out = run_case(tmp_path, tasks, [session("S1", ABC, "2026-03-14T10:00:00Z")])
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-14T10:22:00Z"
    assert "T2" not in out.touchpoints
    (reject,) = out.rejects
    assert f"{value!r} is a time cut short" in reject["error"], reject


API_TASK_HEADER = ("Id", "BizibleId", "bizible2__Bizible_Touchpoint_Date__c", "CreatedDate", "Type")


def test_call_time_is_touchpoint_date_when_present_else_created_date(tmp_path):
    tasks = [
        # CreatedDate 35 min after the session, Buyer Touchpoint Date 20 min after.
        {"Id": "T1", "BizibleId": ABC, "bizible2__Bizible_Touchpoint_Date__c":
            "2026-03-02T12:37:00.000Z", "CreatedDate": "2026-03-02T12:52:00.000Z", "Type": "Call"},
        # No Buyer Touchpoint Date: CreatedDate is the call time.
        {"Id": "T2", "BizibleId": DEF, "bizible2__Bizible_Touchpoint_Date__c": "",
            "CreatedDate": "2026-03-02T12:40:00.000Z", "Type": "Call"},
    ]  # fmt: skip
    out = run_case(
        tmp_path,
        tasks,
        [session("S1", ABC, "12:17"), session("S2", DEF, "12:17")],
        task_header=API_TASK_HEADER,
    )
    t1, t2 = out.touchpoints["T1"], out.touchpoints["T2"]
    assert (t1["match_status"], t1["minutes_after_session_start"]) == ("merged", "20.0")
    assert t1["touchpoint_date"] == "2026-03-02T12:37:00Z"
    assert (t2["match_status"], t2["minutes_after_session_start"]) == ("merged", "23.0")
    assert t2["touchpoint_date"] == "2026-03-02T12:40:00Z"


def test_an_unreadable_created_date_beside_a_touchpoint_date_is_not_a_reject(tmp_path):
    # the call time is the Buyer Touchpoint Date when filled (SPEC 1.2): the row was rejected
    # for a CreatedDate it never uses, and counted against --max-rejects
    tasks = [
        {"Id": "T1", "BizibleId": ABC, "bizible2__Bizible_Touchpoint_Date__c":
            "2026-03-02T12:37:00Z", "CreatedDate": "garbage", "Type": "Call"},
        {"Id": "T2", "BizibleId": ABC, "bizible2__Bizible_Touchpoint_Date__c": "",
            "CreatedDate": "garbage", "Type": "Call"},
    ]  # fmt: skip
    out = run_case(tmp_path, tasks, [session("S1", ABC, "12:17")], task_header=API_TASK_HEADER)
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-02T12:37:00Z"
    assert [(r["line"], r["column"]) for r in out.rejects] == [("3", "CreatedDate")]
    assert out.summary["reconciled"]


# ----------------------------------------------------------------------------- headers


def test_headers_match_case_insensitively_ignoring_bom_and_white_space(tmp_path):
    tasks = tmp_path / "tasks.csv"
    tasks.write_bytes(
        b"\xef\xbb\xbf Id ,\tbizibleid , createddate ,TYPE\r\n"
        b"T1," + ABC.encode() + b",2026-03-02T12:40:00Z,Call\r\n"
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_bytes(
        "\ufeff id , Cookie_Id ,event_date \n".encode()
        + f"S1,{ABC},2026-03-02T12:17:00Z\n".encode()
    )
    out = run_paths(tmp_path, tasks, sessions)
    assert out.status("T1") == ("merged", "within_window")
    assert out.touchpoints["T1"]["touchpoint_type"] == "Call"
    assert out.summary["tasks"]["files"][0]["mapping"] == {
        "task_id": "Id",
        "bizible_id": "bizibleid",
        "call_time": "createddate",
        "task_type": "TYPE",
    }
    assert out.summary["sessions"]["files"][0]["mapping"] == {
        "session_id": "id",
        "cookie_id": "Cookie_Id",
        "session_start": "event_date",
    }


@pytest.mark.parametrize("delimiter", [";", "\t", "|"], ids=["semicolon", "tab", "pipe"])
def test_delimited_files_load(tmp_path, delimiter):
    task_rows = [
        {"Id": "T1", "BizibleId": ABC, "CreatedDate": "2026-03-02T12:40:00Z", "Type": "Call",
         "Subject": "Call, about pricing"},
        {"Id": "T2", "BizibleId": "", "CreatedDate": "2026-03-02T12:40:00Z", "Type": "Call",
         "Subject": "no id"},
    ]  # fmt: skip
    tasks = write_rows(tmp_path / "tasks.csv", task_rows, TASK_HEADER, delimiter=delimiter)
    sessions = write_rows(
        tmp_path / "sessions.csv",
        [session("S1", ABC, "12:17", campaign="Spring, 2026")],
        SESSION_HEADER,
        delimiter=delimiter,
    )
    out = run_paths(tmp_path, tasks, sessions)
    assert out.status("T1") == ("merged", "within_window")
    assert out.touchpoints["T1"]["subject"] == "Call, about pricing"
    assert out.touchpoints["T1"]["campaign"] == "Spring, 2026"
    assert out.status("T2") == ("unmatched", "no_bizible_id")
    assert out.summary["tasks"]["read"] == 2


# ----------------------------------------------------------------------------- --map


def test_map_reads_call_time_from_a_custom_column(tmp_path):
    header = ("Id", "BizibleId", "My_Call_Date__c", "Type")
    row = {"Id": "T1", "BizibleId": ABC, "My_Call_Date__c": "2026-03-02T12:40:00Z", "Type": "Call"}
    out = run_case(
        tmp_path,
        [row],
        [session("S1", ABC, "12:17")],
        task_header=header,
        maps=["tasks.call_time=My_Call_Date__c"],
    )
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.touchpoints["T1"]["minutes_after_session_start"] == "23.0"
    assert out.summary["tasks"]["files"][0]["mapping"]["call_time"] == "My_Call_Date__c"


def test_map_overrides_a_recognised_column(tmp_path):
    header = ("Id", "BizibleId", "CreatedDate", "My_Call_Date__c")
    row = {"Id": "T1", "BizibleId": ABC, "CreatedDate": "2026-03-02T14:00:00Z",
           "My_Call_Date__c": "2026-03-02T12:40:00Z"}  # fmt: skip
    out = run_case(
        tmp_path,
        [row],
        [session("S1", ABC, "12:17")],
        task_header=header,
        maps=["tasks.call_time=my_call_date__c"],
    )
    assert out.touchpoints["T1"]["touchpoint_date"] == "2026-03-02T12:40:00Z"
    assert out.status("T1") == ("merged", "within_window")


def test_map_with_empty_column_ignores_the_touchpoint_date(tmp_path):
    row = {
        "Id": "T1",
        "BizibleId": ABC,
        "bizible2__Bizible_Touchpoint_Date__c": "2026-03-02T12:37:00Z",
        "CreatedDate": "2026-03-02T12:52:00Z",
        "Type": "Call",
    }
    out = run_case(
        tmp_path,
        [row],
        [session("S1", ABC, "12:17")],
        task_header=API_TASK_HEADER,
        maps=["tasks.touchpoint_date="],
    )
    tp = out.touchpoints["T1"]
    assert tp["touchpoint_date"] == "2026-03-02T12:52:00Z"
    assert (tp["match_status"], tp["match_reason"]) == ("standalone", "outside_window")
    assert tp["nearest_session_minutes"] == "35.0"


# ----------------------------------------------------------------------------- rejects


def test_rejected_task_rows_are_located_by_physical_line(tmp_path):
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate,Type,Subject\n"  # line 1
        f'T1,{ABC},2026-03-02T12:40:00Z,Call,"first line\nsecond line"\n'  # lines 2-3
        f",{ABC},2026-03-02T12:40:00Z,Call,no id\n"  # line 4
        f"T3,{ABC},not a date,Call,bad date\n"  # line 5
        f"T4,{ABC},2026-03-02,Call,date only\n"  # line 6
        f"T5,{ABC},2026-03-02T12:41:00Z,Call,too,many\n"  # line 7
        f"T6,{DEF},2026-03-02T12:42:00Z,Call,good\n",  # line 8
        encoding="utf-8",
    )
    out = run_paths(tmp_path, tasks, sessions_file(tmp_path / "sessions.csv"))
    got = [(r["file"], r["line"], r["column"], r["error"], r["raw"]) for r in out.rejects]
    name = str(tasks)
    assert got == [
        (name, "4", "Id", "the task id is empty", f",{ABC},2026-03-02T12:40:00Z,Call,no id"),
        (
            name,
            "5",
            "CreatedDate",
            "'not a date' is not a date-time (expected e.g. 2026-03-02T12:17:00Z)",
            f"T3,{ABC},not a date,Call,bad date",
        ),
        (
            name,
            "6",
            "CreatedDate",
            "'2026-03-02' is a date without a time of day",
            f"T4,{ABC},2026-03-02,Call,date only",
        ),
        (
            name,
            "7",
            "",  # the extra cell has no header
            "too many columns: expected 5, found 6",
            f"T5,{ABC},2026-03-02T12:41:00Z,Call,too,many",
        ),
    ]
    assert out.touchpoints["T1"]["subject"] == "first line\nsecond line"
    assert set(out.touchpoints) == {"T1", "T6"}
    assert out.summary["tasks"]["rejected"] == 4
    assert out.summary["tasks"]["read"] == 6
    assert_reconciled(out.summary)


def test_too_many_columns_reject_keeps_the_raw_line(tmp_path):
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate\n"
        f"T1,{ABC},2026-03-02T12:40:00Z,extra\n"
        f"T2,{ABC},2026-03-02T12:41:00Z\n",
        encoding="utf-8",
    )
    out = run_paths(tmp_path, tasks, sessions_file(tmp_path / "sessions.csv"))
    assert len(out.rejects) == 1
    assert out.rejects[0] == {
        "file": str(tasks),
        "line": "2",
        "column": "",
        "error": "too many columns: expected 3, found 4",
        "raw": f"T1,{ABC},2026-03-02T12:40:00Z,extra",
    }
    assert list(out.touchpoints) == ["T2"]
    assert_reconciled(out.summary)


def test_rejected_session_with_unreadable_event_date(tmp_path):
    sessions = sessions_file(
        tmp_path / "sessions.csv",
        [session("S1", ABC, "yesterday afternoon"), session("S2", DEF, "12:17")],
    )
    tasks = write_rows(
        tmp_path / "tasks.csv",
        [{"Id": "T1", "BizibleId": DEF, "CreatedDate": "2026-03-02T12:40:00Z"}],
        TASK_HEADER,
    )
    out = run_paths(tmp_path, tasks, sessions)
    assert len(out.rejects) == 1
    reject = out.rejects[0]
    assert (reject["file"], reject["line"], reject["column"]) == (str(sessions), "2", "EVENT_DATE")
    assert reject["error"] == (
        "'yesterday afternoon' is not a date-time (expected e.g. 2026-03-02T12:17:00Z)"
    )
    assert reject["raw"].startswith(f"S1,{ABC},yesterday afternoon,Paid Search.AdWords,")
    assert out.summary["sessions"]["rejected"] == 1
    assert out.summary["sessions"]["kept"] == 1
    assert out.status("T1") == ("merged", "within_window")
    assert_reconciled(out.summary)


def _unterminated_quote(path: Path) -> int:
    path.write_text(
        "Id,BizibleId,CreatedDate,Subject\n"
        f"T1,{ABC},2026-03-02T12:40:00Z,ok\n"
        f'T2,{ABC},2026-03-02T12:41:00Z,"never closed\n'
        f"T3,{ABC},2026-03-02T12:42:00Z,after\n",
        encoding="utf-8",
    )
    return 3


def _latin1_after_the_sniffed_bytes(path: Path) -> int:
    good = "".join(f"T{i},{ABC},2026-03-02T12:40:00Z,subject {i}\n" for i in range(1, 1601))
    path.write_bytes(
        b"Id,BizibleId,CreatedDate,Subject\n"
        + good.encode()  # about 90 KB: beyond the 64 KiB that sniff_csv decodes
        + f"T9999,{ABC},2026-03-02T12:40:00Z,Caf".encode()
        + b"\xe9 cr\xe8me\n"
    )
    return 1602


@pytest.mark.parametrize(
    "write", [_unterminated_quote, _latin1_after_the_sniffed_bytes], ids=["quote", "encoding"]
)
def test_structural_reject_is_located_by_physical_line(tmp_path, write):
    tasks = tmp_path / "tasks.csv"
    line = write(tasks)
    out = run_paths(tmp_path, tasks, sessions_file(tmp_path / "sessions.csv"))
    assert len(out.rejects) == 1
    assert out.rejects[0]["file"] == str(tasks)
    assert out.rejects[0]["line"] == str(line)


# ----------------------------------------------------------------------------- who_id and ids


def test_who_id_is_whoid_else_contact_id_else_lead_id(tmp_path):
    header = ("Id", "BizibleId", "CreatedDate", "WhoId", "CONTACT_ID", "LEAD_ID")
    when = "2026-03-02T12:40:00Z"
    w, c, ld = "003000000000001AAA", "003000000000002AAA", "00Q000000000003AAA"
    tasks = [
        {"Id": "T1", "BizibleId": ABC, "CreatedDate": when, "WhoId": w, "CONTACT_ID": c,
         "LEAD_ID": ld},
        {"Id": "T2", "BizibleId": ABC, "CreatedDate": when, "WhoId": "", "CONTACT_ID": c,
         "LEAD_ID": ld},
        {"Id": "T3", "BizibleId": ABC, "CreatedDate": when, "WhoId": " ", "CONTACT_ID": "",
         "LEAD_ID": ld},
        {"Id": "T4", "BizibleId": ABC, "CreatedDate": when},
    ]  # fmt: skip
    out = run_case(tmp_path, tasks, [], task_header=header)
    assert [out.touchpoints[t]["who_id"] for t in ("T1", "T2", "T3", "T4")] == [w, c, ld, ""]


def test_15_character_who_id_is_written_in_18_character_form(tmp_path):
    header = ("Id", "BizibleId", "CreatedDate", "WhoId")
    tasks = [
        {"Id": "T1", "BizibleId": ABC, "CreatedDate": "2026-03-02T12:40:00Z",
         "WhoId": "00Q5e0000gZ6ZNm"},
        {"Id": "T2", "BizibleId": ABC, "CreatedDate": "2026-03-02T12:40:00Z",
         "WhoId": "003aB0000cDeFgh"},
    ]  # fmt: skip
    out = run_case(tmp_path, tasks, [], task_header=header)
    assert out.touchpoints["T1"]["who_id"] == "00Q5e0000gZ6ZNmEAN"
    # "003aB" -> B at 4 -> 16 'Q'; "0000c" -> 0 'A'; "DeFgh" -> D at 0, F at 2 -> 5 'F'
    assert out.touchpoints["T2"]["who_id"] == "003aB0000cDeFghQAF"
    assert sf18("003aB0000cDeFgh") == "003aB0000cDeFghQAF"


def test_15_and_18_character_task_ids_are_one_task(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    header = ("Id", "BizibleId", "CreatedDate", "Subject")
    write_rows(
        exports / "a_report.csv",
        [{"Id": "00T5e0000kBRaog", "BizibleId": ABC, "CreatedDate": "2026-03-02T12:40:00Z",
          "Subject": "from report"}],
        header,
    )  # fmt: skip
    write_rows(
        exports / "b_api.csv",
        [{"Id": "00T5e0000kBRaogEAD", "BizibleId": ABC, "CreatedDate": "2026-03-02T12:40:00Z",
          "Subject": "from api"}],
        header,
    )  # fmt: skip
    out = run_paths(tmp_path, exports, sessions_file(tmp_path / "sessions.csv"))
    assert list(out.touchpoints) == ["00T5e0000kBRaogEAD"]
    assert out.touchpoints["00T5e0000kBRaogEAD"]["subject"] == "from api"
    assert out.summary["tasks"]["duplicates"] == 1
    assert_reconciled(out.summary)


# ----------------------------------------------------------------------------- parse_maps


def test_parse_maps_splits_role_field_and_column():
    maps = parse_maps(["tasks.call_time=My_Call_Date__c", "sessions.channel= Chan "])
    assert maps["tasks"] == {"call_time": "My_Call_Date__c"}
    assert maps["sessions"] == {"channel": "Chan"}
    assert parse_maps(["contact-roles.contact_id=Who"])["contact_roles"] == {"contact_id": "Who"}


def test_parse_maps_reads_role_and_field_in_any_case():
    # TASKS.Call_Time was 'not ROLE.FIELD=COLUMN', though column names are read in any case
    assert parse_maps(["TASKS.Call_Time=CREATEDDATE"])["tasks"] == {"call_time": "CREATEDDATE"}
    assert parse_encodings(["Sessions=latin-1"]) == {"sessions": "iso8859-1"}


def test_utf_8_sig_is_utf_8():
    # a BOM is read whatever --encoding names: utf-8-sig was noted as not UTF-8
    assert parse_encodings(["utf-8-sig"])["tasks"] == "utf-8"
    assert parse_encodings(["UTF8"])["tasks"] == "utf-8"


def test_parse_maps_empty_column_means_ignore():
    maps = parse_maps(["tasks.touchpoint_date="])
    assert maps["tasks"] == {"touchpoint_date": ""}
    assert maps["sessions"] == {}


def test_parse_maps_refuses_two_columns_for_one_field():
    # the last one silently won: a run read Subject as the call time
    with pytest.raises(UsageError, match=r"--map tasks\.call_time is given twice"):
        parse_maps(["tasks.call_time=CreatedDate", "tasks.call_time=Subject"])
    same = parse_maps(["tasks.call_time=CreatedDate", "tasks.call_time= CreatedDate"])
    assert same["tasks"] == {"call_time": "CreatedDate"}  # repeating the same one is harmless


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("bogus", "--map 'bogus' is not ROLE.FIELD=COLUMN"),
        ("tasks.call_time", "--map 'tasks.call_time' is not ROLE.FIELD=COLUMN"),
        ("leads.call_time=X", "--map 'leads.call_time=X': 'leads' is not an input calltouch"),
        ("tasks.nosuchfield=X", "--map 'tasks.nosuchfield=X': tasks have no field 'nosuchfield'"),
        ("sessions.call_time=X", "--map 'sessions.call_time=X': sessions have no field"),
    ],
)
def test_parse_maps_rejects_bad_items(item, message):
    with pytest.raises(UsageError) as info:
        parse_maps([item])
    assert info.value.message.startswith(message)


# ----------------------------------------------------------------------------- map_columns


def test_map_columns_first_alias_by_priority_wins_not_first_column():
    header = ["CREATED_DATE", "BizibleId", "CreatedDate", "bizible2__BizibleId__c", "Id"]
    mapping = map_columns("tasks", header, "t.csv")
    assert mapping.header_of("bizible_id") == "bizible2__BizibleId__c"
    assert mapping.header_of("call_time") == "CreatedDate"
    assert mapping.header_of("task_id") == "Id"
    assert mapping.header_of("task_type") is None


def test_map_columns_override_and_ignore():
    header = ["Id", "BizibleId", "CreatedDate", "Call_Start__c", "BIZIBLE_TOUCHPOINT_DATE"]
    mapping = map_columns(
        "tasks", header, "t.csv", {"call_time": "CALL_START__C", "touchpoint_date": ""}
    )
    assert mapping.columns["call_time"] == 3
    assert mapping.columns["touchpoint_date"] is None
    assert mapping.notes == ["touchpoint_date ignored (--map)"]


def test_map_columns_override_naming_no_column_is_an_input_error():
    with pytest.raises(InputError) as info:
        map_columns("tasks", ["Id", "BizibleId", "CreatedDate"], "t.csv", {"call_time": "Nope"})
    assert info.value.message == "tasks file t.csv: --map tasks.call_time=Nope names no column"
    assert info.value.hint == "Headers found: 'Id', 'BizibleId', 'CreatedDate'"


def test_map_columns_missing_required_field_names_file_field_and_headers():
    with pytest.raises(InputError) as info:
        map_columns("tasks", ["Id", "CreatedDate", "Type"], "exports/t.csv")
    assert info.value.message == (
        "tasks file exports/t.csv has no column for the required field 'bizible_id' "
        "(the visitor's BizibleId cookie (_biz_uid))"
    )
    assert "Headers found: 'Id', 'CreatedDate', 'Type'." in info.value.hint
    assert "--map tasks.bizible_id=YOUR_COLUMN" in info.value.hint


def test_headers_found_in_binary_junk_stay_a_few_hundred_characters():
    # a binary file read as CSV text splits into thousands of long, unprintable "headers"
    junk = ["\x01\ufffd" * 2000, "", "PAR1\x15\x04" * 50] * 3000
    with pytest.raises(InputError) as info:
        map_columns("tasks", junk, "t.csv")
    listing = info.value.hint.split("Headers found: ", 1)[1].split(". If the field", 1)[0]
    assert len(listing) < 800, listing
    assert listing.startswith(repr("\x01\ufffd" * 30 + "..."))
    assert listing.endswith("... (9000 in all)")


def test_map_columns_tasks_need_a_call_time_or_touchpoint_date():
    with pytest.raises(InputError, match="required field 'call_time'"):
        map_columns("tasks", ["Id", "BizibleId", "ActivityDate"], "t.csv")
    mapping = map_columns("tasks", ["Id", "BizibleId", "bizible2__Bizible_Touchpoint_Date__c"], "t")
    assert mapping.header_of("touchpoint_date") == "bizible2__Bizible_Touchpoint_Date__c"


def test_map_columns_missing_session_start():
    with pytest.raises(InputError) as info:
        map_columns("sessions", ["ID", "COOKIE_ID", "CHANNEL"], "s.csv")
    assert "required field 'session_start'" in info.value.message
    assert "Headers found: 'ID', 'COOKIE_ID', 'CHANNEL'." in info.value.hint


def test_map_columns_duplicate_headers_keep_the_first():
    mapping = map_columns("tasks", ["Id", "BizibleId", "CreatedDate", "ID"], "t.csv")
    assert mapping.columns["task_id"] == 0
    assert mapping.notes == [
        "duplicate headers, fields read from the first column of each (or the one --map names, "
        "case included; the later ID as ID_2); all are carried into unmatched: ID"
    ]
    people = map_columns("people", ["Id", "BizibleId", "ID"], "p.csv")
    assert people.notes == [
        "duplicate headers, fields read from the first column of each (or the one --map names, "
        "case included; the later ID as ID_2): ID"
    ]
    # a header repeated as written: --map reads a later copy by the name unmatched gives it
    # (the note promised a choice --map could not make: CreatedDate_2 named no column)
    header = ["Id", "BizibleId", "CreatedDate", "CreatedDate", "CreatedDate_2"]
    repeated = map_columns("tasks", header, "t.csv")
    assert "the later CreatedDate as CreatedDate_3" in repeated.notes[0]
    later = map_columns("tasks", header, "t.csv", {"call_time": "CreatedDate_3"})
    assert later.columns["call_time"] == 3
    own = map_columns("tasks", header, "t.csv", {"call_time": "CreatedDate_2"})
    assert own.columns["call_time"] == 4  # a header written so is read first
    # --map naming one of them as written reads that one: `ID` was read from `Id` (lower-cased
    # alike), and every call sharing an `Id` value but the first became a duplicate
    mapped = map_columns(
        "tasks", ["Id", "BizibleId", "CreatedDate", "ID"], "t.csv", {"task_id": "ID"}
    )
    assert mapped.columns["task_id"] == 3
    alone = map_columns("tasks", ["Id", "BizibleId", "CreatedDate"], "t.csv", {"task_id": "ID"})
    assert alone.columns["task_id"] == 0  # in any case when no header is written so
    # blank headers name no field: no note about them
    blank = map_columns("tasks", ["Id", "", "BizibleId", "", "CreatedDate", " "], "t.csv")
    assert blank.notes == []


# ----------------------------------------------------------------------------- resolve


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Id\n", encoding="utf-8")
    return path


def test_resolve_a_file(tmp_path):
    path = _touch(tmp_path / "tasks.csv")
    assert resolve(path, "tasks") == [path]
    assert resolve(str(path), "tasks") == [path]


def test_resolve_a_folder_sorted_skipping_other_and_hidden_files(tmp_path):
    b = _touch(tmp_path / "b.csv")
    a = _touch(tmp_path / "a.parquet")
    nested = _touch(tmp_path / "sub" / "c.csv")
    _touch(tmp_path / "notes.md")
    _touch(tmp_path / ".hidden.csv")
    # the owner file Excel writes beside a CSV it has open (hidden on Windows by attribute)
    _touch(tmp_path / "sub" / "~$c.csv")
    assert resolve(tmp_path, "tasks") == [a, b, nested]


def test_resolve_a_folder_reads_its_linked_subfolders_once(tmp_path: Path) -> None:
    # a symlinked subfolder (exports kept elsewhere, linked in) was skipped without a word,
    # its rows never read, while a ** glob over the same folder read them; a link back up
    # the tree (a loop) or to a folder already listed is read once
    top = tmp_path / "exports"
    a = _touch(top / "p1" / "a.csv")
    elsewhere = _touch(tmp_path / "other" / "b.csv")
    (top / "p2").symlink_to(tmp_path / "other", target_is_directory=True)
    (top / "p1" / "up").symlink_to(top, target_is_directory=True)  # a loop
    (top / "again").symlink_to(top / "p1", target_is_directory=True)  # p1 a second time
    found = resolve(top, "tasks")
    assert found == [top / "p1" / "a.csv", top / "p2" / "b.csv"]
    assert [p.resolve() for p in found] == [a.resolve(), elsewhere.resolve()]


def test_resolve_a_folder_skips_a_subfolder_gone_while_it_is_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a sync client's temporary folder, listed by the parent and gone when visited
    (tmp_path / "b.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "tmp-sync").mkdir()
    (tmp_path / "tmp-sync" / "partial.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("tmp-sync"):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    # a folder that cannot be read is said, not left out
    with pytest.raises(InputError, match=r"cannot list folder .*locked: Permission denied"):
        resolve(tmp_path, "tasks")
    (tmp_path / "locked").rmdir()
    assert resolve(tmp_path, "tasks") == [tmp_path / "b.csv"]


def test_skipped_note_names_a_few_of_the_files_a_folder_does_not_read(tmp_path):
    _touch(tmp_path / "b.csv")
    for name in ("tasks_march.xlsx", "tasks.csv.zip", "sub/notes.docx", "readme.md", "z.pdf"):
        _touch(tmp_path / name)
    for name in (".hidden.xlsx", ".git/config", "summary.json", "calltouch.duckdb"):
        _touch(tmp_path / name)  # hidden, or calltouch's own: not worth a word
    assert folder_notes(tmp_path) == [
        f"{tmp_path} also holds 5 files that are not read, neither CSV nor Parquet by "
        "extension: readme.md, sub/notes.docx, tasks.csv.zip and 2 more"
    ]
    assert folder_notes(tmp_path / "sub") == [
        f"{tmp_path / 'sub'} also holds 1 file that is not read, neither CSV nor Parquet by "
        "extension: notes.docx"
    ]
    assert folder_notes(str(tmp_path / "tasks*")) == [
        f"{tmp_path}/tasks* also matches 2 files that are not read, neither CSV nor Parquet "
        f"by extension: {tmp_path / 'tasks.csv.zip'}, {tmp_path / 'tasks_march.xlsx'}"
    ]
    assert folder_notes(tmp_path / "b.csv") == []  # a file names itself
    assert folder_notes(str(tmp_path / "b*")) == []


def test_resolve_a_glob_sorted(tmp_path):
    t2 = _touch(tmp_path / "tasks_2.csv")
    t10 = _touch(tmp_path / "tasks_10.csv")
    t1 = _touch(tmp_path / "tasks_1.csv")
    _touch(tmp_path / "sessions.csv")
    _touch(tmp_path / "~$tasks_3.csv")
    assert resolve(str(tmp_path / "tasks_*.csv"), "tasks") == [t1, t10, t2]
    assert resolve(str(tmp_path / "*tasks_*.csv"), "tasks") == [t1, t10, t2]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("missing.csv", "tasks input {d}/missing.csv does not exist"),
        ("empty_dir", "tasks folder {d}/empty_dir holds no CSV or Parquet files"),
        ("nothing_*.csv", "tasks pattern {d}/nothing_*.csv matches no CSV or Parquet files"),
        ("book.xlsx", "tasks file {d}/book.xlsx is neither CSV nor Parquet (by its extension)"),
    ],
)
def test_resolve_errors(tmp_path, spec, message):
    (tmp_path / "empty_dir").mkdir()
    _touch(tmp_path / "book.xlsx")
    with pytest.raises(InputError) as info:
        resolve(str(tmp_path / spec), "tasks")
    assert info.value.message == message.format(d=tmp_path)


# ----------------------------------------------------------------------------- sniff_csv


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_sniff_csv_detects_the_delimiter(tmp_path, delimiter):
    path = tmp_path / "t.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["Id", "BizibleId", "CreatedDate", "Subject"])
        writer.writerow(["T1", ABC, "2026-03-02T12:40:00Z", "a, b; c | d"])
    dialect = sniff_csv(path, "tasks")
    assert dialect.delimiter == delimiter
    assert dialect.header == ("Id", "BizibleId", "CreatedDate", "Subject")
    assert dialect.bom is False
    assert dialect.encoding == "utf-8"


def test_sniff_csv_strips_a_utf8_bom_and_header_white_space(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf Id ;BizibleId\t;CreatedDate\nT1;x;2026-03-02T12:40:00Z\n")
    dialect = sniff_csv(path, "tasks")
    assert dialect.bom is True
    assert dialect.delimiter == ";"
    assert dialect.header == ("Id", "BizibleId", "CreatedDate")


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_header_longer_than_the_sniffed_bytes_is_read_whole(tmp_path, suffix):
    # a Salesforce export of thousands of fields: its header alone is beyond 64 KiB, with the
    # BizibleId after the cut; every row must still load and merge
    extra = [f"Custom_Field_{i:04d}__c" for i in range(3300)]
    header = ["Id", "CreatedDate", "Type", *extra, "bizible2__BizibleId__c"]
    quoted = [
        "Id",
        "CreatedDate",
        "Type",
        '"Multi\nLine Label"',
        *extra[1:],
        "bizible2__BizibleId__c",
    ]
    rows = [
        ["00T000000000091AAA", "2026-03-02T12:40:00Z", "Call", *extra, ABC],
        ["00T000000000092AAA", "2026-03-02T12:41:00Z", "Call", *extra, ""],
    ]
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    assert len(",".join(header)) > 1 << 16
    # a quoted header cell holding a line end, before the 64 KiB: the header goes on
    multi = tmp_path / "multi.csv"
    multi.write_text("\n".join(",".join(r) for r in [quoted, *rows]) + "\n", encoding="utf-8")
    assert sniff_csv(multi, "tasks").header[3] == "Multi\nLine Label"
    assert sniff_csv(multi, "tasks").header[-1] == "bizible2__BizibleId__c"
    tasks = tmp_path / f"tasks{suffix}"
    tasks.write_bytes(gzip.compress(text.encode()) if suffix.endswith(".gz") else text.encode())
    assert sniff_csv(tasks, "tasks").header == tuple(header)
    sessions = tmp_path / "sessions.csv"
    write_rows(sessions, [session("S1", ABC, "12:17")], SESSION_HEADER)
    out = tmp_path / "out"
    invoke("run", tasks, sessions, "--out", out, "--quiet")
    touchpoints = read_csv(out / "touchpoints.csv")
    assert [(t["task_id"], t["match_status"]) for t in touchpoints] == [
        ("00T000000000091AAA", "merged")
    ]
    unmatched = read_csv(out / "unmatched.csv")
    assert [(u["task_id"], u["reason"], u["Custom_Field_3299__c"]) for u in unmatched] == [
        ("00T000000000092AAA", "no_bizible_id", "Custom_Field_3299__c")
    ]
    assert read_csv(out / "rejects.csv") == []


def test_a_header_line_beyond_16_mib_is_refused_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr("calltouch.inputs.MAX_HEADER_BYTES", 1 << 17)
    path = tmp_path / "t.csv"
    path.write_bytes(b"Id," + b"x" * (1 << 18) + b"\nT1,1\n")
    with pytest.raises(InputError) as info:
        sniff_csv(path, "tasks")
    assert "has no line end in its first 16 MiB" in info.value.message


def test_sniff_csv_empty_file_is_an_input_error(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError) as info:
        sniff_csv(path, "tasks")
    assert info.value.message == f"tasks file {path} is empty"


# ----------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "micros"),
    [
        ("30m", 1_800_000_000),
        ("45m", 2_700_000_000),
        ("1h", 3_600_000_000),
        ("90s", 90_000_000),
        ("1h30m", 5_400_000_000),
        ("0s", 0),
    ],
)
def test_parse_window(text, micros):
    assert parse_window(text) == micros


@pytest.mark.parametrize(
    ("micros", "text"),
    [
        (1_800_000_000, "30m"),
        (2_700_000_000, "45m"),
        (3_600_000_000, "1h"),
        (90_000_000, "1m30s"),
        (5_400_000_000, "1h30m"),
        (0, "0s"),
        (1_500, "1ms500us"),  # what a workspace records for --window 1.5ms, read back by explain
    ],
)
def test_format_window(micros, text):
    assert format_window(micros) == text
    assert parse_window(text) == micros


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=7 * 24 * 3_600_000_000))
def test_every_window_format_window_writes_parses_back(micros: int) -> None:
    assert parse_window(format_window(micros)) == micros


@pytest.mark.parametrize("text", ["30", "abc", "-5m", "8d", "", "30m30m", "1h1h", "30m1h"])
def test_parse_window_rejects(text):
    with pytest.raises(UsageError) as info:
        parse_window(text)
    assert info.value.message == f"--window {text!r} is not a duration"
    assert info.value.hint == (
        "Use a number with a unit: 90s, 30m, 45m, 1h or 1h30m (each unit once, the larger first)."
    )


@pytest.mark.parametrize(
    "text", ["0.0000001s", "1.5us", "0.0001ms", "1.00000000000000000000000000001s"]
)
def test_parse_window_rejects_less_than_a_microsecond(text):
    # rounding would make 0.0000001s a window of 0s without a word
    with pytest.raises(UsageError, match="not a whole number of microseconds"):
        parse_window(text)


def test_parse_window_rejects_more_than_seven_days():
    with pytest.raises(UsageError, match="longer than 7 days"):
        parse_window("169h")
    assert parse_window("168h") == 168 * 3_600_000_000


def test_the_independent_scan_stops_when_the_read_fails(tmp_path, monkeypatch):
    """The task file's second reader runs beside DuckDB's read; when that read fails, the
    scan is told to stop, so the error (or a Ctrl-C) is not held up by a long scan."""
    from calltouch import csvscan, load

    told_to_stop: list[bool] = []

    def waiting_scan(path, dialect, width, wanted=frozenset(), *, stop=None, **_):
        told_to_stop.append(stop is not None and stop.wait(10))
        raise csvscan.ScanStopped(str(path))

    def failing_read(self, *args, **kwargs):
        raise InputError("DuckDB could not read the file")

    monkeypatch.setattr(csvscan, "scan", waiting_scan)
    monkeypatch.setattr(load.CsvLoader, "read", failing_read)
    tasks = write_rows(tmp_path / "tasks.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    with pytest.raises(InputError, match="could not read"):
        run_paths(tmp_path, tasks, sessions_file(tmp_path / "sessions.csv"))
    assert told_to_stop == [True]


def test_a_scan_told_to_stop_stops(tmp_path):
    from calltouch import csvscan

    path = write_rows(tmp_path / "tasks.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    dialect = sniff_csv(path, "tasks", None)
    stop = threading.Event()
    assert csvscan.scan(path, dialect, len(dialect.header), stop=stop).good == 1
    stop.set()
    with pytest.raises(csvscan.ScanStopped):
        csvscan.scan(path, dialect, len(dialect.header), stop=stop)


def test_a_few_stray_day_month_dates_are_shown_and_called_stray() -> None:
    with pytest.raises(InputError) as caught:
        decide_date_order(
            None, 3, 2, "tasks.csv", "'CreatedDate'", slash_dates=2, example="03/02/26", cells=900
        )
    error = caught.value
    assert "2 of 900 values are written that way, e.g. '03/02/26'" in error.message
    assert "stray values" in str(error.hint)
    with pytest.raises(InputError) as caught:  # most values: not stray, an order to choose
        decide_date_order(
            None, 3, 2, "tasks.csv", "'CreatedDate'", slash_dates=800, example="03/02/26", cells=900
        )
    assert "stray" not in str(caught.value.hint)
    assert decide_date_order(None, 13, 2, "tasks.csv", "'CreatedDate'", slash_dates=1) == "dmy"


def test_a_column_mixing_both_orders_quotes_a_date_of_each(tmp_path):
    # it quoted '01/02/2026 10:22', the one value of the three that is in no conflict
    tasks = [
        task("T1", ABC, "01/02/2026 10:22"),
        task("T2", ABC, "13/03/2026 10:22"),
        task("T3", ABC, "03/14/2026 10:22"),
    ]
    with pytest.raises(InputError) as caught:
        run_case(tmp_path, tasks, [session("S1", ABC, "12:00")])
    message = " ".join(caught.value.message.split())
    assert "mixes day-first and month-first dates" in message
    assert "e.g. '13/03/2026 10:22' (day first) and '03/14/2026 10:22' (month first)" in message


def test_a_rejected_parquet_row_shows_the_files_own_columns(tmp_path):
    tasks = tmp_path / "tasks.parquet"
    duckdb.execute(
        "COPY (SELECT * FROM (VALUES ('T1', $abc, '2026-03-02T12:40:00Z'), "
        "('T2', $abc, 'yesterday')) AS t(Id, BizibleId, CreatedDate)) TO $path (FORMAT parquet)",
        {"abc": ABC, "path": str(tasks)},
    )
    out = run_paths(tmp_path, tasks, sessions_file(tmp_path / "sessions.csv"))
    (reject,) = out.rejects
    assert (reject["line"], reject["column"]) == ("2", "CreatedDate")
    # the row as the file has it: no file_row_number, which only calltouch reads
    assert json.loads(reject["raw"]) == {"Id": "T2", "BizibleId": ABC, "CreatedDate": "yesterday"}


def test_a_rejected_parquet_rows_numbers_are_shown_exactly(tmp_path):
    # the raw text went through json_remove, which read its numbers back as doubles: a DECIMAL
    # 123456789012345671.68 showed as 123456789012345660.0 beside an error naming the first
    tasks = tmp_path / "tasks.parquet"
    duckdb.execute(
        "COPY (SELECT * FROM (VALUES ('T1', $abc, '2026-03-02T12:40:00Z'), ('T2', $abc, "
        "'yesterday')) AS t(Id, BizibleId, CreatedDate), (SELECT 123456789012345671.68::"
        "DECIMAL(20, 2) AS Big, 9007199254740993::BIGINT AS Long, 'x' AS u, 'y' AS t)) TO "
        "$path (FORMAT parquet)",
        {"abc": ABC, "path": str(tasks)},
    )
    out = run_paths(tmp_path, tasks, sessions_file(tmp_path / "sessions.csv"))
    (reject,) = out.rejects
    # columns named u or t (the query's aliases) are the file's own: u made it a Binder Error
    assert '"Big":123456789012345671.68,"Long":9007199254740993,"u":"x","t":"y"}' in reject["raw"]


def test_resolve_refuses_a_pipe_with_a_reason(tmp_path):
    fifo = tmp_path / "tasks.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is not a regular file") as caught:
        resolve(fifo, "tasks")
    assert "save it to a file first" in str(caught.value.hint)
    with pytest.raises(InputError, match="does not exist"):
        resolve(tmp_path / "missing.csv", "tasks")


@pytest.mark.slow
def test_a_line_longer_than_duckdb_reads_is_a_reject_not_a_lost_row(tmp_path: Path) -> None:
    # DuckDB reads lines of up to 16 MiB and drops a longer one without a reject; the
    # independent reader must then call it bad too, in tasks and sessions alike, so that
    # every row is accounted for (it had failed the reconciliation, exit 4). 15 MiB reads.
    big, fits = "x" * (17 * 1024 * 1024), "y" * (15 * 1024 * 1024)
    tasks = [task(f"T{i}", ABC, "12:40") for i in range(5)]
    tasks += [task("TBIG", ABC, "12:41", subject=big), task("TFIT", DEF, "12:42", subject=fits)]
    sessions = [session("S1", ABC, "12:17"), session("SBIG", DEF, "12:18", campaign=big)]
    sessions.append(session("S2", DEF, "12:19", campaign="Fits"))
    out = run_case(tmp_path, tasks, sessions, max_rejects="100%")
    assert [(Path(r["file"]).name, r["line"], r["error"]) for r in out.rejects] == [
        ("tasks.csv", "7", csvscan.TOO_LONG),
        ("sessions.csv", "3", csvscan.TOO_LONG),
    ]
    assert out.summary["tasks"]["rejected"] == 1 and out.summary["sessions"]["rejected"] == 1
    assert out.touchpoints["TFIT"]["campaign"] == "Fits"
    assert len(out.touchpoints) == 6


def test_max_rejects_shares_are_exact_and_the_advice_always_lets_the_rows_through() -> None:
    # 29% of 100 rows allows 29 (binary floating point made it 28.999...), and the share the
    # advice names, rounded up to a tenth of a percent, lets exactly those rows through
    assert not parse_max_rejects("29%").exceeded(29, 100)
    assert parse_max_rejects("29%").exceeded(30, 100)
    assert not parse_max_rejects("5.6%").exceeded(7, 125)
    assert parse_max_rejects(" 5 %") == parse_max_rejects("5%")
    for bad in ("1e-99999999%", "1/2%", "5_0%", "\u0665%", "nan%", "2.5", "-1", "1e1"):
        with pytest.raises(UsageError, match="neither a count nor a percentage"):
            parse_max_rejects(bad)
    with pytest.raises(UsageError, match="'101%' is more than 100%"):  # a percentage, too high
        parse_max_rejects("101%")
    for read in range(1, 301):
        for rejected in range(1, read + 1):
            advice = max_rejects_advice(rejected, read)
            count, share = re.search(
                r"--max-rejects (\d+) \(or --max-rejects ([\d.]+%)\)", advice
            ).groups()
            for limit in (count, share):
                assert not parse_max_rejects(limit).exceeded(rejected, read), (
                    rejected,
                    read,
                    limit,
                )


def test_the_long_line_check_measures_the_cells_the_normalised_copy_writes(
    tmp_path: Path,
) -> None:
    # a trailing delimiter's empty cell is dropped before writing: a record at the limit with
    # one must be good for the scan as for the normalised copy (the scan had called it too
    # long while the copy wrote it: loaded and rejected at once, exit 4)
    path = tmp_path / "tasks.csv"
    cell = "x" * (csvscan.MAX_LINE_BYTES - 64 - 8)  # with T1, both quoted, a comma: the limit
    path.write_text(f"Id,Subject\nT1,{cell},\nT2,short\n", encoding="utf-8")
    dialect = sniff_csv(path, "tasks", None)
    scan = csvscan.scan(path, dialect, 2, normalise_to=tmp_path / "n.csv")
    assert (scan.good, scan.bad) == (2, [])
    assert scan.normalised == [(2, 2), (3, 3)]


def _broken_gz(tmp_path: Path, how: str) -> Path:
    """A tasks .csv.gz of about 200 KB of text (more than sniff_csv reads) broken ``how``."""
    text = "Id,BizibleId,CreatedDate,Type,Subject\n"
    text += "".join(
        f"T{i},{ABC},2026-03-02T12:{i % 60:02d}:00Z,Call,call {i}\n" for i in range(3000)
    )
    data = gzip.compress(text.encode(), mtime=0)
    path = tmp_path / "tasks.csv.gz"
    if how == "cut short":
        path.write_bytes(data[: len(data) * 3 // 4])
    else:  # damaged inside: bytes of the deflate stream overwritten
        middle = len(data) * 3 // 4
        path.write_bytes(data[:middle] + b"\xff" * 64 + data[middle + 64 :])
    return path


@pytest.mark.parametrize("how", ["cut short", "damaged inside"])
def test_every_reading_of_a_broken_gz_says_the_file_is_unreadable(tmp_path, how):
    path = _broken_gz(tmp_path, how)
    dialect = sniff_csv(path, "tasks", None)  # its first 64 KiB read well
    width = len(dialect.header)
    reads = [
        lambda: csvscan.is_clean_utf8(path),
        lambda: csvscan.scan(path, dialect, width),
        lambda: csvscan.scan(path, dialect, width, normalise_to=tmp_path / "n.csv"),
        lambda: csvscan.line_texts(path, dialect, [(10**6, 10**6)]),
        lambda: csvscan.transcode_to_utf8(path, dialect, tmp_path / "t.csv"),
    ]
    for read in reads:
        with pytest.raises(csvscan.Unreadable) as caught:
            read()
        assert isinstance(caught.value.__cause__, (EOFError, OSError, zlib.error))


@pytest.mark.parametrize("how", ["cut short", "damaged inside"])
def test_a_run_on_a_broken_gz_is_an_input_error(tmp_path, how):
    path = _broken_gz(tmp_path, how)
    with pytest.raises(InputError, match=f"cannot read tasks file {re.escape(str(path))}: "):
        run_paths(tmp_path, path, sessions_file(tmp_path / "sessions.csv"))


def test_a_missing_file_is_unreadable_to_the_independent_reader(tmp_path):
    path = write_rows(tmp_path / "tasks.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    dialect = sniff_csv(path, "tasks", None)
    path.unlink()
    with pytest.raises(csvscan.Unreadable) as caught:
        csvscan.scan(path, dialect, len(dialect.header))
    assert isinstance(caught.value.__cause__, FileNotFoundError)


_cell = st.text(alphabet=st.sampled_from('ab,"\n '), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_cell, _cell), min_size=1, max_size=12),
    st.lists(st.integers(0, 20), max_size=3),
    st.sampled_from(["\n", "\r\n"]),
)
def test_record_lines_finds_the_lines_the_csv_reader_finds(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str]],
    blanks: list[int],
    end: str,
) -> None:
    """The fast quote-following reading of where records lie agrees with the csv module's,
    whenever it answers and counts the records the csv module reads."""
    lines = ["a,b"]
    for a, b in rows:
        quoted = ['"' + c.replace('"', '""') + '"' if set(c) & set(',"\n\r') else c for c in (a, b)]
        lines.append(",".join(quoted))
    for place in sorted(blanks, reverse=True):
        lines.insert(min(place + 1, len(lines)), "")
    path = tmp_path_factory.mktemp("lines") / "f.csv"
    path.write_bytes(end.join(lines).encode() + end.encode())
    dialect = sniff_csv(path, "tasks")
    scan = csvscan.scan(path, dialect, 2, set(range(len(rows))))
    fast = csvscan.record_lines(path, dialect)
    if fast is None or fast.records != scan.records:
        return  # the loader then uses the csv module's reading
    assert not scan.bad
    assert {r: fast.span(r) for r in scan.spans} == scan.spans


def test_record_lines_places_records_after_multi_line_cells_and_blank_lines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n"3\n\n",w\r\n4,v\r\n')
    dialect = sniff_csv(path, "tasks")
    fast = csvscan.record_lines(path, dialect)
    assert fast is not None and fast.records == 4
    assert [fast.span(r) for r in range(4)] == [(2, 3), (5, 5), (6, 8), (9, 9)]
    # a CR alone ends a line for the csv module: this reading gives way to it
    path.write_bytes(b"a,b\r1,2\r3,4\r")
    assert csvscan.record_lines(path, sniff_csv(path, "tasks")) is None
    path.write_bytes("a,b\n1,2\n".encode("utf-16"))
    assert csvscan.record_lines(path, sniff_csv(path, "tasks")) is None


def test_a_parquet_text_column_that_is_not_utf8_gets_advice_for_it_not_a_cut_file() -> None:
    from calltouch.load import _read_hint

    reason = 'Invalid Input Error: Invalid string encoding found in Parquet file "s.parquet"'
    assert _read_hint("parquet", reason).startswith("A text column holds bytes that are not UTF-8")
    assert "complete Parquet file" in _read_hint("parquet", "No magic bytes found")


def _pasted_exports(path: Path, second_header: tuple[str, ...]) -> Path:
    """Two task exports pasted into one file: 150 rows, ``second_header`` (TASK_HEADER or its
    columns reordered), 150 more rows written in that header's order."""
    first = [
        task(f"00T5e00000{i:05d}", ABC, f"12:{i % 60:02d}", subject=f"S{i}") for i in range(150)
    ]
    second = [task(f"00T5e00000{i:05d}", ABC, f"13:{i % 60:02d}", "Inbound", subject=f"S{i}")
              for i in range(150, 300)]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for header, rows in ((TASK_HEADER, first), (second_header, second)):
            writer.writerow(header)
            writer.writerows([row.get(h) or "" for h in header] for row in rows)
    return path


def test_a_header_repeated_in_its_order_is_a_reject_that_says_so(tmp_path: Path) -> None:
    """Exports pasted into one file: the second header was rejected as "'CreatedDate' is not
    a date-time", which sent the user looking for a bad time."""
    from calltouch.load import REPEATED_HEADER

    tasks = _pasted_exports(tmp_path / "tasks.csv", TASK_HEADER)
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:00")], SESSION_HEADER)
    invoke("run", tasks, sessions, "-o", tmp_path / "out", "-q")
    outcome = read_outcome(tmp_path / "out")
    assert [(r["line"], r["error"]) for r in outcome.rejects] == [("152", REPEATED_HEADER)]
    assert len(outcome.touchpoints) == 300 and outcome.summary["reconciled"]
    later = [row for row in outcome.touchpoint_rows if row["subject"] == "S151"]
    assert [row["touchpoint_type"] for row in later] == ["Inbound"]


def test_a_header_repeated_in_another_order_is_refused(tmp_path: Path) -> None:
    """The rows after a header with its columns swapped (Subject, Type) were read under the
    first header's: Type 'S151', Subject 'Inbound', exit 0 with one reject."""
    swapped = ("Id", "BizibleId", "CreatedDate", "Subject", "Type", "WhoId", "LastModifiedDate")
    tasks = _pasted_exports(tmp_path / "tasks.csv", swapped)
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:00")], SESSION_HEADER)
    db = tmp_path / "w.duckdb"
    for args in (
        ("run", tasks, sessions, "-o", tmp_path / "out", "-q"),
        ("inspect", tasks),
        ("load", "tasks", tasks, "--db", db, "-q"),
    ):
        result = invoke(*args, ok=False)
        said = " ".join(result.stderr.split())
        assert result.exit_code == 2, (args, result.output)
        assert "line 152 of tasks file" in said and "columns in another order" in said
        assert "Split the file at line 152" in said
    assert not (tmp_path / "out" / "touchpoints.csv").exists()


@pytest.mark.parametrize(
    ("first", "what"),
    [
        ("sep=,", "Excel's separator line"),
        ('"sep=;"', "Excel's separator line"),
        ("#TYPE System.Management.Automation.PSCustomObject", "PowerShell's type line"),
    ],
)
def test_a_writers_line_before_the_header_is_named(tmp_path: Path, first: str, what: str) -> None:
    # read as the header: "no column for the required field 'task_id' ... Headers found:
    # 'sep=', ''" with --map advice, or "reads as a single column"
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(f"{first}\r\nId,BizibleId,CreatedDate\r\nT1,{ABC},2026-03-02T12:40:00Z\r\n")
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    for args in (("run", tasks, sessions, "-o", tmp_path / "out", "-q"), ("inspect", tasks)):
        result = invoke(*args, ok=False)
        said = " ".join(result.stderr.split())
        assert result.exit_code == 2, result.output
        assert f"starts with {what}" in said and "Delete that first line" in said


@pytest.mark.parametrize(
    ("title", "header_line"),
    [
        ('\ufeff"Calls last week"\r\n"Acme, Inc."\r\n"As of 3/3/2026 9:14 AM"\r\n""\r\n', 5),
        ("Calls last week,,,\r\nAcme Inc.,,,\r\n,,,\r\n", 4),  # Excel pads the cells
        ("Calls last week\n", 2),
    ],
    ids=["quoted", "padded", "one"],
)
def test_a_reports_title_lines_above_the_header_are_named(
    tmp_path: Path, title: str, header_line: int
) -> None:
    # read as the header: "reads as a single column ... Re-export the file as CSV" (it was
    # one), or "no column for the required field" with --map advice (the padded title)
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        title + '"Task ID","BizibleId","Created Date","Type"\r\n'
        f'"00T5e0000kBRaog","{ABC}","2026-03-02T12:40:00Z","Call"\r\n',
        encoding="utf-8",
    )
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    for args in (("run", tasks, sessions, "-o", tmp_path / "out", "-q"), ("inspect", tasks)):
        result = invoke(*args, ok=False)
        said = " ".join(result.stderr.split())
        assert result.exit_code == 2, result.output
        lines = f"{header_line - 1} line{'s' if header_line > 2 else ''}"
        assert f"has {lines} before its header, which seems to be line {header_line}" in said
        assert "'Task ID', 'BizibleId', 'Created Date', 'Type'" in said
        assert f"tail -n +{header_line} FILE" in said
    # a vendor log's header names only its own fields (CallTrackingMetrics: Call ID, Called At)
    ctm = tmp_path / "ctm.csv"
    ctm.write_text(
        "Call Log Report\nExported 2026-03-05 10:00\nCall ID,Called At,Caller Number,Custom\n"
        f"CAL1,2026-03-02 10:10:00,+15551234567,{ABC}\n"
    )
    told = " ".join(invoke("run", ctm, sessions, "-o", tmp_path / "o", ok=False).stderr.split())
    assert "has 2 lines before its header, which seems to be line 3 ('Call ID'" in told
    # a file of one column with no header-like line below keeps its own message, also when
    # its values hold the delimiter (a line of text is no header: it names no field)
    for text in ("Id\nT1\nT2\n", "Subject\nCall, inbound\nCall, outbound\n"):
        single = tmp_path / "single.csv"
        single.write_text(text)
        told = invoke("run", single, sessions, "-o", tmp_path / "o", ok=False).stderr
        assert "reads as a single column" in told and "before its header" not in told, text
    # nor a header of one name and blanks, above rows (not a header: a time, or ids and text)
    for rows in (
        f"T1,{ABC},2026-03-02T12:40:00Z\nT2,{ABC},2026-03-02T12:41:00Z\n",
        f"T1,{ABC},Call\nT2,{ABC},Call back\n",
    ):
        blanks = tmp_path / "blanks.csv"
        blanks.write_text("Id,,\n" + rows)
        told = " ".join(
            invoke("run", blanks, sessions, "-o", tmp_path / "o", ok=False).stderr.split()
        )
        assert "no column for the required field" in told and "before its header" not in told


def test_a_backslash_escaped_delimiter_is_told_with_the_way_out(tmp_path: Path) -> None:
    # Snowflake's default unload escapes a comma in a cell as \, (no quotes): the row was
    # "too many columns", with no word of why nor how to unload it readably
    sessions = tmp_path / "sessions.csv.gz"
    with gzip.open(sessions, "wt", encoding="utf-8") as handle:
        handle.write(
            "ID,COOKIE_ID,EVENT_DATE,CAMPAIGN_NAME\n"
            f"S1,{ABC},2026-03-02 12:17:00.000,Spring\\, Sale\n"
            f"S2,{ABC},2026-03-02 12:18:00.000,Spring\n"
            f"S3,{ABC},2026-03-02 12:19:00.000,C:\\path,x\n"  # a backslash, no escape
        )
    tasks = write_rows(tmp_path / "tasks.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    invoke("run", tasks, sessions, "-o", tmp_path / "out", "-q", "--max-rejects", "100%")
    errors = [r["error"] for r in read_outcome(tmp_path / "out").rejects]
    assert errors[0].startswith("too many columns: expected 4, found 5; a backslash before a ")
    assert "FIELD_OPTIONALLY_ENCLOSED_BY" in errors[0]
    assert errors[1] == "too many columns: expected 4, found 5"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        # a quoted label holding the other delimiter: width alone picked it, and every row
        # then read as one cell ("no column for the required field 'task_id'")
        ('Id;BizibleId;CreatedDate;"Notiz (Kunde, Vertrieb, Support, Termin)"\n'
         "T1;a;2026-03-02T12:40:00Z;x\nT2;b;2026-03-02T12:41:00Z;y\n", ";"),
        ('Id,BizibleId,CreatedDate,"Notes; a; b; c; d; e"\n'
         "T1,a,2026-03-02T12:40:00Z,x\nT2,b,2026-03-02T12:41:00Z,y\n", ","),
        # a stray pipe in every row does not outvote the delimiter that gives the most columns
        ("Id,BizibleId,CreatedDate,Subject\nT1,a,2026-03-02T12:40:00Z,x|y\n", ","),
        ("Id\tBizibleId\tCreatedDate\nT1\ta\t2026-03-02T12:40:00Z\t\n", "\t"),
    ],
)  # fmt: skip
def test_the_delimiter_is_the_one_most_rows_agree_with(
    tmp_path: Path, text: str, delimiter: str
) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text(text, encoding="utf-8")
    assert sniff_csv(path, "tasks").delimiter == delimiter


def test_a_link_to_no_file_in_a_folder_or_glob_is_refused(tmp_path: Path) -> None:
    # a week's export linked from a share not mounted (or a link that loops) was left out of
    # the folder and the glob without a word, its rows lost with exit 0
    folder = tmp_path / "tasks"
    folder.mkdir()
    write_rows(folder / "tasks_3-9.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    sessions = write_rows(tmp_path / "s.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    for name, target in (
        ("tasks_3-16.csv", tmp_path / "not-mounted" / "x.csv"),
        ("l.csv", "l.csv"),
    ):
        link = folder / name
        link.symlink_to(target)
        for spec, said in ((folder, "folder"), (f"{folder}/*.csv", "pattern")):
            result = invoke("run", spec, sessions, "-o", tmp_path / "out", ok=False)
            message = " ".join(result.stderr.split())
            assert result.exit_code == 2, result.output
            assert (
                f"{said} {spec}" in message and f"{link}, a link to a file that cannot" in message
            )
        link.unlink()
    (folder / "notes.txt.lnk").symlink_to(tmp_path / "gone")  # not named like an export
    invoke("run", folder, sessions, "-o", tmp_path / "out", "-q")


def test_a_glob_through_linked_folders_reads_each_file_once_as_the_folder_does(
    tmp_path: Path,
) -> None:
    # exports/**/*.csv read 2026-03-09/tasks.csv again through archive/latest, last (R9's
    # copy then), and through a link back up the tree dozens of times
    exports = tmp_path / "exports"
    (exports / "2026-03-09").mkdir(parents=True)
    (exports / "archive" / "2026-03-02").mkdir(parents=True)
    write_rows(exports / "2026-03-09" / "tasks.csv", [task("T1", ABC, "13:10")], TASK_HEADER)
    write_rows(exports / "archive" / "2026-03-02" / "tasks.csv", [task("T1", ABC, "12:40")],
               TASK_HEADER)  # fmt: skip
    (exports / "archive" / "latest").symlink_to("../2026-03-09")
    (exports / "archive" / "up").symlink_to("..")
    sessions = write_rows(tmp_path / "s.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    outputs = []
    for name, spec in (("folder", exports), ("glob", f"{exports}/**/*.csv")):
        invoke("run", spec, sessions, "-o", tmp_path / name, "-q")
        outputs.append((tmp_path / name / "touchpoints.csv").read_bytes())
        summary = json.loads((tmp_path / name / "summary.json").read_text(encoding="utf-8"))
        assert [f["path"] for f in summary["tasks"]["files"]] == [
            str(exports / "2026-03-09" / "tasks.csv"),
            str(exports / "archive" / "2026-03-02" / "tasks.csv"),
        ], name
    assert outputs[0] == outputs[1]


def test_one_folder_given_as_both_inputs_is_refused_as_such(tmp_path: Path) -> None:
    # a folder holding both exports given twice: "This file looks like a sessions export:
    # were the tasks and sessions exports swapped?", which they were not
    both = tmp_path / "both"
    both.mkdir()
    write_rows(both / "tasks.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    write_rows(both / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    result = invoke("run", both, both, "-o", tmp_path / "out", ok=False)
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2, result.output
    assert f"the tasks input ({both}) and the sessions input ({both}) both name" in said
    assert f"{both / 'sessions.csv'} and 1 more file: each file" in said and "swapped" not in said
    invoke("run", f"{both}/tasks*", f"{both}/sessions*", "-o", tmp_path / "out", "-q")


def test_a_pattern_matching_only_a_folder_names_it(tmp_path: Path) -> None:
    # 'weekl*' matched the folder weekly: "matches no CSV or Parquet files", no more
    weekly = tmp_path / "weekly"
    weekly.mkdir()
    write_rows(weekly / "tasks.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    sessions = write_rows(tmp_path / "s.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    result = invoke("run", f"{tmp_path}/weekl*", sessions, "-o", tmp_path / "out", ok=False)
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert f"matches no CSV or Parquet files, but the folder {weekly}, which holds some" in said
    assert f"Give the folder itself ({weekly}), or a pattern of its files ('{weekly}/*')" in said
    (tmp_path / "weekend").mkdir()  # a folder without exports is no hint
    empty = invoke("run", f"{tmp_path}/weeke*", sessions, "-o", tmp_path / "out", ok=False)
    assert "but the folder" not in empty.stderr and empty.exit_code == 2


def test_a_folder_and_its_glob_read_the_same_files_by_their_real_paths(tmp_path: Path) -> None:
    # a linked file (tasks_latest.csv) was read twice by the folder, once by the glob; a real
    # folder (zz/2026) reached first through a link in another (archive/latest) was named by
    # the link by the folder and by its real path by the glob: R9's last read differed
    exports = tmp_path / "exports"
    (exports / "zz" / "2026").mkdir(parents=True)
    (exports / "m").mkdir()
    (exports / "archive").mkdir()
    write_rows(exports / "zz" / "2026" / "t.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    write_rows(exports / "m" / "t.csv", [task("T1", None, "12:40")], TASK_HEADER)
    write_rows(exports / "m" / "u.csv", [task("T2", ABC, "12:50")], TASK_HEADER)
    (exports / "archive" / "latest").symlink_to("../zz/2026")
    (exports / "m" / "u_latest.csv").symlink_to("u.csv")
    sessions = write_rows(tmp_path / "s.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    read = {}
    for name, spec in (("folder", exports), ("glob", f"{exports}/**/*.csv")):
        invoke("run", spec, sessions, "-o", tmp_path / name, "-q")
        summary = json.loads((tmp_path / name / "summary.json").read_text(encoding="utf-8"))
        read[name] = [f["path"] for f in summary["tasks"]["files"]]
    assert (
        read["folder"]
        == read["glob"]
        == [
            str(exports / "m" / "t.csv"),
            str(exports / "m" / "u.csv"),
            str(exports / "zz" / "2026" / "t.csv"),
        ]
    )


def test_ids_written_as_whole_numbers_with_a_point_zero_are_noted(tmp_path: Path) -> None:
    # pandas and polars write an integer column holding a blank as 9001.0: the BizibleId
    # 9001.0 matched no cookie 9001, every call standalone and every opportunity
    # unattributed, without a word. Ids compare as written (R2): said in run, load, inspect
    header = ("Id", "WhoId", "BizibleId", "CreatedDate")
    rows = [
        {"Id": "T1", "WhoId": "501.0", "BizibleId": "9001.0", "CreatedDate": at("12:40")},
        {"Id": "T2", "WhoId": "", "BizibleId": "", "CreatedDate": at("12:41")},
        {"Id": "T3", "WhoId": "", "BizibleId": "ck-9003", "CreatedDate": at("12:42")},
    ]
    sessions = [session("S1", "9001", "12:17"), session("S3", "ck-9003", "12:20")]
    out = run_case(tmp_path / "floats", rows, sessions, task_header=header)
    assert out.status("T1") == ("standalone", "no_session_for_id")
    assert out.status("T3") == ("merged", "within_window")
    notes = out.summary["tasks"]["files"][0]["notes"]
    assert notes == [
        "BizibleId (bizible_id) holds ids written as whole numbers with '.0' (9001.0), as pandas "
        "and polars write an integer column holding a blank: ids compare as written, so 9001.0 "
        "is not the id 9001; write the column as integers or text (in pandas, "
        ".astype('Int64') before to_csv), or save it as Parquet",
        "WhoId (who_id) holds ids written as whole numbers with '.0' (501.0), as pandas and "
        "polars write an integer column holding a blank: ids compare as written, so 501.0 is "
        "not the id 501; write the column as integers or text (in pandas, .astype('Int64') "
        "before to_csv), or save it as Parquet",
    ]
    tasks = tmp_path / "floats" / "tasks.csv"
    (described,) = json.loads(invoke("inspect", tasks, "-f", "json").stdout)
    assert [n for n in described["notes"] if "whole numbers" in n] == notes
    # said once, also when the file is read again by the csv module (a malformed row)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Id,BizibleId,CreatedDate,Subject\n"
        "T1,9001.0,2026-03-02T12:40:00Z,a\n"
        'T2,9002.0,2026-03-02T12:41:00Z, "Spring, Sale"\n'
    )
    ran = invoke(
        "run", bad, tmp_path / "floats" / "sessions.csv", "-o", tmp_path / "o",
        "--max-rejects", "100%", "-q",
    )  # fmt: skip
    assert " ".join(ran.stderr.split()).count("holds ids written as whole numbers") == 1

"""Property tests: on random tasks and sessions (ties, duplicates, blank and padded ids, calls at
exactly the window's edge), calltouch's SQL decides exactly what the plain-Python reference
(tests/reference.py) decides."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calltouch.durations import parse_window
from tests import reference
from tests.harness import run_case

# slow: hypothesis against the plain-Python reference on many random worlds (make test runs it;
# plain pytest leaves it out)
pytestmark = pytest.mark.slow

BASE = datetime(2026, 3, 2, 12, 0)
COOKIES = ["c0ffee", "C0FFEE", "beef01", "d00d02"]
# 30m (the default) and 45m most often: with a coarse grid of offsets they merge many calls.
WINDOWS = ["30m", "30m", "45m", "1m", "90s", "0s"]


def stamp(offset: timedelta) -> str:
    value = BASE + offset
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text + "Z"


# Offsets on a coarse grid make ties and exact window edges likely; a millisecond nudges past it.
minutes = st.sampled_from([0, 1, 5, 15, 29, 30, 31, 45, 60, 90, 120])
nudge = st.sampled_from(
    [timedelta(0), timedelta(0), timedelta(milliseconds=1), timedelta(seconds=30)]
)
offsets = st.builds(lambda m, n: timedelta(minutes=m) + n, minutes, nudge)
padding = st.sampled_from(["", "", " ", "\t", "  ", "\u3000", "\xa0\u2003"])
cookie = st.one_of(
    st.builds(lambda c, a, b: a + c + b, st.sampled_from(COOKIES), padding, padding),
    # blank, or what a database export writes for a missing value (read as blank, R1)
    st.sampled_from(["", "   ", "\u3000", None, "\\N", "NULL", " null\t"]),
)
campaign = st.sampled_from(["Spring", " Fall\t", "", None])
modstamp = st.one_of(st.none(), st.builds(lambda m: stamp(timedelta(days=1, minutes=m)), minutes))
# mostly live records; some deleted (IsDeleted / IS_DELETED true), which R9 weighs as copies
deleted = st.sampled_from([None, "", "false", "false", "false", "0", "true", "TRUE", "1"])

task_rows = st.lists(
    st.fixed_dictionaries(
        {
            "Id": st.sampled_from([f"T{i}" for i in range(8)]),
            "BizibleId": cookie,
            "CreatedDate": st.builds(stamp, offsets),
            "Type": st.sampled_from(["Call", "", None]),
            "LastModifiedDate": modstamp,
            "IsDeleted": deleted,
        }
    ),
    max_size=12,
)
session_rows = st.lists(
    st.fixed_dictionaries(
        {
            "ID": st.sampled_from([f"S{i}" for i in range(8)]),
            "COOKIE_ID": cookie,
            "EVENT_DATE": st.builds(stamp, offsets),
            "CHANNEL": st.sampled_from(["Paid Search.AdWords", "Email", None]),
            "CAMPAIGN_NAME": campaign,
            "MODIFIED_DATE": modstamp,
            "IS_DELETED": deleted,
        }
    ),
    max_size=12,
)


@st.composite
def visits(draw: st.DrawFn, tasks: list[dict]) -> list[dict]:
    """Sessions of the tasks' own cookies starting a little before (or at, or after) their
    calls: without them, random cookies and times rarely merge at all."""
    rows: list[dict] = []
    if not tasks:
        return rows
    for task in draw(st.lists(st.sampled_from(tasks), min_size=1, max_size=8)):
        call = reference.parse_time(task["CreatedDate"])
        assert call is not None
        back = timedelta(minutes=draw(st.sampled_from([-1, 0, 1, 29, 30, 31, 44, 45, 46])))
        rows.append(
            {
                "ID": draw(st.sampled_from([f"S{i}" for i in range(8)])),
                "COOKIE_ID": task["BizibleId"],
                "EVENT_DATE": stamp(call - BASE - back - draw(nudge)),
                "CHANNEL": draw(st.sampled_from(["Paid Search.AdWords", "Email", None])),
                "CAMPAIGN_NAME": draw(campaign),
                "MODIFIED_DATE": draw(modstamp),
                "IS_DELETED": draw(deleted),
            }
        )
    return rows


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[dict], list[dict]]:
    """Tasks, and random sessions mixed (in a random order) with visits of the tasks' cookies."""
    tasks = draw(task_rows)
    sessions = draw(st.permutations(draw(session_rows) + draw(visits(tasks))))
    return tasks, sessions


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    case=cases(),
    window=st.sampled_from(WINDOWS),
    per_session=st.sampled_from(["one", "all"]),
)
def test_sql_matches_reference(
    case: tuple[list[dict], list[dict]], window: str, per_session: str
) -> None:
    tasks, sessions = case
    expected = reference.decide(
        tasks, sessions, timedelta(microseconds=parse_window(window)), per_session
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = run_case(
            Path(tmp),
            tasks,
            sessions,
            window=window,
            per_session=per_session,
            task_header=("Id", "BizibleId", "CreatedDate", "Type", "LastModifiedDate", "IsDeleted"),
            session_header=(
                "ID",
                "COOKIE_ID",
                "EVENT_DATE",
                "CHANNEL",
                "CAMPAIGN_NAME",
                "MODIFIED_DATE",
                "IS_DELETED",
            ),
        )
    got = {}
    for task_id, row in out.touchpoints.items():
        got[task_id] = (row["match_status"], row["match_reason"], row["session_id"] or None)
    for task_id, row in out.unmatched.items():
        got[task_id] = ("unmatched", row["reason"], None)
    want = {
        task_id: (d.status, d.reason, d.session_id if d.status == "merged" else None)
        for task_id, d in expected.items()
    }
    assert got == want
    # A merged touchpoint shows its session's channel and campaign (the kept copy's, R9),
    # whichever way the run chose which sessions' details to keep.
    kept = reference.last_read(sessions, "ID", "MODIFIED_DATE", "IS_DELETED")
    for task_id, d in expected.items():
        if d.status == "merged":
            session = kept[d.session_id]
            cell = reference.clean(session["CHANNEL"])
            row = out.touchpoints[task_id]
            assert row["channel"] == (cell.split(".", 1)[0] if cell else ""), task_id
            assert row["campaign"] == (reference.clean(session["CAMPAIGN_NAME"]) or ""), task_id
    # Counting identity (SPEC §4): nothing is lost.
    t = out.summary["tasks"]
    assert t["read"] == len(tasks)
    assert t["read"] == t["touchpoints"] + t["unmatched"] + t["duplicates"] + t["rejected"]
    # every deleted record is rejected; the live copies not kept are duplicates (R9)
    for rows, key, flag, counts in (
        (tasks, "Id", "IsDeleted", t),
        (sessions, "ID", "IS_DELETED", out.summary["sessions"]),
    ):
        gone = sum(reference.is_deleted(r, flag) for r in rows if reference.clean(r[key]))
        live = sum(not reference.is_deleted(r, flag) for r in rows if reference.clean(r[key]))
        stamp_column = "MODIFIED_DATE" if key == "ID" else "LastModifiedDate"
        ids_kept = len(reference.last_read(rows, key, stamp_column, flag))
        assert (counts["rejected"], counts["duplicates"]) == (gone, live - ids_kept), key
    assert out.summary["reconciled"] is True
    # Minutes agree with the reference where a candidate exists.
    for task_id, d in expected.items():
        if d.gap is not None:
            minutes_text = out.touchpoints[task_id]["nearest_session_minutes"]
            assert abs(float(minutes_text) - d.gap.total_seconds() / 60) < 1e-4

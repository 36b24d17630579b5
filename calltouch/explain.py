"""``calltouch explain TASK_ID``: why one call was (or was not) linked to a web session.

Promise: the explanation is read from the same tables the match built (``tasks``, ``links``,
``touchpoints``, ``sessions``) by one query, so it can never disagree with the outputs; the
advice says what would change the result, in the terms of the vendor FAQ ("why is this call not
linked to a web session?", "why is my touchpoint type Web Visit?"). No typer, no rich.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import duckdb

from calltouch import queries
from calltouch.durations import DEFAULT_WINDOW_US, MAX_WINDOW_US, format_window
from calltouch.errors import InputError
from calltouch.load import error_message, session_error

RULES = {
    "no_bizible_id": "R1",
    "within_window": "R3",
    "outside_window": "R3",
    "only_later_sessions": "R2",
    "no_session_for_id": "R5",
    "session_already_used": "R6",
}
RULE_TEXT = {
    "R1": "R1 no BizibleId, no touchpoint",
    "R2": "R2 the candidate is the latest session at or before the call",
    "R3": "R3 the merge window",
    "R5": "R5 standalone task touchpoint",
    "R6": "R6 one touchpoint per session",
}
FIELD_NAMES = {"touchpoint_date": "Buyer Touchpoint Date", "call_time": "CreatedDate"}


# How to read naive timestamps in their zone, on files and on the workspace.
ZONE_OPTIONS = (
    "(--tasks-tz / --sessions-tz on files; --tz when loading them, into a new workspace: a "
    "file already loaded is not read again)"
)


def explain(
    con: duckdb.DuckDBPyConnection,
    task_id: str,
    *,
    window_us: int,
    where: str,
    per_session: str = "one",
) -> dict[str, Any]:
    """The explanation of one task as JSON-ready data (the json format prints exactly this)."""
    stored = queries.stored_id(con, task_id, "task_id")  # a 15-character Salesforce id as 18
    key = queries.run(con, "explain_cookie_key", {"task_id": stored}).fetchone()
    since = queries.stale_since(con)  # a stale workspace: its copies as the match saw them
    row = queries.fetch_dicts(
        con,
        "explain_task",
        {
            "task_id": stored,
            "cookie_key": None if key is None else key[0],
            "last_load_id": since or 0,
        },
        by_key=key is not None,
        matched_only=since is not None,
    )[0]
    if not row["found"]:
        # rejected in a load since the last match, with no usable copy: that is the answer a
        # match would give; a usable copy loaded since is a task the next match links
        rejected_since = not row["rejected_copies"] and (
            row["later_rejected_copies"] and not row["later_usable_copies"] and not row["copies"]
        )
        if (row["rejected_copies"] and not row["later_usable_copies"]) or rejected_since:
            if row["rejected_file"] is not None:
                where_rejected = (
                    f": {row['rejected_file']}:{row['rejected_line']}: {row['rejected_error']}"
                )
            else:  # no rejected line holds the id as read: say what was wrong with it
                error = error_message(row["error_code"], row["error_field"], row["error_value"])
                where_rejected = f" ({row['error_field']}: {error})"
            deleted = row["error_code"] == "deleted"
            since = f" after the last match of {where}" if rejected_since else ""
            raise InputError(
                f"task {row['task_id']} was rejected when its file was loaded{since}"
                f"{where_rejected}"
                + (
                    f"; its {_copies(row['copies']).lower()} loaded as well "
                    f"{'is a duplicate' if row['copies'] == 1 else 'are duplicates'}: R9 keeps "
                    "the last copy, which says it was deleted"
                    if deleted and row["copies"]
                    else ""
                ),
                hint=(
                    "It was deleted in Salesforce: it is no call to explain (an export without "
                    "deleted records leaves it out). "
                    if deleted
                    else "Fix that row in the export; "
                )
                + "rejects.csv (from calltouch run, or calltouch export rejects) lists every "
                "rejected row with its file and line.",
            )
        if row["copies"]:  # copies the match saw (a stale workspace's too), not in its tasks
            raise InputError(
                f"task {row['task_id']} is in the rows loaded into {where}, but not in the "
                "last match's tasks: its row there was deleted in another program",
                hint="Run calltouch match (with the same --db) to rebuild the match, then "
                "explain it again.",
            )
        if row["later_copies"]:
            raise InputError(
                f"task {row['task_id']} was loaded after the last match of {where}, "
                "which has not linked it yet",
                hint="Run calltouch match (with the same --db), then explain it again.",
            )
        line = queries.run(con, "rejected_lines_holding", {"task_id": task_id}).fetchone()
        if line is not None:  # a record that never became a row: malformed, undecodable
            raise InputError(
                f"no task with id {task_id!r} in {where}, but a line rejected when its file "
                f"was loaded holds it: {line[0]}:{line[1]}: {line[2]}",
                hint="That line never became a row: fix it in the export, or read the file as "
                "its error advises. rejects.csv (from calltouch run, or calltouch export "
                "rejects) lists every rejected row with its file and line.",
            )
        examples = [r[0] for r in queries.run(con, "task_id_examples", {"limit": 3}).fetchall()]
        raise InputError(
            f"no task with id {task_id!r} in {where}",
            hint=(f"Task ids look like {', '.join(examples)}." if examples else "")
            + " A Salesforce id may be given in 15 or 18 characters. A malformed"
            " row (too few or too many cells) is in rejects.csv only, never a task.",
        )
    if row["bizible_id"] is not None and row["match_status"] is None:
        # a task with a BizibleId always has a link (R1): it was deleted in another program
        raise InputError(
            f"task {row['task_id']} has a BizibleId but no link in the last match of {where}: "
            "its row in links was deleted in another program",
            hint="Run calltouch match (with the same --db) to rebuild the match, then explain "
            "it again.",
        )
    mapping = json.loads(row["mapping"] or "{}")
    source_field = row["call_time_source"]
    out: dict[str, Any] = {
        "task_id": row["task_id"],
        "bizible_id": row["bizible_id"],
        "call_time": row["call_time"],
        "call_time_source": source_field,
        "call_time_column": mapping.get(source_field),
        # the file's Buyer Touchpoint Date column, if it has one (None: it has none)
        "touchpoint_date_column": mapping.get("touchpoint_date"),
        "task_type": row["task_type"],
        "who_id": row["who_id"],
        "file": row["file"],
        "copies": row["copies"],
        # copies of the task rejected when loaded (R9 chooses among the usable ones only)
        "rejected_copies": row["rejected_copies"],
        # of them, deleted records: R9 weighs them, and a deleted last copy removes the task
        "deleted_copies": row["deleted_copies"],
        "rejected_copy": None
        if row["rejected_file"] is None
        else {
            "file": row["rejected_file"],
            "line": row["rejected_line"],
            "error": row["rejected_error"],
        },
        "match_status": row["match_status"] or ("unmatched" if row["unmatched"] else None),
        "match_reason": row["match_reason"] or ("no_bizible_id" if row["unmatched"] else None),
        "session_id": row["session_id"],
        "session_start": row["session_start"],
        "minutes_after_session_start": row["minutes_after_session_start"],
        "nearest_earlier_session": _session(
            row["earlier_session_id"],
            row["earlier_session_start"],
            row["earlier_minutes"],
            "minutes_before_call",
            row["earlier_channel"],
        ),
        "nearest_later_session": _session(
            row["later_session_id"],
            row["later_session_start"],
            row["later_minutes"],
            "minutes_after_call",
            None,
        ),
        "sessions_of_bizible_id": row["sessions_of_id"],
        # session rows of the BizibleId rejected when loaded (deleted, a start unreadable):
        # none is a candidate; the nearest to the call is named
        "rejected_sessions": row["rejected_sessions"],
        # session ids whose earlier copy had the BizibleId and whose kept copy (R9) has another
        "superseded_sessions": row["superseded_sessions"],
        "superseded_session_id": row["superseded_session_id"],
        # no session has the BizibleId: those whose cookie is the same id written otherwise
        # (letter case, a whole number's '.0' on one side), which ids compare apart (R2)
        "similar_bizible_id": None
        if not row["near_sessions"]
        else {"bizible_id": row["near_cookie_id"], "sessions": row["near_sessions"]},
        "nearest_rejected_session": None
        if row["rejected_session_id"] is None
        else {
            "session_id": row["rejected_session_id"],
            "session_start": row["rejected_session_start"],
            "error": session_error(
                row["rejected_session_code"],
                row["rejected_session_field"],
                row["rejected_session_value"],
            ),
        },
        "touchpoint": None
        if row["touchpoint_id"] is None
        else {
            "touchpoint_id": row["touchpoint_id"],
            "touchpoint_type": row["touchpoint_type"],
            "medium": row["medium"],
            "touchpoint_source": row["touchpoint_source"],
            "channel": row["channel"],
            "subchannel": row["subchannel"],
            "campaign": row["campaign"],
        },
        "window": format_window(window_us),
    }
    reason = out["match_reason"]
    out["rule"] = RULES.get(reason, "R5")
    out["rule_text"] = RULE_TEXT[out["rule"]].replace("merge window", f"{out['window']} window")
    out["merged_with_task_id"] = row["merged_task_id"] if reason == "session_already_used" else None
    # what a wider window would meet (the advice's, not shown): the exact gap, and an earlier
    # call of the same candidate that R6 would let take the session first
    gap_us = row["gap_us"]
    earlier_call = row["earlier_call_task_id"] if per_session == "one" else None
    out["advice"] = advice(
        out,
        window_us,
        gap_us=gap_us,
        earlier_call=earlier_call,
        later_us=row["later_us"],
        per_session=per_session,
        same_moment=bool(
            row["merged_same_moment"]
            if reason == "session_already_used"
            else earlier_call and row["earlier_call_same_moment"]
        ),
    )
    return out


def _session(
    session_id: str | None,
    start: str | None,
    minutes: float | None,
    key: str,
    channel: str | None,
) -> dict[str, Any] | None:
    if session_id is None:
        return None
    out: dict[str, Any] = {"session_id": session_id, "session_start": start, key: minutes}
    if channel is not None:
        out["channel"] = channel
    return out


def _minutes(value: float) -> str:
    """Minutes as the touchpoints give them, two decimals at most: 23, 27.95, 1,440.5."""
    return f"{value:,.2f}".rstrip("0").rstrip(".") + " min"


def advice(
    facts: dict[str, Any],
    window_us: int,
    *,
    gap_us: int | None = None,
    earlier_call: str | None = None,
    later_us: int | None = None,
    per_session: str = "one",
    same_moment: bool = False,
) -> list[str]:
    """What decided the result, and what would change it. ``gap_us``: the exact gap from the
    candidate's start (else the rounded minutes are used); ``earlier_call``: a call that has
    the same candidate and calls first, so takes the session under any window (R6);
    ``later_us``: the exact time from the call to the first later session's start;
    ``per_session``: the setting the result was matched with; ``same_moment``: the call that
    took (or would take) the session first calls at the same moment as this one, and goes
    first by its smaller task id (R6's ties). An option advised comes with
    the other setting when that is not its default: ``calltouch match`` does not keep the
    last match's settings, so --window 80m alone would bring R6 back after --per-session all."""
    reason = facts["match_reason"]
    window = format_window(window_us)
    keep_all = " --per-session all" if per_session == "all" else ""
    keep_window = f" --window {window}" if window_us != DEFAULT_WINDOW_US else ""
    said: list[str] = []
    source = facts["call_time_source"]
    column = facts["call_time_column"] or FIELD_NAMES.get(source, source)
    if source == "call_time" and reason != "no_bizible_id":  # R1: no time could change it
        why = (
            f"the Buyer Touchpoint Date ({facts['touchpoint_date_column']}) is empty"
            if facts.get("touchpoint_date_column")
            else "no Buyer Touchpoint Date column was read (none in the file, or --map left it out)"
        )
        created = column.replace("_", "").replace(" ", "").casefold() == "createddate"
        said.append(
            f"The call time comes from {column} because {why}"
            # Salesforce's CreatedDate, not a vendor's call start (Called At, start_time)
            + (
                "; CreatedDate is often written minutes after the call ends, which can push a "
                "call out of the window."
                if created
                else "."
            )
        )
    earlier = facts["nearest_earlier_session"]
    later = facts["nearest_later_session"]
    rejected = facts.get("nearest_rejected_session")
    if reason == "no_bizible_id":
        said.append(
            "The task has no BizibleId, so it gets no touchpoint (R1). The call-tracking "
            "vendor did not pass the visitor's _biz_uid cookie: check that the tracking number "
            "was shown on a page carrying the Marketo Measure script and that the vendor maps "
            "the cookie to bizible2__BizibleId__c."
        )
    elif reason == "within_window":
        said.append(
            f"Merged with session {facts['session_id']}, which started "
            f"{_minutes(facts['minutes_after_session_start'])} before the call "
            f"(within the {window} window, R3)."
        )
        if facts["task_type"] is None:
            said.append(
                "Type is blank, so the touchpoint type is Web Visit and the medium is the "
                "session's: have the vendor fill Task.Type (e.g. Call) to make it a call "
                "touchpoint (R4)."
            )
    elif reason == "outside_window":
        gap = float(earlier["minutes_before_call"]) if earlier else 0.0
        # whole minutes from the exact gap: 30:00.000001 needs 31m, though it shows as 30.0
        needed = max(1, -(-gap_us // 60_000_000) if gap_us is not None else math.ceil(gap))
        if needed * 60_000_000 > MAX_WINDOW_US:
            remedy = (
                f"No window calltouch allows (at most {format_window(MAX_WINDOW_US)}) would "
                "merge it."
            )
        elif earlier_call is not None:
            takes = (
                f"task {earlier_call}, calling at the same moment with a smaller task id, has"
                if same_moment
                else f"task {earlier_call} calls earlier with"
            )
            remedy = (
                f"A {needed}m window would bring it within the window, but {takes} the same "
                "session and would take it (R6: one touchpoint per session); --window "
                f"{needed}m with --per-session all would merge this call too."
            )
        else:
            remedy = f"A {needed}m window would merge it (--window {needed}m{keep_all})."
        hours, rest = divmod(gap, 60)
        if 1 <= hours <= 14 and rest * 60_000_000 <= window_us:
            # whole hours and a gap the window allows: the mark of a zone's offset (naive
            # times of one export read as UTC), which a wider window would only hide
            remedy += (
                f" The gap is {int(hours)} hour{'s' if hours > 1 else ''} and "
                f"{_minutes(rest)}: if the two exports' naive timestamps are in different "
                f"zones, read each in its own rather than widening the window {ZONE_OPTIONS}."
            )

        shown = _minutes(gap)
        if gap_us is not None and shown == _minutes(window_us / 60_000_000):
            # past the window by less than the minutes show (30:00.000001): the exact gap
            shown = format_window(gap_us)
        said.append(
            f"The latest earlier session, {earlier['session_id'] if earlier else '?'}, started "
            f"{shown} before the call, more than the {window} window (R3), so the task "
            f"is a standalone touchpoint (R5). {remedy}"
        )
    elif reason == "only_later_sessions":
        when = _minutes(float(later["minutes_after_call"])) if later else "some time"
        if when == "0 min" and later_us:  # less than the minutes show (1 ms after): exact
            when = format_window(later_us)
        said.append(
            f"Every {'usable ' if rejected else ''}session of this BizibleId started after the "
            f"call (the first {when} later), and a session that starts after a call is never "
            "its candidate (R2); no window changes that."
            + (
                ""
                if rejected
                else " Check the clocks of the vendor and of the export, and the zone of naive "
                f"timestamps {ZONE_OPTIONS}."
            )
        )
    elif reason == "no_session_for_id" and rejected:
        said.append(
            "No usable session has this BizibleId, so the task is a standalone touchpoint (R5)."
        )
    elif reason == "no_session_for_id" and facts.get("superseded_sessions"):
        said.append(
            "No session has this BizibleId now, so the task is a standalone touchpoint (R5)."
        )
    elif reason == "no_session_for_id" and facts.get("similar_bizible_id"):
        said.append(
            "No session has this BizibleId, so the task is a standalone touchpoint (R5). "
            + _written_otherwise(facts["bizible_id"], facts["similar_bizible_id"])
        )
    elif reason == "no_session_for_id":
        said.append(
            "No session has this BizibleId, so the task is a standalone touchpoint (R5). Load "
            "the sessions export that covers the call's date; BizibleIds compare exactly "
            "(case-sensitive) after trimming white space."
        )
    elif reason == "session_already_used":
        which = (
            "a call at the same moment with a smaller task id" if same_moment else "an earlier call"
        )
        said.append(
            f"Its candidate session already merged with {which}, task "
            f"{facts.get('merged_with_task_id') or '?'} (R6: one touchpoint per session). "
            f"--per-session all{keep_window} would merge this call too."
        )
    if rejected:
        count = facts["rejected_sessions"]
        which = (
            f"{rejected['session_id']} ({rejected['session_start'] or 'no readable start'}): "
            f"{rejected['error']}"
        )
        said.append(
            (
                "One session row of this BizibleId was rejected when loaded, so it cannot be "
                f"the call's candidate: {which}."
                if count == 1
                else f"{count:,} session rows of this BizibleId were rejected when loaded, so "
                f"none can be the call's candidate; the nearest to the call: {which}."
            )
            + " rejects.csv (calltouch export rejects, on a workspace) lists each with its line."
        )
    superseded = facts.get("superseded_sessions") or 0
    if superseded:
        said.append(
            f"Session {facts['superseded_session_id']} had this BizibleId in one copy, but "
            "a later copy of it (by MODIFIED_DATE, else the last read) has another cookie, "
            "and that copy is the session (R9)."
            if superseded == 1
            else f"{superseded:,} sessions had this BizibleId in one copy (e.g. "
            f"{facts['superseded_session_id']}), but a later copy of each (by "
            "MODIFIED_DATE, else the last read) has another cookie, and that copy is the "
            "session (R9)."
        )
    if facts["copies"] and facts["copies"] > 1:
        said.append(
            f"The task appears {facts['copies']} times in the loaded exports; the copy kept is "
            "the last by LastModifiedDate (a copy without one ranks below every copy with "
            "one, whenever read), else the last read (R9)."
        )
    deleted = facts.get("deleted_copies") or 0
    if facts["rejected_copies"] > deleted:
        first = facts["rejected_copy"]
        where = f" ({first['file']}:{first['line']}: {first['error']})" if first else ""
        said.append(
            f"{_copies(facts['rejected_copies'] - deleted)} of the task rejected when "
            f"loaded{where} cannot be chosen (R9 keeps the last usable copy): if a rejected "
            "copy is newer, fix it in the export and load it again."
        )
    if deleted:
        said.append(
            f"{_copies(deleted)} of the task {'says' if deleted == 1 else 'say'} it was "
            "deleted in Salesforce (IsDeleted), and R9 ranks the copy kept above it (the "
            "last by LastModifiedDate, a copy without one below every copy with one, else the "
            "last read); a task whose last copy is deleted is no call."
        )
    return said


def _written_otherwise(bizible_id: str, similar: dict[str, Any]) -> str:
    """What the sessions of the call's BizibleId written otherwise (``similar``) say: ids
    compare as written (R2), so a whole number's '.0' on one side (pandas and polars write an
    integer column holding a blank so) or another letter case makes them other ids."""
    cookie, count = similar["bizible_id"], similar["sessions"]
    have = f"{count:,} session rows have" if count > 1 else "A session row has"
    if cookie.casefold() == bizible_id.casefold():
        return (
            f"{have} BizibleId {cookie}, which differs from the task's only in letter case: "
            "BizibleIds compare exactly (case-sensitive), so something between the vendor "
            "and the export changed one of them; correct it in the export and load it again."
        )
    side = "tasks" if re.fullmatch(r"\d+\.0+", bizible_id) else "sessions"
    return (
        f"{have} BizibleId {cookie}, the task's {bizible_id} "
        f"{'without' if side == 'tasks' else 'with'} '.0': ids compare as written (R2), and "
        f"the {side} export wrote an integer id column as decimals (as pandas and polars write "
        "one holding a blank). Write it as integers or text (in pandas, .astype('Int64') "
        "before to_csv) or save it as Parquet, and read it again (on a workspace: load it "
        "and match)."
    )


def _copies(count: int) -> str:
    return "One copy" if count == 1 else f"{count} copies"

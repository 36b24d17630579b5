"""A small plain-Python implementation of the matching rules R1-R9 (SPEC §2), written for
clarity, not speed: the property tests compare calltouch's SQL against it on random inputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Unicode's white space, as ct_white() (sql/session_setup.sql) trims it
WHITESPACE = " \t\r\n\x0b\x0c\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
WHITESPACE += "\u2028\u2029\u202f\u205f\u3000"


@dataclass(frozen=True)
class Decision:
    """What the rules decide for one (de-duplicated) task."""

    status: str  # merged | standalone | unmatched
    reason: str
    session_id: str | None = None
    gap: timedelta | None = None  # call - candidate session start


def parse_time(text: str | None) -> datetime | None:
    """ISO-8601 with Z or offset -> naive UTC; naive values are taken as UTC."""
    if text is None or not text.strip(WHITESPACE):
        return None
    value = datetime.fromisoformat(text.strip(WHITESPACE).replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = (value - (value.utcoffset() or timedelta(0))).replace(tzinfo=None)
    return value


NULL_WORDS = ("\\N", "NULL", "null")  # what database exports write for a missing value


def clean(text: str | None) -> str | None:
    """R1/R2: trim white space; blank (or a null word) is missing. Never case-fold."""
    if text is None:
        return None
    stripped = text.strip(WHITESPACE)
    return None if stripped in NULL_WORDS else stripped or None


TRUE_WORDS = ("true", "TRUE", "True", "1")  # some of what ct_bool reads as true


def is_deleted(row: dict, column: str | None) -> bool:
    """Whether a row is a deleted record (its IsDeleted / IS_DELETED cell reads true)."""
    return column is not None and clean(row.get(column)) in TRUE_WORDS


def last_read(
    rows: list[dict], key: str, modstamp: str, deleted: str | None = None
) -> dict[str, dict]:
    """R9: per id, the last row by modification time when present, else the last read. With
    ``deleted`` (the column of the deleted flag), a deleted record takes part in the choice
    but is never kept: an id whose last row is deleted has none."""
    chosen: dict[str, tuple[tuple, dict]] = {}
    for order, row in enumerate(rows):
        ident = clean(row[key])
        if ident is None:
            continue
        stamp = parse_time(row.get(modstamp))
        rank = (stamp is not None, stamp or datetime.min, order)
        if ident not in chosen or rank > chosen[ident][0]:
            chosen[ident] = (rank, row)
    return {ident: row for ident, (_, row) in chosen.items() if not is_deleted(row, deleted)}


def decide(
    tasks: list[dict], sessions: list[dict], window: timedelta, per_session: str = "one"
) -> dict[str, Decision]:
    """Apply R1-R9 to task rows (Id, BizibleId, CreatedDate, LastModifiedDate, IsDeleted) and
    session rows (ID, COOKIE_ID, EVENT_DATE, MODIFIED_DATE, IS_DELETED); returns task id ->
    Decision. A deleted record (IsDeleted / IS_DELETED true) is rejected, and an id whose last
    copy is deleted has no row (R9)."""
    task_rows = last_read(tasks, "Id", "LastModifiedDate", "IsDeleted")
    session_rows = last_read(sessions, "ID", "MODIFIED_DATE", "IS_DELETED")
    by_cookie: dict[str, list[tuple[datetime, str]]] = {}
    for session_id, row in session_rows.items():
        cookie = clean(row["COOKIE_ID"])
        start = parse_time(row["EVENT_DATE"])
        if cookie is not None and start is not None:
            by_cookie.setdefault(cookie, []).append((start, session_id))

    decisions: dict[str, Decision] = {}
    in_window: dict[str, list[tuple[datetime, str]]] = {}
    for task_id, row in task_rows.items():
        bizible_id = clean(row["BizibleId"])
        call = parse_time(row["CreatedDate"])
        assert call is not None
        if bizible_id is None:
            decisions[task_id] = Decision("unmatched", "no_bizible_id")
            continue
        own = by_cookie.get(bizible_id, [])
        earlier = [(start, sid) for start, sid in own if start <= call]
        if not own:
            decisions[task_id] = Decision("standalone", "no_session_for_id")
            continue
        if not earlier:
            decisions[task_id] = Decision("standalone", "only_later_sessions")
            continue
        latest = max(start for start, _ in earlier)
        candidate = min(sid for start, sid in earlier if start == latest)  # R7
        gap = call - latest
        if gap > window:
            decisions[task_id] = Decision("standalone", "outside_window", candidate, gap)
            continue
        decisions[task_id] = Decision("merged", "within_window", candidate, gap)
        in_window.setdefault(candidate, []).append((call, task_id))

    if per_session == "one":  # R6
        for calls in in_window.values():
            for _, task_id in sorted(calls)[1:]:
                merged = decisions[task_id]
                decisions[task_id] = Decision(
                    "standalone", "session_already_used", merged.session_id, merged.gap
                )
    return decisions

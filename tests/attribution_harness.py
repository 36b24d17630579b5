"""Small worlds for the attribution tests: calls, sessions, people and opportunities, written
straight into the tables a match leaves (tasks, sessions, touchpoints) and the revenue input
tables, so a test runs the attribution SQL in milliseconds.

A merged call carries its session's channel, subchannel and campaign (R4); a standalone call
has channel 'Other' (R5), as ``match`` gives them. Times are naive UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from calltouch import attribution, queries


@dataclass
class Session:
    session_id: str
    cookie: str
    start: datetime
    channel: str | None = "Paid Search"
    subchannel: str | None = "Google"
    campaign: str | None = None
    has_form: bool = False


@dataclass
class Call:
    task_id: str
    who: str | None
    cookie: str | None
    time: datetime
    session: str | None = None  # merged with this session when set, else standalone
    type_: str = "Call"


@dataclass
class Person:
    person_id: str
    cookie: str | None = None
    converted_to: str | None = None


@dataclass
class Opportunity:
    opportunity_id: str
    amount: Decimal | None
    created: datetime
    close: date
    won: bool = False
    closed: bool = False
    contacts: tuple[str, ...] = ()
    primary_contact: str | None = None
    converted_lead: str | None = None


@dataclass
class World:
    sessions: list[Session] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)

    def session(self, session_id: str) -> Session:
        return next(s for s in self.sessions if s.session_id == session_id)


def load_world(con: duckdb.DuckDBPyConnection, world: World) -> None:
    """Write ``world`` into the schema's revenue tables and the tables a match builds (what
    the connection held before is replaced)."""
    queries.run(con, "create_schema", packed_details=False)
    for table in ("opportunity_rows", "contact_role_rows", "person_rows"):
        con.execute(f"DELETE FROM {table}")
    con.execute(
        "CREATE OR REPLACE TABLE tasks (task_id VARCHAR, who_id VARCHAR, bizible_id VARCHAR)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE sessions (session_id VARCHAR, cookie_id VARCHAR, "
        "session_start TIMESTAMP, channel VARCHAR, subchannel VARCHAR, campaign VARCHAR, "
        "has_form BOOLEAN)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE touchpoints (touchpoint_id VARCHAR, task_id VARCHAR, "
        "who_id VARCHAR, touchpoint_date TIMESTAMP, touchpoint_type VARCHAR, channel VARCHAR, "
        "subchannel VARCHAR, campaign VARCHAR, session_id VARCHAR, match_status VARCHAR)"
    )
    if world.sessions:
        con.executemany(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (s.session_id, s.cookie, s.start, s.channel, s.subchannel, s.campaign, s.has_form)
                for s in world.sessions
            ],
        )
    if world.calls:
        con.executemany(
            "INSERT INTO tasks VALUES (?, ?, ?)",
            [(c.task_id, c.who, c.cookie) for c in world.calls],
        )
        rows = []
        for c in world.calls:
            if c.cookie is None:
                continue  # R1: no touchpoint
            s = world.session(c.session) if c.session else None
            rows.append(
                (
                    "TP_" + c.task_id,
                    c.task_id,
                    c.who,
                    c.time,
                    c.type_,
                    s.channel if s else "Other",
                    s.subchannel if s else None,
                    s.campaign if s else None,
                    c.session,
                    "merged" if s else "standalone",
                )
            )
        if rows:
            con.executemany("INSERT INTO touchpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    if world.people:
        con.executemany(
            "INSERT INTO person_rows (_file_id, person_id, bizible_id, converted_contact_id) "
            "VALUES (0, ?, ?, ?)",
            [(p.person_id, p.cookie, p.converted_to) for p in world.people],
        )
    if world.opportunities:
        con.executemany(
            "INSERT INTO opportunity_rows (_file_id, opportunity_id, amount, created_date, "
            "close_date, is_won, is_closed, primary_contact_id, converted_from_lead_id) "
            "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    o.opportunity_id,
                    o.amount,
                    o.created,
                    o.close,
                    o.won,
                    o.closed or o.won,
                    o.primary_contact,
                    o.converted_lead,
                )
                for o in world.opportunities
            ],
        )
        roles = [(o.opportunity_id, c) for o in world.opportunities for c in o.contacts]
        if roles:
            con.executemany(
                "INSERT INTO contact_role_rows (_file_id, opportunity_id, contact_id) "
                "VALUES (2, ?, ?)",
                roles,
            )


def attribute(
    world: World,
    as_of: date = date(2026, 3, 31),
    weights: str | None = None,
    threads: int | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection (``con``, or a new one) holding ``world`` with its attribution built."""
    con = con or queries.connect(threads=threads)
    load_world(con, world)
    settings = attribution.AttributionSettings(
        as_of=as_of, weights=None if weights is None else attribution.parse_weights(weights)
    )
    attribution.build(con, settings)
    return con


def shares(
    con: duckdb.DuckDBPyConnection, scenario: str = "calls"
) -> dict[str, dict[str, dict[str, Decimal | None]]]:
    """{opportunity: {model: {touchpoint: share}}} (share None when unattributed)."""
    out: dict[str, dict[str, dict[str, Decimal | None]]] = {}
    for opp, model, tp, share in con.execute(
        "SELECT opportunity_id, model, touchpoint_id, share FROM att_credit "
        "WHERE scenario = $s ORDER BY ALL",
        {"s": scenario},
    ).fetchall():
        out.setdefault(opp, {}).setdefault(model, {})[tp] = share
    return out


def positions(con: duckdb.DuckDBPyConnection, scenario: str = "calls") -> dict[str, list[Any]]:
    """{opportunity: [(touchpoint, {positions})...] in journey order}."""
    out: dict[str, list[Any]] = {}
    for row in con.execute(
        "SELECT opportunity_id, touchpoint_id, is_ft, is_lc, is_post_lc, is_oc, is_cw, is_middle "
        "FROM att_journeys WHERE scenario = $s ORDER BY opportunity_id, seq",
        {"s": scenario},
    ).fetchall():
        names = ("FT", "LC", "PostLC", "OC", "CW", "middle")
        out.setdefault(row[0], []).append(
            (row[1], {n for n, v in zip(names, row[2:], strict=True) if v})
        )
    return out


def unattributed(con: duckdb.DuckDBPyConnection, scenario: str = "calls") -> set[tuple[str, str]]:
    """{(model, opportunity)} a model leaves unattributed."""
    return {
        (m, o)
        for m, o in con.execute(
            "SELECT model, opportunity_id FROM att_unattributed WHERE scenario = $s",
            {"s": scenario},
        ).fetchall()
    }

"""Attribution on random worlds (hypothesis): shares are never negative and sum to 1 per
attributed opportunity under every model, revenue by channel adds up to the attributed amounts,
and the SQL decides exactly what the plain-Python reference (tests/attribution_reference.py)
decides, with call touchpoints and with calls invisible. Outputs never depend on threads."""

from __future__ import annotations

import csv
import functools
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calltouch import attribution, queries
from calltouch.pipeline import RunSettings
from tests.attribution_harness import (
    Call,
    Opportunity,
    Person,
    Session,
    World,
    attribute,
    positions,
    shares,
    unattributed,
)
from tests.attribution_reference import reference

# slow: hypothesis against the attribution reference (make test runs it; plain pytest leaves it out)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
PEOPLE = ["P1", "P2", "P3", "L1", "L2"]
COOKIES = ["c1", "c2", "c3", "c4"]
CHANNELS = ["Paid Search", "Email", "Direct", None]
TOLERANCE = Fraction(1, 10**12)
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def stamp(draw: st.DrawFn) -> datetime:
    """Coarse times (so that ties happen): one of a few instants on March 1-10."""
    day = draw(st.integers(1, 10))
    hour = draw(st.sampled_from([0, 9, 12, 23]))
    minute = draw(st.sampled_from([0, 30, 59]))
    return datetime(2026, 3, day, hour, minute)


@st.composite
def weights(draw: st.DrawFn) -> str:
    """Custom weights in thousandths summing to exactly 1 (some positions weigh 0), now and
    then one that weighs no position every journey has (the middle alone; CW and the middle,
    which an open opportunity lacks; OC alone)."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(["middle=1", "cw=.5,middle=.5", "oc=1", "lc=.4,middle=.6"]))
    cuts = sorted(draw(st.lists(st.integers(0, 1000), min_size=4, max_size=4)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 1000], strict=True)]
    keys = ("ft", "lc", "oc", "cw", "middle")
    return ",".join(f"{k}={Decimal(p) / 1000}" for k, p in zip(keys, parts, strict=True))


@st.composite
def worlds(draw: st.DrawFn) -> World:
    sessions = [
        Session(
            f"S{i}",
            draw(st.sampled_from(COOKIES)),
            stamp(draw),
            draw(st.sampled_from(CHANNELS)),
            None,
            None,
            draw(st.booleans()),
        )
        for i in range(draw(st.integers(0, 7)))
    ]
    calls: list[Call] = []
    used: set[str] = set()
    for i in range(draw(st.integers(0, 6))):
        who = draw(st.sampled_from([*PEOPLE, None]))
        cookie = draw(st.sampled_from([*COOKIES, None]))
        free = [s for s in sessions if s.cookie == cookie and s.session_id not in used]
        if cookie and free and draw(st.booleans()):  # merged with one of its cookie's sessions
            target = draw(st.sampled_from(free))
            used.add(target.session_id)
            when = target.start + timedelta(minutes=draw(st.integers(0, 30)))
            calls.append(Call(f"T{i}", who, cookie, when, target.session_id))
        else:
            calls.append(Call(f"T{i}", who, cookie, stamp(draw)))
    people = []
    for pid in PEOPLE:
        if draw(st.booleans()):
            converted = draw(st.sampled_from([None, "P1", "P2", "P3"])) if pid[0] == "L" else None
            people.append(Person(pid, draw(st.sampled_from([*COOKIES, None])), converted))
    opportunities = []
    for i in range(draw(st.integers(1, 3))):
        status = draw(st.sampled_from(["won", "lost", "open"]))
        amount = draw(st.one_of(st.none(), st.integers(0, 10**7).map(lambda c: Decimal(c) / 100)))
        contacts = draw(st.lists(st.sampled_from(PEOPLE), max_size=3, unique=True))
        opportunities.append(
            Opportunity(
                f"O{i}",
                amount,
                stamp(draw),
                date(2026, 3, draw(st.integers(1, 12))),
                won=status == "won",
                closed=status != "open",
                contacts=tuple(contacts),
                primary_contact=draw(st.sampled_from([None, *PEOPLE])),
                converted_lead=draw(st.sampled_from([None, "L1", "L2"])),
            )
        )
    return World(sessions, calls, people, opportunities)


AS_OF = st.integers(1, 12).map(lambda d: date(2026, 3, d))


@functools.cache
def connection() -> duckdb.DuckDBPyConnection:
    """One connection for every example (each example replaces its data)."""
    return queries.connect()


@SETTINGS
@given(world=worlds(), as_of=AS_OF, custom=weights())
def test_shares_sum_to_one_and_revenue_by_channel_to_the_amounts(
    world: World, as_of: date, custom: str
) -> None:
    con = attribute(world, as_of=as_of, weights=custom, con=connection())
    for scenario in ("calls", "no_calls"):
        missing = unattributed(con, scenario)
        for opp, by_model in shares(con, scenario).items():
            for model, values in by_model.items():
                if (model, opp) in missing:
                    assert all(v is None for v in values.values())
                    continue
                assert all(v is not None and v >= 0 for v in values.values())
                # exactly 1: the cut shares' lost units go to the largest remainders
                total = sum(Fraction(v) for v in values.values() if v is not None)
                assert total == 1, (scenario, opp, model, total)
    status = dict(con.execute("SELECT opportunity_id, status FROM att_opportunities").fetchall())
    missing = unattributed(con)
    with tempfile.TemporaryDirectory() as folder:
        out = attribution.write_outputs(con, Path(folder), "csv")[0]["revenue_by_channel"]
        with out.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    for model in attribution.MODELS:
        mine = [r for r in rows if r["model"] == model]
        attributed = [o for o in world.opportunities if (model, o.opportunity_id) not in missing]
        for column, wanted in (("won_revenue", "won"), ("pipeline", "open")):
            got = sum((Fraction(r[column]) for r in mine), Fraction(0))
            expected = sum(
                (Fraction(o.amount or 0) for o in attributed if status[o.opportunity_id] == wanted),
                Fraction(0),
            )
            assert got == expected, (model, column)


@SETTINGS
@given(world=worlds(), as_of=AS_OF, custom=weights())
def test_sql_agrees_with_the_plain_python_reference(world: World, as_of: date, custom: str) -> None:
    con = attribute(world, as_of=as_of, weights=custom, con=connection())
    for scenario, with_calls in (("calls", True), ("no_calls", False)):
        ref = reference(world, as_of, custom, with_calls=with_calls)
        journeys = positions(con, scenario)
        assert {o: j for o, j in ref.journeys.items() if j} == journeys, scenario
        assert unattributed(con, scenario) == ref.unattributed, scenario
        got = shares(con, scenario)
        for opp, by_model in ref.shares.items():
            for model, values in by_model.items():
                for tp, share in values.items():
                    sql = got[opp][model][tp]
                    assert sql is not None
                    assert abs(Fraction(sql) - share) <= TOLERANCE, (scenario, opp, model, tp)


def _sample_outputs(folder: Path, threads: int) -> dict[str, bytes]:
    con = queries.connect(threads=threads)
    try:
        attribution.prepare_files(
            con,
            str(SAMPLE / "tasks.csv"),
            str(SAMPLE / "sessions.csv"),
            {
                "opportunities": str(SAMPLE / "opportunities.csv"),
                "contact_roles": str(SAMPLE / "contact_roles.csv"),
                "people": str(SAMPLE / "people.csv"),
            },
            RunSettings(),
        )
        attribution.build(
            con,
            attribution.AttributionSettings(
                date(2026, 3, 31), attribution.parse_weights("ft=.2,lc=.2,oc=.2,cw=.3,middle=.1")
            ),
        )
        written, _ = attribution.write_outputs(con, folder, "csv")
    finally:
        con.close()
    return {name: path.read_bytes() for name, path in written.items()}


def test_outputs_do_not_depend_on_the_thread_count(tmp_path: Path) -> None:
    one = _sample_outputs(tmp_path / "one", 1)
    four = _sample_outputs(tmp_path / "four", 4)
    assert one == four
    assert one["attribution"].count(b"\n") > 200

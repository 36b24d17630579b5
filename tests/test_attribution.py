"""Attribution rules (docs/attribution.md, A1-A12) on hand-made journeys, with exact expected
shares as Fractions (tolerance 1e-12). Each journey is also checked against the plain-Python
reference (tests/attribution_reference.py), so the reference is pinned by the same numbers."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction as F
from pathlib import Path

import pytest

from calltouch import attribution, queries
from calltouch.errors import UsageError
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

CUSTOM = "ft=.2,lc=.2,oc=.2,cw=.3,middle=.1"
AS_OF = date(2026, 3, 31)
TOLERANCE = F(1, 10**12)
MODELS = ("first_touch", "lead_creation", "u_shaped", "w_shaped", "full_path", "custom")


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second)


def check(
    world: World,
    opportunity: str,
    expected: dict[str, dict[str, F]],
    *,
    as_of: date = AS_OF,
    journey: list[tuple[str, set[str]]] | None = None,
) -> None:
    """The SQL and the reference both give exactly ``expected`` (model -> touchpoint -> share;
    touchpoints not named get 0), and the journey's positions when given."""
    con = attribute(world, as_of=as_of, weights=CUSTOM)
    got = shares(con)[opportunity]
    ref = reference(world, as_of, CUSTOM)
    try:
        if journey is not None:
            assert positions(con)[opportunity] == journey
            assert ref.journeys[opportunity] == journey
        for model, wanted in expected.items():
            tps = set(got[model])
            assert set(wanted) <= tps, model
            for tp in tps:
                share = wanted.get(tp, F(0))
                assert abs(F(got[model][tp]) - share) <= TOLERANCE, (model, tp, got[model][tp])
                assert ref.shares[opportunity][model][tp] == share, (model, tp)
    finally:
        con.close()


def every_model(tp: str) -> dict[str, dict[str, F]]:
    return {m: {tp: F(1)} for m in MODELS}


# ----------------------------------------------------------------------------- the six models


def test_a7_single_touch_gets_everything_under_every_model() -> None:
    world = World(
        calls=[Call("T1", "P1", "c1", at(2, 10))],
        opportunities=[
            Opportunity("O1", Decimal("1000"), at(3), date(2026, 3, 5), won=True, contacts=("P1",))
        ],
    )
    check(world, "O1", every_model("TP_T1"), journey=[("TP_T1", {"FT", "LC", "OC", "CW"})])


def test_a9_single_plain_visit_lead_creation_is_unattributed() -> None:
    world = World(
        sessions=[Session("S1", "c1", at(2, 9))],
        people=[Person("P1", "c1")],
        opportunities=[
            Opportunity("O1", Decimal("1000"), at(3), date(2026, 3, 5), won=True, contacts=("P1",))
        ],
    )
    # FT, OC and CW on the visit; no form or call, so no LC (and no middle touch)
    expected = {m: {"WV_S1": F(1)} for m in MODELS if m != "lead_creation"}
    check(world, "O1", expected, journey=[("WV_S1", {"FT", "OC", "CW"})])
    con = attribute(world, weights=CUSTOM)
    assert unattributed(con) == {("lead_creation", "O1")}
    reason = con.execute("SELECT reason FROM att_unattributed WHERE scenario = 'calls'").fetchone()
    assert reason == ("no_model_positions",)


def ft_equals_lc() -> World:
    return World(
        sessions=[
            Session("S2", "c1", at(4, 10), "Email", None, has_form=True),
            Session("S3", "c1", at(6, 10), "Display", "GDN"),
        ],
        calls=[
            Call("T1", "P1", "c1", at(2, 10)),
            Call("T3", "P1", "c1", at(6, 10, 5), session="S3"),
            Call("T4", "P1", "c1", at(8, 10)),
        ],
        opportunities=[
            Opportunity("O1", Decimal("1000"), at(7), date(2026, 3, 9), won=True, contacts=("P1",))
        ],
    )


def test_a7_ft_equals_lc() -> None:
    check(
        ft_equals_lc(),
        "O1",
        {
            "first_touch": {"TP_T1": F(1)},
            "lead_creation": {"TP_T1": F(1)},
            "u_shaped": {"TP_T1": F(1)},
            # FT + LC on T1; OC on T3; the CW-only T4 is a W-Shaped middle touch with the form
            "w_shaped": {
                "TP_T1": F(6, 10),
                "TP_T3": F(3, 10),
                "WF_S2": F(1, 20),
                "TP_T4": F(1, 20),
            },
            "full_path": {
                "TP_T1": F(45, 100),
                "TP_T3": F(9, 40),
                "TP_T4": F(9, 40),
                "WF_S2": F(1, 10),
            },
            "custom": {"TP_T1": F(4, 10), "TP_T3": F(2, 10), "TP_T4": F(3, 10), "WF_S2": F(1, 10)},
        },
        journey=[
            ("TP_T1", {"FT", "LC"}),
            ("WF_S2", {"PostLC", "middle"}),
            ("TP_T3", {"PostLC", "OC"}),
            ("TP_T4", {"PostLC", "CW"}),
        ],
    )


def test_a8_no_oc_the_missing_position_goes_to_the_present_ones() -> None:
    world = World(
        sessions=[
            Session("S1", "c1", at(5, 10)),
            Session("S2", "c1", at(6, 10), "Email", None, has_form=True),
        ],
        calls=[Call("T1", "P1", "c1", at(7, 10))],
        opportunities=[
            # created before any touchpoint: no OC
            Opportunity("O1", Decimal("900"), at(1), date(2026, 3, 10), won=True, contacts=("P1",))
        ],
    )
    check(
        world,
        "O1",
        {
            "first_touch": {"WV_S1": F(1)},
            "lead_creation": {"WF_S2": F(1)},
            "u_shaped": {"WV_S1": F(1, 2), "WF_S2": F(1, 2)},
            # OC's .3 split over FT and LC; the CW-only call is W-Shaped's middle touch
            "w_shaped": {"WV_S1": F(45, 100), "WF_S2": F(45, 100), "TP_T1": F(1, 10)},
            # OC's .225 and the middle .1 (no middle touch) split over FT, LC, CW
            "full_path": {"WV_S1": F(1, 3), "WF_S2": F(1, 3), "TP_T1": F(1, 3)},
            "custom": {"WV_S1": F(3, 10), "WF_S2": F(3, 10), "TP_T1": F(4, 10)},
        },
        journey=[("WV_S1", {"FT"}), ("WF_S2", {"LC"}), ("TP_T1", {"PostLC", "CW"})],
    )


@pytest.mark.parametrize(("weights", "status"), [("middle=1", "won"), ("cw=.5,middle=.5", "open")])
def test_a8_a_model_weighing_no_position_present_gives_its_middle_touches_all(
    weights: str, status: str
) -> None:
    # the custom model weighs none of the positions this journey has (no FT weight; CW,
    # which an open opportunity lacks): its middle touches, the form and the call, share
    # everything; the plain first visit earns 0. It had left the opportunity unattributed.
    world = World(
        sessions=[
            Session("S1", "c1", at(2, 10)),
            Session("S2", "c1", at(3, 10), "Email", None, has_form=True),
        ],
        calls=[Call("T1", "P1", "c1", at(4, 10))],
        opportunities=[
            Opportunity(
                "O1",
                Decimal("900"),
                at(5),
                date(2026, 4 if status == "open" else 3, 30 if status == "open" else 10),
                won=status == "won",
                closed=status == "won",
                contacts=("P1",),
            )
        ],
    )
    con = attribute(world, weights=weights)
    try:
        got = shares(con)["O1"]["custom"]
        assert got == {"WV_S1": Decimal(0), "WF_S2": Decimal("0.5"), "TP_T1": Decimal("0.5")}
        unattributed = con.execute(
            "SELECT count(*) FROM att_unattributed WHERE model = 'custom' AND scenario = 'calls'"
        ).fetchone()
        assert unattributed == (0,)
    finally:
        con.close()
    ref = reference(world, AS_OF, weights)
    assert ref.shares["O1"]["custom"] == {"WV_S1": F(0), "WF_S2": F(1, 2), "TP_T1": F(1, 2)}


def open_world() -> World:
    return World(
        sessions=[
            Session("S1", "c1", at(2, 10)),
            Session("S2", "c1", at(10, 23, 50), "Paid Social", "LinkedIn"),
        ],
        calls=[
            Call("T1", "P1", "c1", at(10, 23, 59, 59), session="S2"),
            Call("T2", "P1", "c1", datetime(2026, 3, 11, 0, 0, 0)),
        ],
        opportunities=[
            Opportunity("O1", Decimal("3000"), at(5), date(2026, 4, 30), contacts=("P1",))
        ],
    )


def test_a5_open_opportunity_is_judged_as_of_a_utc_day() -> None:
    # as of Mar 10: the call at 23:59:59 that day is in, the one at 00:00 on Mar 11 is not;
    # an open opportunity has no CW, so its share goes to FT, LC and OC
    check(
        open_world(),
        "O1",
        {
            "first_touch": {"WV_S1": F(1)},
            "lead_creation": {"TP_T1": F(1)},
            "u_shaped": {"WV_S1": F(1, 2), "TP_T1": F(1, 2)},
            "w_shaped": {"WV_S1": F(2, 3), "TP_T1": F(1, 3)},
            "full_path": {"WV_S1": F(2, 3), "TP_T1": F(1, 3)},
            "custom": {"WV_S1": F(2, 3), "TP_T1": F(1, 3)},
        },
        as_of=date(2026, 3, 10),
        journey=[("WV_S1", {"FT", "OC"}), ("TP_T1", {"LC"})],
    )
    later = attribute(open_world(), as_of=date(2026, 3, 11))
    assert [tp for tp, _ in positions(later)["O1"]] == ["WV_S1", "TP_T1", "TP_T2"]


def lost_world() -> World:
    return World(
        sessions=[
            Session("S1", "c1", at(2, 10)),
            Session("S2", "c1", at(4, 10), "Email", None, has_form=True),
        ],
        calls=[Call("T1", "P1", "c1", at(3, 10)), Call("T2", "P1", "c1", at(9, 10))],
        opportunities=[
            Opportunity(
                "O1", Decimal("5000"), at(4), date(2026, 3, 8), closed=True, contacts=("P1",)
            )
        ],
    )


def test_a8_lost_opportunity_has_no_cw_and_earns_no_revenue() -> None:
    check(
        lost_world(),
        "O1",
        {
            "first_touch": {"WV_S1": F(1)},
            "lead_creation": {"TP_T1": F(1)},
            "u_shaped": {"WV_S1": F(1, 2), "TP_T1": F(1, 2)},
            "w_shaped": {"WV_S1": F(1, 3), "TP_T1": F(1, 3), "WF_S2": F(1, 3)},
            "full_path": {"WV_S1": F(1, 3), "TP_T1": F(1, 3), "WF_S2": F(1, 3)},
            "custom": {"WV_S1": F(1, 3), "TP_T1": F(1, 3), "WF_S2": F(1, 3)},
        },
        journey=[("WV_S1", {"FT"}), ("TP_T1", {"LC"}), ("WF_S2", {"PostLC", "OC"})],
    )
    con = attribute(lost_world())
    rows = con.execute(
        "SELECT sum(won_revenue), sum(pipeline), count(DISTINCT opportunity_id) FROM att_credit "
        "WHERE scenario = 'calls' AND model = 'w_shaped' AND share > 0"
    ).fetchone()
    assert rows == (0, 0, 1)  # counted, no revenue


def several_contacts() -> World:
    return World(
        sessions=[
            Session("S1", "c2", at(2, 10), "Organic Search", "Google"),
            Session("S2", "c2", at(5, 10), "Email", None, has_form=True),
        ],
        calls=[
            Call("T1", "P1", "c1", at(3, 10)),
            Call("T3", "L3", "c3", at(6, 10)),  # a lead's call: the lead converted to P2
        ],
        people=[
            Person("P1", "c2"),  # P1 also browsed on P2's cookie: the shared session counts once
            Person("P2", "c2"),
            Person("L3", "c3", converted_to="P2"),
        ],
        opportunities=[
            Opportunity(
                "O1", Decimal("2000"), at(5), date(2026, 3, 7), won=True, contacts=("P1", "P2")
            )
        ],
    )


def test_a5_several_contacts_share_one_journey() -> None:
    check(
        several_contacts(),
        "O1",
        {
            "first_touch": {"WV_S1": F(1)},
            "lead_creation": {"TP_T1": F(1)},
            "u_shaped": {"WV_S1": F(1, 2), "TP_T1": F(1, 2)},
            "w_shaped": {
                "WV_S1": F(3, 10),
                "TP_T1": F(3, 10),
                "WF_S2": F(3, 10),
                "TP_T3": F(1, 10),
            },
            "full_path": {"WV_S1": F(1, 4), "TP_T1": F(1, 4), "WF_S2": F(1, 4), "TP_T3": F(1, 4)},
            "custom": {"WV_S1": F(9, 40), "TP_T1": F(9, 40), "WF_S2": F(9, 40), "TP_T3": F(13, 40)},
        },
        journey=[
            ("WV_S1", {"FT"}),
            ("TP_T1", {"LC"}),
            ("WF_S2", {"PostLC", "OC"}),
            ("TP_T3", {"PostLC", "CW"}),
        ],
    )
    con = attribute(several_contacts())
    people = con.execute(
        "SELECT touchpoint_id, person_id FROM att_journeys WHERE scenario = 'calls' ORDER BY seq"
    ).fetchall()
    assert people == [("WV_S1", "P1"), ("TP_T1", "P1"), ("WF_S2", "P1"), ("TP_T3", "P2")]


def ties() -> World:
    return World(
        sessions=[Session("S1", "c1", at(3, 10), "Email", None, has_form=True)],
        calls=[
            Call("T9", "P1", "c1", at(3, 10)),  # same instant as the form: TP_T9 < WF_S1
            Call("TB", "P1", "c1", at(3, 11)),
            Call("TA", "P1", "c1", at(3, 11)),  # same instant as TB: TP_TA first
        ],
        opportunities=[
            Opportunity("O1", Decimal("100"), at(4), date(2026, 3, 5), won=True, contacts=("P1",))
        ],
    )


def test_a5_ties_are_ordered_by_touchpoint_id() -> None:
    check(
        ties(),
        "O1",
        {
            "first_touch": {"TP_T9": F(1)},
            "lead_creation": {"TP_T9": F(1)},
            "u_shaped": {"TP_T9": F(1)},
            "w_shaped": {
                "TP_T9": F(6, 10),
                "TP_TB": F(3, 10),
                "WF_S1": F(1, 20),
                "TP_TA": F(1, 20),
            },
            "full_path": {
                "TP_T9": F(9, 20),
                "TP_TB": F(9, 20),
                "WF_S1": F(1, 20),
                "TP_TA": F(1, 20),
            },
            "custom": {"TP_T9": F(4, 10), "TP_TB": F(5, 10), "WF_S1": F(1, 20), "TP_TA": F(1, 20)},
        },
        journey=[
            ("TP_T9", {"FT", "LC"}),
            ("WF_S1", {"PostLC", "middle"}),
            ("TP_TA", {"PostLC", "middle"}),
            ("TP_TB", {"PostLC", "OC", "CW"}),
        ],
    )


# ----------------------------------------------------------------------------- people (A1-A4)


def test_a1_a_converted_lead_is_its_contact() -> None:
    world = World(
        calls=[Call("T1", "L1", "c1", at(2, 10))],
        people=[Person("L1", "c1", converted_to="C1"), Person("C1", None)],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(3), date(2026, 3, 4), won=True, contacts=("C1",))
        ],
    )
    con = attribute(world)
    assert positions(con)["O1"] == [("TP_T1", {"FT", "LC", "OC", "CW"})]
    person = con.execute("SELECT DISTINCT person_id FROM att_touchpoints").fetchall()
    assert person == [("C1",)]


def test_a2_cookies_come_from_tasks_and_the_people_export() -> None:
    world = World(
        sessions=[
            Session("S1", "web", at(2, 10), has_form=True),  # a cookie only People knows
            Session("S2", "c1", at(3, 10)),
        ],
        calls=[Call("T1", "P1", "c1", at(4, 10))],
        people=[Person("P1", "web")],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(5), date(2026, 3, 6), won=True, contacts=("P1",))
        ],
    )
    con = attribute(world)
    # S1 (a form) is the earliest session, so no Web Visit; S2 is neither form nor first
    assert [tp for tp, _ in positions(con)["O1"]] == ["WF_S1", "TP_T1"]


def test_a3_a_session_holding_a_merged_call_is_the_call_not_a_form() -> None:
    world = World(
        sessions=[Session("S1", "c1", at(2, 10), has_form=True)],
        calls=[Call("T1", "P1", "c1", at(2, 10, 5), session="S1")],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(5), date(2026, 3, 6), won=True, contacts=("P1",))
        ],
    )
    con = attribute(world)
    assert [tp for tp, _ in positions(con)["O1"]] == ["TP_T1"]
    assert [tp for tp, _ in positions(con, "no_calls")["O1"]] == ["WF_S1"]  # calls invisible


def test_a3_a_form_session_holding_a_call_after_the_close_is_no_touchpoint() -> None:
    # "a Web Form ... unless that session already holds a merged call touchpoint": the session
    # is the call, dated at the call, which the close date cuts; the form stayed and took all
    world = World(
        sessions=[
            Session("S1", "c1", at(10, 23, 50), has_form=True),
            Session("S0", "c1", at(2, 9)),
        ],
        calls=[Call("T1", "P1", "c1", at(11, 0, 5), session="S1")],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(1), date(2026, 3, 10), won=True, contacts=("P1",)),
            Opportunity("O2", Decimal("10"), at(1), date(2026, 3, 12), won=True, contacts=("P1",)),
        ],
    )
    con = attribute(world)
    journeys = positions(con)
    assert [tp for tp, _ in journeys["O1"]] == ["WV_S0"]
    assert [tp for tp, _ in journeys["O2"]] == ["WV_S0", "TP_T1"]
    assert [tp for tp, _ in positions(con, "no_calls")["O1"]] == ["WV_S0", "WF_S1"]
    ref = reference(world, AS_OF)
    assert [tp for tp, _ in ref.journeys["O1"]] == ["WV_S0"]


def test_a3_a_call_of_no_one_leaves_the_persons_form_and_first_visit_theirs() -> None:
    # calls without a WhoId merged into a known person's sessions: they are in no journey,
    # so the sessions' form and first visit stay the person's (the calls had erased them,
    # leaving the person's own later call with every position)
    world = World(
        sessions=[
            Session("S70", "c7", at(2, 10)),
            Session("S71", "c7", at(3, 10), has_form=True),
        ],
        calls=[
            Call("T1", None, "c7", at(2, 10, 5), session="S70"),
            Call("T2", None, "c7", at(3, 10, 5), session="S71"),
            Call("T3", "C7", "c7", at(4, 10)),
        ],
        people=[Person("C7", "c7")],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(5), date(2026, 3, 6), won=True, contacts=("C7",))
        ],
    )
    con = attribute(world)
    assert [tp for tp, _ in positions(con)["O1"]] == ["WV_S70", "WF_S71", "TP_T3"]


def shared_cookie(*opportunities: Opportunity) -> World:
    """Two people on one cookie c1: PA, whose call T1 merged with the form session S1, and
    PB, known from the people export."""
    return World(
        sessions=[Session("S1", "c1", at(2, 10), has_form=True)],
        calls=[Call("T1", "PA", "c1", at(2, 10, 5), session="S1")],
        people=[Person("PB", "c1")],
        opportunities=list(opportunities),
    )


def test_a3_a_session_holding_one_persons_call_is_that_call_for_the_cookies_other_person() -> None:
    # two contacts share a cookie; its form session merged with A's call: the opportunity of
    # both has one touchpoint for the session, the call, not B's form beside it
    world = shared_cookie(
        Opportunity("O1", Decimal("10"), at(5), date(2026, 3, 6), won=True, contacts=("PA", "PB"))
    )
    con = attribute(world)
    assert [tp for tp, _ in positions(con)["O1"]] == ["TP_T1"]


def test_a3_a_journey_without_the_call_keeps_the_form_of_its_session() -> None:
    # the cookie's other person has an opportunity of their own: its journey holds no call
    # in that session, so the session is their Web Form (it had no touchpoint at all)
    world = shared_cookie(
        Opportunity("O1", Decimal("10"), at(5), date(2026, 3, 6), won=True, contacts=("PA",)),
        Opportunity("O2", Decimal("20"), at(5), date(2026, 3, 6), won=True, contacts=("PB",)),
    )
    con = attribute(world)
    journeys = positions(con)
    assert [tp for tp, _ in journeys["O1"]] == ["TP_T1"]
    assert [tp for tp, _ in journeys["O2"]] == ["WF_S1"]
    ref = reference(world, AS_OF)
    assert [tp for tp, _ in ref.journeys["O2"]] == ["WF_S1"]


def test_a3_a_persons_path_shows_one_touchpoint_per_session_too() -> None:
    # `calltouch journey PERSON`: the form session merged with the person's own call is the
    # call, as in an opportunity's journey; the cookie's other person keeps the form
    world = shared_cookie()
    con = attribute(world)
    try:
        paths = {
            who: [row[1] for row in queries.run(con, "journey_person", {"person_id": who})
                  .fetchall()]
            for who in ("PA", "PB")
        }  # fmt: skip
    finally:
        con.close()
    assert paths == {"PA": ["TP_T1"], "PB": ["WF_S1"]}


def test_a3_web_visit_only_for_the_earliest_session_holding_nothing_else() -> None:
    world = World(
        sessions=[
            Session("S1", "c1", at(2, 10)),  # earliest, merged with a call: no Web Visit
            Session("S2", "c1", at(3, 10)),  # a plain later visit: no touchpoint at all
            Session("S3", "c2", at(1, 10)),
            Session("S4", "c2", at(1, 11), has_form=True),
        ],
        calls=[Call("T1", "P1", "c1", at(2, 10, 5), session="S1")],
        people=[Person("P2", "c2")],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(5), date(2026, 3, 6), won=True, contacts=("P1",)),
            Opportunity("O2", Decimal("10"), at(5), date(2026, 3, 6), won=True, contacts=("P2",)),
        ],
    )
    con = attribute(world)
    journeys = positions(con)
    assert [tp for tp, _ in journeys["O1"]] == ["TP_T1"]
    assert [tp for tp, _ in journeys["O2"]] == ["WV_S3", "WF_S4"]
    assert [tp for tp, _ in positions(con, "no_calls")["O1"]] == ["WV_S1"]


def test_a4_without_contact_roles_the_primary_contact_and_converted_lead_link_people() -> None:
    world = World(
        calls=[Call("T1", "P1", "c1", at(2, 10)), Call("T2", "L2", "c2", at(3, 10))],
        people=[Person("L2", "c2", converted_to="P2")],
        opportunities=[
            Opportunity(
                "O1",
                Decimal("10"),
                at(5),
                date(2026, 3, 6),
                won=True,
                primary_contact="P1",
                converted_lead="L2",
            ),
            # with a contact role, the columns are not used
            Opportunity(
                "O2",
                Decimal("10"),
                at(5),
                date(2026, 3, 6),
                won=True,
                contacts=("P2",),
                primary_contact="P1",
            ),
        ],
    )
    con = attribute(world)
    journeys = positions(con)
    assert [tp for tp, _ in journeys["O1"]] == ["TP_T1", "TP_T2"]
    assert [tp for tp, _ in journeys["O2"]] == ["TP_T2"]


# ----------------------------------------------------------------------------- journeys (A5-A6)


def test_a5_closed_journeys_end_on_the_close_date_as_a_utc_day() -> None:
    world = World(
        calls=[
            Call("T1", "P1", "c1", at(6, 23, 59, 59)),
            Call("T2", "P1", "c1", datetime(2026, 3, 7, 0, 0, 0)),
        ],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(2), date(2026, 3, 6), won=True, contacts=("P1",))
        ],
    )
    assert [tp for tp, _ in positions(attribute(world))["O1"]] == ["TP_T1"]


def test_a6_oc_is_the_latest_touchpoint_at_or_before_creation() -> None:
    world = World(
        calls=[
            Call("T1", "P1", "c1", at(2, 10)),
            Call("T2", "P1", "c1", at(3, 12, 0, 0)),  # exactly at creation: OC
            Call("T3", "P1", "c1", at(3, 12, 0, 1)),  # a second later: not OC
        ],
        opportunities=[
            Opportunity(
                "O1", Decimal("10"), at(3, 12), date(2026, 3, 6), closed=True, contacts=("P1",)
            )
        ],
    )
    journey = positions(attribute(world))["O1"]
    assert journey == [
        ("TP_T1", {"FT", "LC"}),
        ("TP_T2", {"PostLC", "OC"}),
        ("TP_T3", {"PostLC", "middle"}),  # lost: no CW
    ]


def test_a7_a_web_visit_is_never_a_middle_touch() -> None:
    world = World(
        sessions=[Session("S9", "c2", at(3, 10))],  # P2's first visit, inside P1's journey
        calls=[Call("T1", "P1", "c1", at(2, 10)), Call("T2", "P1", "c1", at(4, 10))],
        people=[Person("P2", "c2")],
        opportunities=[
            Opportunity(
                "O1", Decimal("10"), at(5), date(2026, 3, 6), closed=True, contacts=("P1", "P2")
            )
        ],
    )
    check(
        world,
        "O1",
        {
            "w_shaped": {"TP_T1": F(6, 10) + F(1, 15), "TP_T2": F(3, 10) + F(1, 30)},
            "full_path": {"TP_T1": F(45, 100) + F(325, 1500), "TP_T2": F(9, 40) + F(325, 3000)},
        },
        journey=[("TP_T1", {"FT", "LC"}), ("WV_S9", set()), ("TP_T2", {"PostLC", "OC"})],
    )


# ------------------------------------------------------------------------ unattributed, revenue


def test_a9_unattributed_opportunities_say_why_under_each_model() -> None:
    world = World(
        calls=[Call("T1", "P1", "c1", at(9, 10))],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(2), date(2026, 3, 4)),  # no contacts
            # its contact's only call comes after the close date
            Opportunity(
                "O2", Decimal("10"), at(2), date(2026, 3, 4), closed=True, contacts=("P1",)
            ),
        ],
    )
    con = attribute(world, weights=CUSTOM)
    rows = con.execute(
        "SELECT model, opportunity_id, reason FROM att_unattributed WHERE scenario = 'calls' "
        "ORDER BY model_order, opportunity_id"
    ).fetchall()
    assert rows == [
        (model, opp, reason)
        for model in MODELS
        for opp, reason in (("O1", "no_contacts"), ("O2", "no_touchpoints"))
    ]


def test_a10_revenue_is_amount_times_share_won_and_pipeline() -> None:
    world = World(
        calls=[Call("T1", "P1", "c1", at(2, 10)), Call("T2", "P2", "c2", at(2, 11))],
        sessions=[Session("S2", "c2", at(2, 10, 50), "Email", None)],
        opportunities=[
            Opportunity(
                "O1", Decimal("1000.10"), at(3), date(2026, 3, 4), won=True, contacts=("P1",)
            ),
            Opportunity("O2", Decimal("333.33"), at(3), date(2026, 4, 4), contacts=("P2",)),
            Opportunity("O3", None, at(3), date(2026, 3, 4), won=True, contacts=("P2",)),
        ],
    )
    con = attribute(world)
    rows = con.execute(
        "SELECT channel, sum(won_revenue), sum(pipeline), count(DISTINCT opportunity_id) "
        "FROM att_credit WHERE scenario = 'calls' AND model = 'u_shaped' AND share > 0 "
        "GROUP BY channel ORDER BY channel"
    ).fetchall()
    # O1: one call (Other). O2 (open) and O3: P2's first visit (FT, Email) then the call (LC,
    # Other), half each; O3 has no amount: attributed and counted, with no revenue
    assert rows == [
        ("Email", Decimal("0"), Decimal("166.665"), 2),
        ("Other", Decimal("1000.10"), Decimal("166.665"), 3),
    ]


def test_a13_shares_sum_to_exactly_one_the_cut_units_going_to_the_largest_remainders() -> None:
    """Three equal thirds, written to 18 decimals, summed to 0.999999999999999999 and the
    revenue to a unit short of the amount: the unit the cuts lost goes to the largest
    remainder (a tie: the earliest touchpoint); every share stays within 1e-18 of 1/3."""
    world = World(
        calls=[Call(f"T{i}", "P1", f"c{i}", at(2, 9 + i)) for i in range(3)],
        opportunities=[
            Opportunity("O1", Decimal("0.01"), at(3), date(2026, 3, 4), won=True, contacts=("P1",))
        ],
    )
    con = attribute(world, weights="middle=1")
    rows = con.execute(
        "SELECT touchpoint_id, share, won_revenue FROM att_credit "
        "WHERE scenario = 'calls' AND model = 'custom' ORDER BY touchpoint_id"
    ).fetchall()
    third = Decimal("0.333333333333333333")
    assert [(tp, share) for tp, share, _ in rows] == [
        ("TP_T0", third + Decimal("1e-18")),
        ("TP_T1", third),
        ("TP_T2", third),
    ]
    assert sum(share for _, share, _ in rows) == 1
    assert sum(revenue for _, _, revenue in rows) == Decimal("0.01")
    # W-Shaped: FT .3, LC .3 (T0 holds both), OC .3 (T2); T1 the middle's .1
    (total,) = con.execute(
        "SELECT sum(share) FROM att_credit WHERE model = 'w_shaped' AND scenario = 'calls'"
    ).fetchone()
    assert total == 1


def test_a11_opportunities_are_kept_once_the_last_modified() -> None:
    world = World(
        calls=[Call("T1", "P1", "c1", at(2, 10))],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(3), date(2026, 3, 4), won=True, contacts=("P1",))
        ],
    )
    con = attribute(world)
    con.execute(
        "INSERT INTO opportunity_rows (_file_id, opportunity_id, amount, created_date, "
        "close_date, is_won, is_closed, stage, modstamp) VALUES "
        "(5, 'O1', 99, TIMESTAMP '2026-03-03 12:00', DATE '2026-04-30', NULL, NULL, "
        "'Proposal', TIMESTAMP '2026-03-01 00:00'),"
        "(5, 'O2', 5, TIMESTAMP '2026-03-03 12:00', DATE '2026-03-05', NULL, NULL, "
        "'Closed Won', NULL),"
        "(5, 'O3', 5, TIMESTAMP '2026-03-03 12:00', DATE '2026-03-05', NULL, NULL, "
        "'Closed Lost', NULL)"
    )
    attribution.build(con, attribution.AttributionSettings(AS_OF))
    got = con.execute(
        "SELECT opportunity_id, amount, status FROM att_opportunities ORDER BY 1"
    ).fetchall()
    # as R9: the copy with a modification time wins over the one without; without IsWon and
    # IsClosed, the stage says won ('Closed Won'), lost ('Closed ...') or open
    assert got == [
        ("O1", Decimal("99.00"), "open"),
        ("O2", Decimal("5.00"), "won"),
        ("O3", Decimal("5.00"), "lost"),
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("Closed Won", "won"),
        ("Closed - Won", "won"),  # these were lost: a stage starting with 'Closed', not won
        ("Closed/Won", "won"),
        ("closed  won", "won"),
        ("Closed Won - Renewal", "won"),
        ("6 - Closed Won", "won"),  # these were open
        ("Won", "won"),
        ("Lost", "lost"),
        ("Closed Lost", "lost"),
        ("Closed - Lost", "lost"),
        ("Negotiation/Review", "open"),
        (None, "open"),
        ("ClosedWon", "won"),
        ("Stage 6 - Closed Won", "won"),
        ("Closed Won't Renew", "lost"),  # not won: the word is wont
        ("Closed Won\u2019t Renew", "lost"),
        ("Closed Lost - Won back", "lost"),
        ("Won't close", "open"),
        ("Not Won", "lost"),  # was open: neither 'Closed' nor 'Lost'
        ("Closed Not Won", "lost"),
        ("Won/Closed", "won"),  # was lost: the word Closed
        ("Nothing Won Yet", "open"),
    ],
)
def test_a11_a_stage_is_read_by_its_words(stage: str | None, status: str) -> None:
    world = World(
        calls=[Call("T1", "P1", "c1", at(2, 10))],
        opportunities=[
            Opportunity("O1", Decimal("10"), at(3), date(2026, 3, 4), won=True, contacts=("P1",))
        ],
    )
    con = attribute(world)
    con.execute(
        "INSERT INTO opportunity_rows (_file_id, opportunity_id, amount, created_date, "
        "close_date, stage) VALUES (5, 'O9', 5, TIMESTAMP '2026-03-03 12:00', "
        "DATE '2026-03-05', ?)",
        [stage],
    )
    attribution.build(con, attribution.AttributionSettings(AS_OF))
    got = con.execute("SELECT status FROM att_opportunities WHERE opportunity_id = 'O9'")
    assert got.fetchall() == [(status,)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ft=.5,lc=.4", "sum to 0.9, not 1"),
        ("ft=.5,lc=.5,ft=0", "names ft twice"),
        ("ft=1.5,lc=-.5", "is not between 0 and 1"),
        ("ft=.5,xx=.5", "is not POSITION=WEIGHT"),
        ("ft=half,lc=.5", "'half' is not a number"),
        ("ft=.1234567891,lc=.8765432109", "more than nine decimals"),
        ("", "--weights is empty"),
    ],
)
def test_a12_custom_weights_are_validated(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        attribution.parse_weights(text)


def test_a12_custom_weights_parse_and_missing_positions_weigh_nothing() -> None:
    weights = attribution.parse_weights(" FT=0.25, cw=.75 ")
    assert weights.describe() == "ft=0.25,lc=0,oc=0,cw=0.75,middle=0"
    assert weights.units() == [250_000_000, 0, 0, 750_000_000, 0]


def test_as_of_and_model_names() -> None:
    assert attribution.parse_as_of("2026-03-31") == date(2026, 3, 31)
    assert attribution.parse_as_of(None, today=date(2026, 1, 2)) == date(2026, 1, 2)
    with pytest.raises(UsageError, match="is not a date"):
        attribution.parse_as_of("31/03/2026")
    assert attribution.model_key("W-Shaped") == "w_shaped"
    with pytest.raises(UsageError, match="not an attribution model"):
        attribution.model_key("linear")


def test_every_rule_in_the_docs_names_tests_that_exist() -> None:
    root = Path(__file__).resolve().parent
    docs = (root.parent / "docs" / "attribution.md").read_text(encoding="utf-8")
    rules = re.findall(r"\*\*(A\d+) — .*?\*Tests:\*(.*?)(?=\*\*A\d+ —|\n## )", docs, flags=re.S)
    assert [r[0] for r in rules] == [f"A{n}" for n in range(1, 15)]
    sources = "".join(p.read_text(encoding="utf-8") for p in root.glob("test_attribution*.py"))
    for rule, text in rules:
        names = re.findall(r"`(test_\w+)`", text)
        assert names, rule
        for name in names:
            assert f"def {name}(" in sources, (rule, name)

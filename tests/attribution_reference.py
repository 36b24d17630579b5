"""A plain-Python reference of the attribution rules (docs/attribution.md), with exact Fractions.

Written from the rules, not from the SQL: persons and their cookies, each person's touchpoints
(calls, Web Forms, the Web Visit first touch), journeys, positions, the six models with missing
positions redistributed, unattributed opportunities and revenue. The property tests compare it
with the SQL on random worlds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from tests.attribution_harness import World

MODEL_WEIGHTS: dict[str, dict[str, Fraction]] = {
    "first_touch": {"FT": Fraction(1)},
    "lead_creation": {"LC": Fraction(1)},
    "u_shaped": {"FT": Fraction(1, 2), "LC": Fraction(1, 2)},
    "w_shaped": {
        "FT": Fraction(3, 10),
        "LC": Fraction(3, 10),
        "OC": Fraction(3, 10),
        "middle": Fraction(1, 10),
    },
    "full_path": {
        "FT": Fraction(9, 40),
        "LC": Fraction(9, 40),
        "OC": Fraction(9, 40),
        "CW": Fraction(9, 40),
        "middle": Fraction(1, 10),
    },
}
POSITIONS = ("FT", "LC", "OC", "CW")


@dataclass(frozen=True)
class Touch:
    touchpoint_id: str
    person: str
    kind: str  # call, form, visit
    when: datetime
    channel: str | None
    session: str | None = None  # the session a form or visit is, a merged call merged with


@dataclass
class Result:
    journeys: dict[str, list[tuple[str, set[str]]]]  # opportunity -> [(tp, positions)]
    shares: dict[str, dict[str, dict[str, Fraction]]]  # opportunity -> model -> tp -> share
    unattributed: set[tuple[str, str]]  # (model, opportunity)
    channels: dict[tuple[str, str | None], dict[str, Fraction]]  # (model, channel) -> revenue
    status: dict[str, str]


def custom_weights(text: str) -> dict[str, Fraction]:
    """``ft=.2,lc=.2,...`` as {position: Fraction}."""
    names = {"ft": "FT", "lc": "LC", "oc": "OC", "cw": "CW", "middle": "middle"}
    out = {}
    for item in text.split(","):
        key, _, value = item.partition("=")
        out[names[key.strip()]] = Fraction(value.strip())
    return out


def person_touches(world: World, with_calls: bool) -> dict[str, list[Touch]]:
    """Each person's touchpoints under the rules."""
    converted = {p.person_id: p.converted_to for p in world.people if p.converted_to}

    def who(x: str) -> str:
        return converted.get(x) or x

    cookies: dict[str, set[str]] = {}
    for c in world.calls:
        if c.who and c.cookie:
            cookies.setdefault(who(c.who), set()).add(c.cookie)
    for p in world.people:
        if p.cookie:
            cookies.setdefault(who(p.person_id), set()).add(p.cookie)
    out: dict[str, list[Touch]] = {}
    if with_calls:
        for c in world.calls:
            if c.who and c.cookie:
                s = world.session(c.session) if c.session else None
                channel = s.channel if s else "Other"
                out.setdefault(who(c.who), []).append(
                    Touch("TP_" + c.task_id, who(c.who), "call", c.time, channel, c.session)
                )
    for person, mine in cookies.items():
        sessions = [s for s in world.sessions if s.cookie in mine]
        for s in sessions:
            if s.has_form:
                out.setdefault(person, []).append(
                    Touch("WF_" + s.session_id, person, "form", s.start, s.channel, s.session_id)
                )
        if sessions:
            first = min(sessions, key=lambda s: (s.start, s.session_id))
            if not first.has_form:
                out.setdefault(person, []).append(
                    Touch(
                        "WV_" + first.session_id,
                        person,
                        "visit",
                        first.start,
                        first.channel,
                        first.session_id,
                    )
                )
    return out


def status_of(world: World) -> dict[str, str]:
    return {
        o.opportunity_id: "won" if o.won else "lost" if o.closed else "open"
        for o in world.opportunities
    }


def reference(
    world: World, as_of: date, weights: str | None = None, with_calls: bool = True
) -> Result:
    converted = {p.person_id: p.converted_to for p in world.people if p.converted_to}
    touches = person_touches(world, with_calls)
    models = dict(MODEL_WEIGHTS)
    if weights is not None:
        models["custom"] = custom_weights(weights)
    status = status_of(world)
    result = Result({}, {}, set(), {}, status)
    for o in world.opportunities:
        ids = list(o.contacts) or [x for x in (o.primary_contact, o.converted_lead) if x]
        contacts = {converted.get(x) or x for x in ids}
        cutoff = as_of if status[o.opportunity_id] == "open" else o.close
        theirs: dict[str, Touch] = {}
        for person in sorted(contacts):
            for t in touches.get(person, []):
                theirs.setdefault(t.touchpoint_id, t)
        # one touchpoint per session: a form or first visit gives way to a merged call of the
        # opportunity's contacts in its session (a call of no one's is no one's), also when
        # the call comes after the cutoff; then the journey is what the cutoff leaves
        calls_in = {t.session for t in theirs.values() if t.kind == "call" and t.session}
        path = sorted(
            (
                t
                for t in theirs.values()
                if t.when.date() <= cutoff and (t.kind == "call" or t.session not in calls_in)
            ),
            key=lambda t: (t.when, t.touchpoint_id),
        )
        held: dict[str, set[str]] = {t.touchpoint_id: set() for t in path}
        if path:
            held[path[0].touchpoint_id].add("FT")
            engaged = [t for t in path if t.kind in ("call", "form")]
            if engaged:
                held[engaged[0].touchpoint_id].add("LC")
                for t in engaged[1:]:
                    held[t.touchpoint_id].add("PostLC")
            before = [t for t in path if t.when <= o.created]
            if before:
                held[before[-1].touchpoint_id].add("OC")
            if status[o.opportunity_id] == "won":
                held[path[-1].touchpoint_id].add("CW")
            for t in engaged:
                if not held[t.touchpoint_id] & set(POSITIONS):
                    held[t.touchpoint_id].add("middle")
        result.journeys[o.opportunity_id] = [(t.touchpoint_id, held[t.touchpoint_id]) for t in path]
        present_all = set().union(*held.values()) if held else set()
        for model, w in models.items():
            mine = [p for p in POSITIONS if w.get(p, 0) > 0]
            present = [p for p in mine if p in present_all]
            middles = [
                t
                for t in path
                if t.kind in ("call", "form") and not (held[t.touchpoint_id] & set(mine))
            ]
            if not present and not (middles and w.get("middle", 0) > 0):
                result.unattributed.add((model, o.opportunity_id))
                continue
            share: dict[str, Fraction] = {}
            if not present:  # a middle weight and no position: the middle touches share all
                share = {t.touchpoint_id: Fraction(int(t in middles), len(middles)) for t in path}
            left = sum((w[p] for p in mine if p not in present), Fraction(0))
            if not middles:
                left += w.get("middle", Fraction(0))
            for t in path if present else ():
                value = Fraction(0)
                for p in present:
                    if p in held[t.touchpoint_id]:
                        value += w[p] + left / len(present)
                if t in middles:
                    value += w.get("middle", Fraction(0)) / len(middles)
                share[t.touchpoint_id] = value
            result.shares.setdefault(o.opportunity_id, {})[model] = share
            amount = Fraction(o.amount or 0)
            for t in path:
                key = (model, t.channel)
                bucket = result.channels.setdefault(
                    key, {"won": Fraction(0), "pipeline": Fraction(0)}
                )
                if status[o.opportunity_id] == "won":
                    bucket["won"] += amount * share[t.touchpoint_id]
                elif status[o.opportunity_id] == "open":
                    bucket["pipeline"] += amount * share[t.touchpoint_id]
    return result

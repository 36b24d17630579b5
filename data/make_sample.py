"""Make the calltouch sample data: ``tasks.csv``, ``sessions.csv`` and the revenue inputs.

Writes deterministic, realistic-looking exports into ``data/sample`` (or ``--out DIR``):

* ``tasks.csv``: Salesforce call Tasks as the Data Loader exports them (upper-case headers,
  every field quoted), written by a call-tracking vendor and carrying the visitor's Marketo
  Measure BizibleId in ``BIZIBLE2__BIZIBLEID__C``.
* ``sessions.csv``: a Marketo Measure data-warehouse ``BIZ_SESSIONS`` export (naive UTC times),
  with ``HAS_FORM`` (the visit filled a web form) as its last column.
* ``opportunities.csv``, ``contact_roles.csv``, ``people.csv`` (issue 6): Data Loader exports of
  Opportunity (one deal exported twice, an older open copy and the newer won one),
  OpportunityContactRole (some deals with two buyers, a few with none) and Leads and Contacts
  with their BizibleId and, for converted leads, ``CONVERTEDCONTACTID``. They and ``HAS_FORM``
  come from ``RevenueBuilder``'s own random stream (seed + 6), drawn after everything else, so
  the tasks and sessions (and the outputs of ``calltouch run``) do not change with them.

Run it from the repository root with::

    python data/make_sample.py                  # writes data/sample/*.csv
    python data/make_sample.py --out /tmp/x     # elsewhere
    python data/make_sample.py --seed 7         # another (still deterministic) data set

Only the standard library is used and only ``random.Random(seed)`` is consulted, never the
global generator nor the clock, so two runs with the same seed give byte-identical files.
The script checks its own deliberate cases against a small plain-Python reference of the
matching rules (SPEC.md sections 2-3) and prints one line per case plus the expected totals.
"""

# ------------------------------------------------------------------------------------------
# Deliberate cases (each on its own BizibleId so random data cannot interfere; times are UTC;
# "TP" = BIZIBLE2__BIZIBLE_TOUCHPOINT_DATE__C, the call time when non-blank, else CREATEDDATE)
#
# Worked examples of SPEC.md section 2, all on 2026-03-03:
#   WE1  session 12:17 (Paid Search.Google), call TP 12:40      -> merged, 23 min
#   WE2  session 12:17, call TP 13:05                            -> standalone outside_window (48)
#   WE3  session 12:17, call TP 12:47:00                         -> merged, exactly 30 min
#   WE4  sessions 12:17 and 12:50, call TP 13:05                 -> merged with the 12:50 one
#   WE5  session 12:17, call TP 12:10                            -> standalone only_later_sessions
#   WE6  no session at all, call TP 12:10                        -> standalone no_session_for_id
#   WE7  blank BizibleId, call TP 12:10                          -> unmatched no_bizible_id
# R1  blank / white-space-only BizibleId:
#   WS1-WS3  BizibleId "   ", " ", "  " (white space only)        -> unmatched no_bizible_id
#   plus ~7 % of the random tasks have an empty BizibleId        -> unmatched no_bizible_id
#   PAD1-PAD3  real id with leading/trailing spaces, session 15-25 min before -> merged (trim)
# R2  candidate = latest session at or before the call:
#   L1  sessions 03-04 09:00 (organic) and 14:30 (Bing), 03-09 10:00; call 14:42 -> merged 14:30
#   L2  sessions 03-05 16:00 (email) and 16:12 (Google); call 16:25   -> merged with 16:12 (13 min)
#   L3  sessions 03-19 11:00, 03-23 17:30 and 18:05; call 18:20       -> merged with 18:05
#   OL1 sessions 03-20 and 03-25 only; call 03-19                      -> only_later_sessions
#   CASE1 BizibleId = UPPER-CASE copy of a cookie with a session 10 min before the call
#         (cookie ids are case-sensitive)                              -> no_session_for_id
# R3  inclusive 30-minute window (the call time is the field the rules say it is):
#   B1  = WE3: TP exactly 30:00 after the session                    -> merged
#   B2  TP exactly 30:00 after (CreatedDate 33:29 after)             -> merged (TP wins)
#   B3  blank TP, CREATEDDATE exactly 30:00 after                     -> merged
#   B4, B5  TP exactly 30:01 after                                    -> outside_window
#   B6  blank TP, CREATEDDATE exactly 30:01 after                     -> outside_window
#   B7  TP 30:00.001 after (milliseconds)                             -> outside_window
#   P1  TP 28 min after, CREATEDDATE 33 min after                     -> merged (TP preferred)
#   P2  TP 5 min BEFORE the only session, CREATEDDATE 2 min after it  -> only_later_sessions
# R4  merged with blank TYPE (touchpoint_type 'Web Visit', medium from session):
#   T1-T3  blank TYPE, session 5-25 min before (T3 also blank TP)    -> merged
#   T4  blank TYPE, no session for the id                             -> standalone (CRM Activity)
# R5  standalone: WE2, B4-B7, O1 (call 2 h after its only session) -> outside_window;
#   WE5, OL1, P2 -> only_later_sessions; WE6, N1, CASE1, T4 -> no_session_for_id;
#   plus the random calls 40-180 min after a session, before the first session, or from
#   BizibleIds that never appear in sessions.csv.
# R6  one merged touchpoint per session:
#   M1  session 03-06 15:00; calls 15:05, 15:12:30                    -> 1 merged, 1 already used
#   M2  session 03-13 19:40; calls 19:43, 19:51, 20:08                -> 1 merged, 2 already used
#   M3  session 03-24 14:10; two calls both at 14:22:00 (tie): the smaller task id merges, the
#       other is session_already_used; the larger id is written first in the file
#   M4  session 03-26 17:00; call TP 17:08 (CreatedDate 17:12) and call with blank TP and
#       CreatedDate 17:10 -> the 17:08 call merges, the 17:10 one is session_already_used
# R7  same start, different session ids (the smaller id is the candidate):
#   D1  sessions s-...A < s-...B both 03-09 13:25:00, call 13:40      -> merged with the smaller
#   D2  same on 03-20 21:05:00, call 21:29                             -> merged with the smaller
#   D3  same on 03-27 10:00:00, no call (data only)
# R9  duplicates:
#   ten random task ids written twice; the copy with the later LASTMODIFIEDDATE has a
#   different SUBJECT (suffix " (notes added)") and must win. Two of them write their second
#   copy (later in the file) with the 15-character id: in one the 15-char copy is the newer
#   one, in the other the older one. Of the other eight, the winning copy comes first in the
#   file for four (so "last read" is not enough) and last for four.
#   ten paid sessions written twice: the older copy (earlier MODIFIED_DATE) has a blank
#   CAMPAIGN_NAME, the newer one has the campaign; six of them are merge targets of random
#   calls (so the campaign shows in the touchpoint), four are not called.
# Rejects: BAD1, BAD2 tasks with CREATEDDATE "not a date" / "2026-02-30T10:00:00.000Z" and a
#   blank TP; BADS1 a session with EVENT_DATE "2026-13-45 99:00:00".
# Spreadsheet formulas / markup in SUBJECT (exactly one each): FX1 '=HYPERLINK(...)' (merged),
#   FX2 '+1 (555) ...' (blank BizibleId, so it lands in unmatched.csv), FX3 '[bold]' (merged).
# ------------------------------------------------------------------------------------------

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20260302
WINDOW = timedelta(minutes=30)
FIRST_DAY = datetime(2026, 3, 2)  # Monday; first sessions fall on Mar 2 .. Mar 29
FIRST_DAYS = 28
MONTH_END = datetime(2026, 4, 1)
N_VISITORS = 1750
CALLER_SHARE = 0.30
N_PHANTOM = 55  # callers whose BizibleId never appears in sessions.csv

TASK_HEADER = [
    "ID",
    "WHOID",
    "SUBJECT",
    "TYPE",
    "BIZIBLE2__BIZIBLEID__C",
    "BIZIBLE2__BIZIBLE_TOUCHPOINT_DATE__C",
    "CREATEDDATE",
    "LASTMODIFIEDDATE",
    "CALLDURATIONINSECONDS",
    "STATUS",
]
SESSION_HEADER = [
    "ID",
    "COOKIE_ID",
    "VISITOR_ID",
    "EVENT_DATE",
    "CHANNEL",
    "MEDIUM",
    "WEB_SOURCE",
    "CAMPAIGN_NAME",
    "AD_NAME",
    "LANDING_PAGE",
    "REFERRER_PAGE",
    "SEARCH_PHRASE",
    "MODIFIED_DATE",
    "HAS_FORM",  # last, so the cells above keep their positions (reference() reads them by index)
]

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

# UTC hour weights: US business hours dominate (13-23 UTC), a tail into the US evening.
HOUR_WEIGHTS = [4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 10, 9, 9, 8, 7, 6, 5]

CHANNELS: list[tuple[str, int]] = [
    ("Paid Search.Google", 26),
    ("Paid Search.Bing", 8),
    ("Organic Search.Google", 17),
    ("Organic Search.Bing", 3),
    ("Paid Social.LinkedIn", 7),
    ("Paid Social.Facebook", 5),
    ("Social.LinkedIn", 4),
    ("Email.Newsletter", 6),
    ("Display.Google Display Network", 4),
    ("Direct", 12),
    ("Referral.partner-site.com", 3),
    ("Referral.blog.example.org", 1),
    ("Other", 2),
]

CAMPAIGNS: dict[str, list[str]] = {
    "Paid Search.Google": [
        "2026-Q1 Brand Search - US",
        "2026-Q1 Non-Brand - Call Tracking",
        "2026-Q1 Competitor - CallRail",
        "2026-Q1 Non-Brand - Attribution",
    ],
    "Paid Search.Bing": ["2026-Q1 Bing Brand", "2026-Q1 Bing Non-Brand"],
    "Paid Social.LinkedIn": ["2026-Q1 LinkedIn - Demand Gen Ops", "2026-Q1 LinkedIn - Webinar"],
    "Paid Social.Facebook": ["2026-Q1 Facebook Retargeting"],
    "Email.Newsletter": ["March 2026 Newsletter", "Webinar Invite - Call Attribution 101"],
    "Display.Google Display Network": ["2026-Q1 GDN Retargeting"],
}
ADS: dict[str, list[str]] = {
    "Paid Search.Google": [
        "RSA - Call Tracking Pricing",
        "RSA - Free Trial",
        "RSA - Book a Demo",
        "Brand - Exact Match",
    ],
    "Paid Search.Bing": ["Bing RSA - Pricing", "Bing RSA - Demo"],
    "Paid Social.LinkedIn": ["Sponsored Content - ROI Calculator", "Carousel - Customer Stories"],
    "Paid Social.Facebook": ["Retargeting Video 15s", "Static - Demo Offer"],
    "Display.Google Display Network": ["Banner 300x250 - Demo", "Banner 728x90 - Pricing"],
}
MEDIUM_SOURCE: dict[str, tuple[str, str]] = {
    "Paid Search.Google": ("cpc", "google"),
    "Paid Search.Bing": ("cpc", "bing"),
    "Organic Search.Google": ("organic", "google"),
    "Organic Search.Bing": ("organic", "bing"),
    "Paid Social.LinkedIn": ("cpc", "linkedin"),
    "Paid Social.Facebook": ("cpc", "facebook"),
    "Social.LinkedIn": ("social", "linkedin"),
    "Email.Newsletter": ("email", "newsletter"),
    "Display.Google Display Network": ("display", "google"),
    "Direct": ("", ""),
    "Referral.partner-site.com": ("referral", "partner-site.com"),
    "Referral.blog.example.org": ("referral", "blog.example.org"),
    "Other": ("", "unknown"),
}
REFERRERS: dict[str, list[str]] = {
    "Paid Search.Google": ["https://www.google.com/"],
    "Paid Search.Bing": ["https://www.bing.com/"],
    "Organic Search.Google": ["https://www.google.com/"],
    "Organic Search.Bing": ["https://www.bing.com/"],
    "Paid Social.LinkedIn": ["https://www.linkedin.com/"],
    "Paid Social.Facebook": ["https://www.facebook.com/", "https://l.facebook.com/"],
    "Social.LinkedIn": ["https://www.linkedin.com/feed/"],
    "Referral.partner-site.com": [
        "https://partner-site.com/blog/call-tracking-tools",
        "https://partner-site.com/integrations",
    ],
    "Referral.blog.example.org": ["https://blog.example.org/2026/03/attribution-roundup"],
    "Other": ["", "android-app://com.slack/"],
}
PAGES = [
    "/",
    "/pricing",
    "/demo",
    "/contact",
    "/features/call-tracking",
    "/blog/attribute-phone-calls",
    "/resources/guide-call-attribution",
    "/integrations/salesforce",
]
PHRASES = [
    "call tracking software",
    "call tracking pricing",
    "marketo measure call tracking",
    "bizible phone call attribution",
    "how to attribute phone calls",
    "call analytics for b2b",
    "calltrackingmetrics alternative",
    "inbound call attribution salesforce",
    "dynamic number insertion",
    "attribution für anrufe",
]
QUOTED_PHRASES = [  # commas and double quotes, so CSV quoting is exercised
    'pricing, "call tracking" software',
    '"phone call" attribution, b2b',
    'call tracking vs. "form fills"',
]
AREA_CODES = ["415", "212", "312", "617", "512", "206", "303", "404", "646", "773", "720", "214"]
TOPICS = [
    "Pricing question",
    "Demo request",
    "Support - billing",
    "Partner inquiry",
    "Follow-up on trial",
    "Integration question (Salesforce)",
    "Renewal",
]


# --- Salesforce ids ---------------------------------------------------------------------


def sf_suffix(id15: str) -> str:
    """Return the 3-character case-checksum suffix of a 15-character Salesforce id."""
    out = []
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(SUFFIX_CHARS[bits])
    return "".join(out)


def sf_id18(id15: str) -> str:
    """Return the 18-character form of a 15-character Salesforce id (18 stays 18)."""
    if len(id15) == 18:
        return id15
    return id15 + sf_suffix(id15)


# --- time formatting --------------------------------------------------------------------


def fmt_sf(dt: datetime) -> str:
    """Format a naive-UTC instant the way the Data Loader does: 2026-03-02T12:17:00.000Z."""
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"


def fmt_wh(dt: datetime) -> str:
    """Format a naive-UTC instant the way the warehouse does: 2026-03-02 12:17:00.000."""
    return f"{dt:%Y-%m-%d %H:%M:%S}.{dt.microsecond // 1000:03d}"


def parse_sf(text: str) -> datetime | None:
    """Parse a Data Loader timestamp; None when unreadable."""
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return None


def parse_wh(text: str) -> datetime | None:
    """Parse a warehouse timestamp (with or without milliseconds); None when unreadable."""
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def at(day: int, hh: int, mm: int, ss: int = 0, ms: int = 0) -> datetime:
    """A naive-UTC instant on March ``day`` 2026."""
    return datetime(2026, 3, day, hh, mm, ss, ms * 1000)


# --- records ------------------------------------------------------------------------------


@dataclass
class Session:
    """One row of sessions.csv (an older duplicate copy is a separate Session)."""

    sid: str
    cookie: str
    visitor_id: str
    start: datetime
    channel: str
    medium: str
    source: str
    campaign: str
    ad: str
    landing: str
    referrer: str
    phrase: str
    modified: datetime
    case: str = ""
    raw_start: str | None = None  # written instead of ``start`` (bad rows)
    has_form: bool = False  # decided by RevenueBuilder, from its own random stream

    def row(self) -> list[str]:
        """The CSV cells in SESSION_HEADER order."""
        start = self.raw_start if self.raw_start is not None else fmt_wh(self.start)
        return [
            self.sid,
            self.cookie,
            self.visitor_id,
            start,
            self.channel,
            self.medium,
            self.source,
            self.campaign,
            self.ad,
            self.landing,
            self.referrer,
            self.phrase,
            fmt_wh(self.modified),
            "TRUE" if self.has_form else "FALSE",
        ]


@dataclass
class Task:
    """One row of tasks.csv (an older or newer duplicate copy is a separate Task)."""

    tid: str  # as written: 18 characters, or 15 for some duplicate copies
    who: str
    subject: str
    type_: str
    bizible: str  # as written, possibly blank or padded
    tp: datetime | None
    created: datetime
    lastmod: datetime
    duration: int
    case: str
    expect: str = ""  # expected outcome for deliberate cases (checked by the reference)
    expect_session: str = ""
    winner: bool = True  # False for the copy that R9 must discard
    raw_created: str | None = None  # written instead of ``created`` (bad rows)

    def row(self) -> list[str]:
        """The CSV cells in TASK_HEADER order."""
        created = self.raw_created if self.raw_created is not None else fmt_sf(self.created)
        return [
            self.tid,
            self.who,
            self.subject,
            self.type_,
            self.bizible,
            fmt_sf(self.tp) if self.tp is not None else "",
            created,
            fmt_sf(self.lastmod),
            str(self.duration),
            "Completed",
        ]


# --- the generator --------------------------------------------------------------------


class SampleBuilder:
    """Builds the sample deterministically from one ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.sessions: list[Session] = []
        self.tasks: list[Task] = []
        self.visitor_seq = self.rng.randrange(1_000_000, 2_000_000)
        self.who_of: dict[str, str] = {}
        # (earlier, later) object pairs whose order in the shuffled file is forced
        self.task_order: list[tuple[Task, Task]] = []
        self.session_order: list[tuple[Session, Session]] = []

    # ids -------------------------------------------------------------------------------

    def _unique(self, value: str) -> str:
        if value in self.used:
            raise ValueError(value)
        self.used.add(value)
        return value

    def sf_id15(self, prefix: str, last_digit: bool = False) -> str:
        """A fresh 15-character id: key prefix, pod, reserved '0', 9-char record number."""
        while True:
            tail = "".join(self.rng.choice(BASE62) for _ in range(6))
            if last_digit:
                tail = tail[:-1] + self.rng.choice("012345678")
            id15 = f"{prefix}5e0000{tail}"
            if id15 not in self.used and sf_id18(id15) not in self.used:
                self.used.add(id15)
                self.used.add(sf_id18(id15))
                return id15

    def task_id(self) -> str:
        """A fresh 18-character Task id."""
        return sf_id18(self.sf_id15("00T"))

    def cookie(self) -> str:
        """A fresh BizibleId: 32 lowercase hex characters."""
        while True:
            value = f"{self.rng.getrandbits(128):032x}"
            if value not in self.used:
                return self._unique(value)

    def session_id(self, numeric: bool | None = None) -> str:
        """A fresh session id: 's-' + 12 digits, or (1 in 5) a UUID-like string."""
        if numeric is None:
            numeric = self.rng.random() < 0.8
        while True:
            if numeric:
                value = f"s-{self.rng.randrange(10**11, 10**12):012d}"
            else:
                h = f"{self.rng.getrandbits(128):032x}"
                value = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
            if value not in self.used:
                return self._unique(value)

    def visitor_id(self) -> str:
        """A fresh visitor id: 'v-' + digits."""
        self.visitor_seq += self.rng.randrange(1, 40)
        return f"v-{self.visitor_seq}"

    def who_id(self, cookie: str) -> str:
        """The person's WhoId (a lead or a contact); one per visitor."""
        if cookie not in self.who_of:
            prefix = "00Q" if self.rng.random() < 0.7 else "003"
            self.who_of[cookie] = sf_id18(self.sf_id15(prefix))
        return self.who_of[cookie]

    # sessions ----------------------------------------------------------------------------

    def pick_channel(self) -> str:
        """A channel with the weights of CHANNELS (paid search highest)."""
        names = [c for c, _ in CHANNELS]
        weights = [w for _, w in CHANNELS]
        return self.rng.choices(names, weights)[0]

    def make_session(
        self,
        cookie: str,
        visitor_id: str,
        start: datetime,
        channel: str | None = None,
        sid: str | None = None,
        case: str = "",
    ) -> Session:
        """Create a session with the marketing fields its channel implies, and record it."""
        rng = self.rng
        channel = channel or self.pick_channel()
        medium, source = MEDIUM_SOURCE[channel]
        campaign = rng.choice(CAMPAIGNS[channel]) if channel in CAMPAIGNS else ""
        ad = rng.choice(ADS[channel]) if channel in ADS else ""
        referrer = rng.choice(REFERRERS[channel]) if channel in REFERRERS else ""
        page = rng.choice(PAGES)
        if channel.startswith("Paid Social"):
            page = rng.choice(["/lp/call-tracking-demo", "/lp/roi-calculator"])
            landing = f"https://go.example.com{page}"
        else:
            landing = f"https://www.example.com{page}"
        if campaign:
            slug = campaign.lower().replace(" - ", "-").replace(" ", "-")
            landing += f"?utm_source={source}&utm_medium={medium}&utm_campaign={slug}"
        phrase = ""
        if "Search" in channel and (channel.startswith("Paid") or rng.random() < 0.4):
            phrase = rng.choice(QUOTED_PHRASES) if rng.random() < 0.03 else rng.choice(PHRASES)
        # the warehouse loads at 08:00 UTC daily; some rows are touched again later
        load = start.replace(hour=8, minute=0, second=0, microsecond=0)
        if load <= start:
            load += timedelta(days=1)
        modified = load + timedelta(days=rng.choice([0, 0, 0, 1, 2]))
        session = Session(
            sid=sid or self.session_id(),
            cookie=cookie,
            visitor_id=visitor_id,
            start=start,
            channel=channel,
            medium=medium,
            source=source,
            campaign=campaign,
            ad=ad,
            landing=landing,
            referrer=referrer,
            phrase=phrase,
            modified=modified,
            case=case,
        )
        self.sessions.append(session)
        return session

    def random_start(self) -> datetime:
        """A first-session start: weekdays favoured, US business hours (UTC) favoured."""
        rng = self.rng
        day_weights = [1.0 if (d % 7) < 5 else 0.45 for d in range(FIRST_DAYS)]
        day = rng.choices(range(FIRST_DAYS), day_weights)[0]
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        ms = rng.randrange(1, 1000) if rng.random() < 0.03 else 0
        return FIRST_DAY + timedelta(
            days=day,
            hours=hour,
            minutes=rng.randrange(60),
            seconds=rng.randrange(60),
            milliseconds=ms,
        )

    # tasks -------------------------------------------------------------------------------

    def subject_for(self, type_: str) -> str:
        """A realistic vendor subject for a call of this Type."""
        rng = self.rng
        phone = f"({rng.choice(AREA_CODES)}) 555-01{rng.randrange(100):02d}"
        roll = rng.random()
        if type_ == "Outbound Call":
            return f"Outbound call to {phone}"
        if roll < 0.45:
            return f"Inbound call from {phone}"
        if roll < 0.75:
            return f"Call: {rng.choice(TOPICS)}"
        if roll < 0.85:
            return "Missed call"
        if roll < 0.95:
            return f"Voicemail from {phone}"
        return rng.choice(["Call with Sofía Álvarez", "Call with José Núñez", "Call with Zoë Berg"])

    def random_type(self) -> str:
        """Mostly 'Call'; some inbound/outbound; ~8 % blank."""
        return self.rng.choices(["Call", "Inbound Call", "Outbound Call", ""], [70, 14, 8, 8])[0]

    def add_task(
        self,
        *,
        bizible: str,
        call: datetime,
        case: str,
        who_key: str,
        type_: str | None = None,
        tp_blank: bool | None = None,
        created_after: timedelta | None = None,
        subject: str | None = None,
        tid: str | None = None,
        expect: str = "",
        expect_session: str = "",
    ) -> Task:
        """Create a call Task whose call time (per the rules) is ``call``, and record it."""
        rng = self.rng
        if type_ is None:
            type_ = self.random_type()
        if tp_blank is None:
            tp_blank = rng.random() < 0.15
        if tp_blank:
            tp, created = None, call
        else:
            if created_after is None:
                created_after = timedelta(seconds=rng.randrange(60, 361))
                if rng.random() < 0.04:
                    created_after += timedelta(milliseconds=rng.randrange(1, 1000))
            tp, created = call, call + created_after
        lastmod = created + rng.choice(
            [
                timedelta(0),
                timedelta(seconds=rng.randrange(1, 900)),
                timedelta(hours=rng.randrange(1, 72)),
            ]
        )
        subject = subject if subject is not None else self.subject_for(type_)
        if subject == "Missed call":
            duration = rng.randrange(10, 31)
        else:
            duration = min(1800, max(10, int(rng.lognormvariate(5.3, 0.8))))
        who = "" if rng.random() < 0.05 else self.who_id(who_key)
        task = Task(
            tid=tid or self.task_id(),
            who=who,
            subject=subject,
            type_=type_,
            bizible=bizible,
            tp=tp,
            created=created,
            lastmod=lastmod,
            duration=duration,
            case=case,
            expect=expect,
            expect_session=expect_session,
        )
        self.tasks.append(task)
        return task

    # random population -------------------------------------------------------------------

    def build_random(self) -> list[list[Session]]:
        """Visitors with 1-6 sessions each, ~30 % of whom call; plus callers with no session."""
        rng = self.rng
        visitors: list[list[Session]] = []
        for _ in range(N_VISITORS):
            cookie, vid = self.cookie(), self.visitor_id()
            n = rng.choices([1, 2, 3, 4, 5, 6], [38, 25, 15, 10, 7, 5])[0]
            start = self.random_start()
            mine: list[Session] = []
            for _ in range(n):
                if start >= MONTH_END:
                    break
                mine.append(self.make_session(cookie, vid, start))
                if rng.random() < 0.3:  # later the same day
                    gap = timedelta(minutes=rng.randrange(35, 8 * 60))
                else:  # days or weeks later, at another time of day
                    gap = timedelta(days=rng.randrange(1, 10), minutes=rng.randrange(-300, 300))
                start += gap + timedelta(seconds=rng.randrange(60))
            visitors.append(mine)

        for mine in visitors:
            if rng.random() >= CALLER_SHARE:
                continue
            n_calls = rng.choices([1, 2, 3], [75, 20, 5])[0]
            targets = rng.sample(mine, min(n_calls, len(mine)))
            for target in targets:
                kind = rng.choices(["within", "late", "before"], [84, 9, 7])[0]
                if kind == "within":  # 1-40 min after a session start (most merge)
                    if rng.random() < 0.85:
                        secs = rng.randrange(60, 1795)
                    else:
                        secs = rng.randrange(1806, 2400)
                    call = target.start + timedelta(seconds=secs)
                elif kind == "late":  # 40-180 min after a session start
                    call = target.start + timedelta(seconds=rng.randrange(2400, 10800))
                else:  # before the visitor's first session
                    first = min(s.start for s in mine)
                    call = first - timedelta(seconds=rng.randrange(600, 3 * 86400))
                    call = max(call, datetime(2026, 3, 1, 0, 5))
                    if call >= first:
                        continue
                call = call.replace(microsecond=0)
                if rng.random() < 0.04:
                    call += timedelta(milliseconds=rng.randrange(1, 1000))
                blank = rng.random() < 0.07
                self.add_task(
                    bizible="" if blank else target.cookie,
                    call=call,
                    case="random: blank BizibleId" if blank else f"random: call {kind}",
                    who_key=target.cookie,
                )

        for _ in range(N_PHANTOM):  # BizibleIds that never appear in sessions.csv
            cookie = self.cookie()
            start = self.random_start().replace(microsecond=0)
            for _ in range(rng.choices([1, 2], [80, 20])[0]):
                if start >= MONTH_END:
                    break
                self.add_task(bizible=cookie, call=start, case="random: no session", who_key=cookie)
                start += timedelta(days=rng.randrange(1, 6), minutes=rng.randrange(-120, 120))
        return visitors

    # deliberate cases --------------------------------------------------------------------

    def person(self) -> tuple[str, str]:
        """A fresh (cookie, visitor id) pair for one deliberate case."""
        return self.cookie(), self.visitor_id()

    def single(
        self,
        case: str,
        start: datetime,
        call: datetime,
        expect: str,
        channel: str | None = None,
        **task_kw: Any,
    ) -> Task:
        """One session and one call for a fresh visitor (``bizible`` overrides the id)."""
        cookie, vid = self.person()
        session = self.make_session(cookie, vid, start, channel, case=f"for {case}")
        bizible = task_kw.pop("bizible", cookie)
        return self.add_task(
            bizible=bizible,
            call=call,
            case=case,
            who_key=cookie,
            expect=expect,
            expect_session=session.sid if expect == "merged" else "",
            **task_kw,
        )

    def build_deliberate(self) -> None:
        """The hand-made cases listed at the top of this file."""
        rng = self.rng
        google = "Paid Search.Google"
        # worked examples (SPEC.md section 2), 2026-03-03
        self.single("WE1 worked example 23 min", at(3, 12, 17), at(3, 12, 40), "merged", google)
        self.single("WE2 worked example 48 min", at(3, 12, 17), at(3, 13, 5), "outside_window")
        self.single(
            "R3 B1 (WE3) TP exactly 30:00",
            at(3, 12, 17),
            at(3, 12, 47),
            "merged",
            google,
            tp_blank=False,
        )
        cookie, vid = self.person()
        self.make_session(cookie, vid, at(3, 12, 17), google, case="WE4")
        later = self.make_session(cookie, vid, at(3, 12, 50), "Paid Search.Bing", case="WE4")
        self.add_task(
            bizible=cookie,
            call=at(3, 13, 5),
            case="WE4 worked example two sessions",
            who_key=cookie,
            expect="merged",
            expect_session=later.sid,
        )
        self.single(
            "WE5 worked example call before", at(3, 12, 17), at(3, 12, 10), "only_later_sessions"
        )
        cookie = self.cookie()
        self.add_task(
            bizible=cookie,
            call=at(3, 12, 10),
            case="WE6 worked example no session",
            who_key=cookie,
            expect="no_session_for_id",
        )
        self.single(
            "WE7 worked example blank id", at(3, 12, 17), at(3, 12, 40), "no_bizible_id", bizible=""
        )

        # R1 white space only, and padded real ids
        for n, blank in enumerate(["   ", " ", "  "], 1):
            self.single(
                f"R1 white-space-only BizibleId WS{n}",
                at(4 + n, 15, 3),
                at(4 + n, 15, 11),
                "no_bizible_id",
                bizible=blank,
            )
        for n, (left, right) in enumerate([(" ", ""), ("", "  "), ("  ", "  ")], 1):
            cookie, vid = self.person()
            session = self.make_session(cookie, vid, at(9 + n, 17, 20, 5), case="PAD")
            self.add_task(
                bizible=f"{left}{cookie}{right}",
                call=at(9 + n, 17, 30 + 5 * n),
                case=f"R1 padded BizibleId PAD{n}",
                who_key=cookie,
                expect="merged",
                expect_session=session.sid,
            )

        # R2 latest earlier session; only later sessions; case-sensitive cookie ids
        cookie, vid = self.person()
        self.make_session(cookie, vid, at(4, 9, 0), "Organic Search.Google", case="L1")
        l1 = self.make_session(cookie, vid, at(4, 14, 30), "Paid Search.Bing", case="L1")
        self.make_session(cookie, vid, at(9, 10, 0), "Direct", case="L1")
        cookie2, vid2 = self.person()
        self.make_session(cookie2, vid2, at(5, 16, 0), "Email.Newsletter", case="L2")
        l2 = self.make_session(cookie2, vid2, at(5, 16, 12), google, case="L2")
        cookie3, vid3 = self.person()
        self.make_session(cookie3, vid3, at(19, 11, 0), case="L3")
        self.make_session(cookie3, vid3, at(23, 17, 30), case="L3")
        l3 = self.make_session(cookie3, vid3, at(23, 18, 5), case="L3")
        for name, ck, call, target in [
            ("L1", cookie, at(4, 14, 42), l1),
            ("L2", cookie2, at(5, 16, 25), l2),
            ("L3", cookie3, at(23, 18, 20), l3),
        ]:
            self.add_task(
                bizible=ck,
                call=call,
                case=f"R2 latest earlier session {name}",
                who_key=ck,
                expect="merged",
                expect_session=target.sid,
            )
        cookie, vid = self.person()
        self.make_session(cookie, vid, at(20, 14, 0), case="OL1")
        self.make_session(cookie, vid, at(25, 16, 0), case="OL1")
        self.add_task(
            bizible=cookie,
            call=at(19, 18, 30),
            case="R2 only later sessions OL1",
            who_key=cookie,
            expect="only_later_sessions",
        )
        cookie, vid = self.person()
        self.make_session(cookie, vid, at(12, 19, 0), case="CASE1")
        self.add_task(
            bizible=cookie.upper(),
            call=at(12, 19, 10),
            case="R2 upper-case copy of a cookie id CASE1",
            who_key=cookie,
            expect="no_session_for_id",
        )

        # R3 boundaries (B1 is WE3 above)
        r3 = "R3 "
        self.single(
            r3 + "B2 TP exactly 30:00",
            at(10, 15, 2, 11),
            at(10, 15, 32, 11),
            "merged",
            tp_blank=False,
            created_after=timedelta(minutes=3, seconds=29),
        )
        self.single(
            r3 + "B3 CreatedDate exactly 30:00 (blank TP)",
            at(11, 18, 45),
            at(11, 19, 15),
            "merged",
            tp_blank=True,
        )
        self.single(
            r3 + "B4 TP 30:01", at(12, 14, 0), at(12, 14, 30, 1), "outside_window", tp_blank=False
        )
        self.single(
            r3 + "B5 TP 30:01",
            at(16, 20, 13, 27),
            at(16, 20, 43, 28),
            "outside_window",
            tp_blank=False,
        )
        self.single(
            r3 + "B6 CreatedDate 30:01 (blank TP)",
            at(17, 16, 20),
            at(17, 16, 50, 1),
            "outside_window",
            tp_blank=True,
        )
        self.single(
            r3 + "B7 TP 30:00.001",
            at(18, 13, 0),
            at(18, 13, 30, 0, 1),
            "outside_window",
            tp_blank=False,
        )
        self.single(
            r3 + "P1 TP inside, CreatedDate outside",
            at(18, 21, 4),
            at(18, 21, 32),
            "merged",
            tp_blank=False,
            created_after=timedelta(minutes=5),
        )
        self.single(
            r3 + "P2 TP before the session, CreatedDate after it",
            at(19, 14, 40),
            at(19, 14, 35),
            "only_later_sessions",
            tp_blank=False,
            created_after=timedelta(minutes=7),
        )

        # R4 blank Type
        for n, (day, mins, tp_blank) in enumerate([(6, 5, False), (13, 18, False), (25, 25, True)]):
            self.single(
                f"R4 merged with blank TYPE T{n + 1}",
                at(day, 16, 40),
                at(day, 16, 40) + timedelta(minutes=mins),
                "merged",
                type_="",
                tp_blank=tp_blank,
            )
        cookie = self.cookie()
        self.add_task(
            bizible=cookie,
            call=at(24, 17, 45),
            case="R4 blank TYPE without session T4",
            who_key=cookie,
            type_="",
            expect="no_session_for_id",
        )

        # R5 more standalone
        self.single("R5 outside window 2 h O1", at(11, 13, 0), at(11, 15, 0), "outside_window")
        cookie = self.cookie()
        self.add_task(
            bizible=cookie,
            call=at(17, 22, 15),
            case="R5 no session for id N1",
            who_key=cookie,
            expect="no_session_for_id",
        )

        # R6 several calls inside one session's window
        for name, start, offsets in [
            ("M1", at(6, 15, 0), [timedelta(minutes=5), timedelta(minutes=12, seconds=30)]),
            ("M2", at(13, 19, 40), [timedelta(minutes=m) for m in (3, 11, 28)]),
        ]:
            cookie, vid = self.person()
            session = self.make_session(cookie, vid, start, case=name)
            for i, off in enumerate(offsets):
                self.add_task(
                    bizible=cookie,
                    call=start + off,
                    case=f"R6 {name} {'first call' if i == 0 else 'later call'}",
                    who_key=cookie,
                    expect="merged" if i == 0 else "session_already_used",
                    expect_session=session.sid if i == 0 else "",
                )
        cookie, vid = self.person()
        m3 = self.make_session(cookie, vid, at(24, 14, 10), google, case="M3")
        while True:  # two ids that differ only in their last digit: any collation agrees
            small15 = self.sf_id15("00T", last_digit=True)
            big15 = small15[:-1] + str(int(small15[-1]) + 1)
            if big15 not in self.used and sf_id18(big15) not in self.used:
                break
        small, big = sf_id18(small15), sf_id18(big15)
        self.used.update({big15, big})
        t_small = self.add_task(
            bizible=cookie,
            call=at(24, 14, 22),
            case="R6 M3 tie, smaller task id",
            who_key=cookie,
            tid=small,
            tp_blank=False,
            expect="merged",
            expect_session=m3.sid,
        )
        t_big = self.add_task(
            bizible=cookie,
            call=at(24, 14, 22),
            case="R6 M3 tie, larger task id",
            who_key=cookie,
            tid=big,
            tp_blank=False,
            expect="session_already_used",
        )
        self.task_order.append((t_big, t_small))
        cookie, vid = self.person()
        m4 = self.make_session(cookie, vid, at(26, 17, 0), case="M4")
        self.add_task(
            bizible=cookie,
            call=at(26, 17, 8),
            case="R6 M4 TP 17:08 (created 17:12)",
            who_key=cookie,
            tp_blank=False,
            created_after=timedelta(minutes=4),
            expect="merged",
            expect_session=m4.sid,
        )
        self.add_task(
            bizible=cookie,
            call=at(26, 17, 10),
            case="R6 M4 blank TP, created 17:10",
            who_key=cookie,
            tp_blank=True,
            expect="session_already_used",
        )

        # R7 same start, different ids
        for name, start, call in [
            ("D1", at(9, 13, 25), at(9, 13, 40)),
            ("D2", at(20, 21, 5), at(20, 21, 29)),
            ("D3", at(27, 10, 0), None),
        ]:
            cookie, vid = self.person()
            base = rng.randrange(10**11, 10**12 - 100)
            sid_small, sid_big = f"s-{base:012d}", f"s-{base + rng.randrange(1, 90):012d}"
            self._unique(sid_small)
            self._unique(sid_big)
            tag = f"R7 same session start {name}"
            s_big = self.make_session(cookie, vid, start, "Paid Social.LinkedIn", sid_big, tag)
            s_small = self.make_session(cookie, vid, start, "Email.Newsletter", sid_small, tag)
            self.session_order.append((s_big, s_small))
            if call is not None:
                self.add_task(
                    bizible=cookie,
                    call=call,
                    case=f"R7 same session start {name}",
                    who_key=cookie,
                    expect="merged",
                    expect_session=s_small.sid,
                )

        # spreadsheet formulas and markup in Subject
        self.single(
            "FX1 subject starts with '='",
            at(16, 14, 2),
            at(16, 14, 9),
            "merged",
            subject='=HYPERLINK("http://evil.example","Call back")',
            type_="Inbound Call",
        )
        self.single(
            "FX2 subject starts with '+'",
            at(17, 19, 30),
            at(17, 19, 41),
            "no_bizible_id",
            subject="+1 (555) 010-4477 inbound call",
            bizible="",
            type_="Inbound Call",
        )
        self.single(
            "FX3 subject contains [bold]",
            at(23, 15, 15),
            at(23, 15, 27),
            "merged",
            subject="Call: [bold]urgent[/bold] pricing callback",
        )

    # duplicates and bad rows -------------------------------------------------------------

    def build_duplicates(self) -> None:
        """R9: ten task ids and ten session ids written twice."""
        rng = self.rng
        pool = [t for t in self.tasks if t.case.startswith("random: call") and t.bizible]
        for n, task in enumerate(rng.sample(pool, 10)):
            newer = task.lastmod + timedelta(hours=rng.randrange(1, 48), minutes=rng.randrange(60))
            label = (
                ["15-char id on the newer copy", "15-char id on the older copy"][n] if n < 2 else ""
            )
            label = label or ("winner read first" if n % 2 == 0 else "winner read last")
            old = replace(task, winner=False, case=f"R9 duplicate task ({label}): older copy")
            task.subject += " (notes added)"
            task.lastmod = newer
            task.case = f"R9 duplicate task ({label}): newer copy, kept"
            self.tasks.append(old)
            if n == 0:  # second copy (written after the first) is the newer one, with 15 chars
                task.tid = task.tid[:15]
                self.task_order.append((old, task))
            elif n == 1:  # second copy is the older one, with 15 chars
                old.tid = old.tid[:15]
                self.task_order.append((task, old))
            elif n % 2 == 0:  # the winner is read first
                self.task_order.append((task, old))
            else:
                self.task_order.append((old, task))

        merged_targets = self._random_merge_targets()
        target_ids = {m.sid for m in merged_targets}
        others = [s for s in self.sessions if not s.case and s.campaign and s.sid not in target_ids]
        chosen = rng.sample(merged_targets, 6) + rng.sample(others, 4)
        for n, session in enumerate(chosen):
            label = "merge target" if n < 6 else "no call"
            old = replace(session, campaign="", case=f"R9 duplicate session ({label}): older copy")
            session.modified = old.modified + timedelta(days=rng.randrange(1, 4), hours=2)
            session.case = f"R9 duplicate session ({label}): newer copy, kept"
            self.sessions.append(old)
            pair = (session, old) if n % 2 == 0 else (old, session)
            self.session_order.append(pair)

    def _random_merge_targets(self) -> list[Session]:
        """Paid random sessions that some random (non-duplicate) call merges with."""
        result = reference([t.row() for t in self.tasks], [s.row() for s in self.sessions])
        by_sid = {s.sid: s for s in self.sessions}
        cases = {sf_id18(t.tid): t.case for t in self.tasks}
        found = []
        for tid, (outcome, sid) in sorted(result.outcomes.items()):
            if outcome == "merged" and cases[tid] == "random: call within":
                session = by_sid[sid]
                if not session.case and session.campaign:
                    found.append(session)
        return found

    def build_bad_rows(self, visitors: list[list[Session]]) -> None:
        """Rows the tool must reject: unreadable CreatedDate, impossible EVENT_DATE."""
        rng = self.rng
        for n, raw in enumerate(["not a date", "2026-02-30T10:00:00.000Z"], 1):
            cookie = self.cookie()
            task = self.add_task(
                bizible=cookie,
                call=at(14 + n, 16, 0),
                case=f"reject: unreadable CREATEDDATE BAD{n}",
                who_key=cookie,
                tp_blank=True,
                expect="reject",
            )
            task.raw_created = raw
        quiet = [v for v in visitors if v and not any(t.bizible == v[0].cookie for t in self.tasks)]
        host = rng.choice(quiet)[0]
        bad = self.make_session(
            host.cookie, host.visitor_id, host.start, case="reject: impossible EVENT_DATE BADS1"
        )
        bad.raw_start = "2026-13-45 99:00:00"

    # output ------------------------------------------------------------------------------

    def shuffled(self, items: list, order: list[tuple[object, object]]) -> list:
        """A deterministic shuffle that then forces each (earlier, later) pair into order."""
        out = list(items)
        self.rng.shuffle(out)
        for first, second in order:
            pos = {id(x): i for i, x in enumerate(out)}
            i, j = pos[id(first)], pos[id(second)]
            if i > j:
                out[i], out[j] = out[j], out[i]
        return out


# --- revenue: forms, people, opportunities, contact roles (issue 6) ------------------------

OPPORTUNITY_HEADER = [
    "ID",
    "NAME",
    "ACCOUNTID",
    "AMOUNT",
    "CREATEDDATE",
    "CLOSEDATE",
    "ISWON",
    "ISCLOSED",
    "STAGENAME",
    "LASTMODIFIEDDATE",
]
CONTACT_ROLE_HEADER = ["ID", "OPPORTUNITYID", "CONTACTID", "ISPRIMARY", "ROLE"]
PEOPLE_HEADER = ["ID", "BIZIBLE2__BIZIBLEID__C", "ISCONVERTED", "CONVERTEDCONTACTID", "LEADSOURCE"]
REVENUE_SEED_OFFSET = 6  # issue 6: its own stream, so tasks.csv and sessions.csv never change
SAMPLE_END = datetime(2026, 3, 31, 23, 0)  # the sample was exported at the end of March
OPEN_STAGES = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
]
CONTACT_ROLES = ["Decision Maker", "Economic Buyer", "Technical Buyer", "Evaluator", "Influencer"]
COMPANY_WORDS = [
    ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
     "Cyberdyne", "Tyrell", "Wonka", "Gringotts", "Monarch", "Oscorp", "Pied Piper", "Dunder"),
    ("Logistics", "Health", "Software", "Insurance", "Dental", "Roofing", "Legal", "Realty",
     "Solar", "Clinics", "Motors", "Finance", "Labs", "Hotels", "Foods"),
]  # fmt: skip
FORM_RATE = {"/demo": 0.35, "/contact": 0.30, "/pricing": 0.12, "/lp/": 0.25}


@dataclass
class Opportunity:
    """One row of opportunities.csv, and the contacts its roles name."""

    oid: str
    name: str
    account: str
    amount: int | None
    created: datetime
    close: date
    status: str  # won, lost, open
    stage: str
    lastmod: datetime
    contacts: list[str]

    def row(self) -> list[str]:
        """The CSV cells in OPPORTUNITY_HEADER order (Data Loader style)."""
        return [
            self.oid,
            self.name,
            self.account,
            "" if self.amount is None else f"{self.amount}.0",
            fmt_sf(self.created),
            self.close.isoformat(),
            "true" if self.status == "won" else "false",
            "false" if self.status == "open" else "true",
            self.stage,
            fmt_sf(self.lastmod),
        ]


class RevenueBuilder:
    """Form fills on sessions, people (leads, contacts, conversions), opportunities and their
    contact roles, from ``random.Random(seed + REVENUE_SEED_OFFSET)`` and the finished tasks and
    sessions (which it only reads, except each session's ``has_form``)."""

    def __init__(
        self, seed: int, ids: SampleBuilder, tasks: list[Task], sessions: list[Session]
    ) -> None:
        self.rng = random.Random(seed + REVENUE_SEED_OFFSET)
        # Fresh Salesforce ids come from the sample builder (it knows every id used so far),
        # drawing from this builder's stream from now on: its own stream is finished.
        self.ids = ids
        self.ids.rng = self.rng
        self.tasks = tasks
        self.sessions = sessions
        self.people: list[list[str]] = []
        self.opportunities: list[Opportunity] = []
        self.roles: list[list[str]] = []

    def mark_forms(self) -> None:
        """HAS_FORM: demo, contact and pricing pages and paid-social landing pages get forms."""
        decided: dict[str, bool] = {}
        for s in sorted(self.sessions, key=lambda s: s.sid):
            if s.sid not in decided:
                rate = next((r for page, r in FORM_RATE.items() if page in s.landing), 0.03)
                decided[s.sid] = self.rng.random() < rate
            s.has_form = decided[s.sid]

    def build(self) -> None:
        """People, then opportunities for about half of the contacts, then contact roles."""
        rng = self.rng
        self.mark_forms()
        sessions_of: dict[str, list[Session]] = {}
        for s in self.sessions:
            if s.raw_start is None:
                sessions_of.setdefault(s.cookie, []).append(s)
        # a person's cookie is the visitor's the tasks were made for (even when a task lost it)
        who_cookie = {who: cookie for cookie, who in self.ids.who_of.items()}
        calls_of: dict[str, list[datetime]] = {who: [] for who in who_cookie}
        for task in self.tasks:
            if task.who and task.raw_created is None:
                calls_of[task.who].append(task.tp or task.created)
        callers = {c for c in who_cookie.values() if c}
        quiet = sorted(c for c in sessions_of if c not in callers)
        rng.shuffle(quiet)
        contacts: dict[str, tuple[set[str], list[datetime]]] = {}  # contact -> cookies, times

        def times_of(cookies: set[str], calls: list[datetime]) -> list[datetime]:
            return sorted([s.start for c in cookies for s in sessions_of.get(c, [])] + calls)

        for who in sorted(who_cookie):
            cookie = who_cookie[who]
            cookies = {cookie} if cookie else set()
            if who.startswith("003"):  # a contact who called
                shown = cookie if rng.random() < 0.9 else ""
                self.people.append([who, shown, "false", "", ""])
                contacts[who] = (cookies, times_of(cookies, calls_of[who]))
                continue
            source = rng.choice(["Web", "Phone Inquiry", "Web", "Advertisement"])
            if rng.random() < 0.5:  # a lead that sales converted to a contact
                contact = sf_id18(self.ids.sf_id15("003"))
                self.people.append([who, cookie, "true", contact, source])
                second = quiet.pop() if quiet and rng.random() < 0.15 else ""  # another device
                self.people.append([contact, second or cookie, "false", "", ""])
                both = cookies | ({second} if second else set())
                contacts[contact] = (both, times_of(both, calls_of[who]))
            else:
                self.people.append([who, cookie, "false", "", source])
        for cookie in quiet:  # visitors who filled a form and never called
            if not any(s.has_form for s in sessions_of[cookie]) or rng.random() < 0.4:
                continue
            lead = sf_id18(self.ids.sf_id15("00Q"))
            if rng.random() < 0.35:
                contact = sf_id18(self.ids.sf_id15("003"))
                self.people.append([lead, cookie, "true", contact, "Web"])
                self.people.append([contact, cookie, "false", "", ""])
                contacts[contact] = ({cookie}, times_of({cookie}, []))
            else:
                self.people.append([lead, cookie, "false", "", "Web"])
        self.people.sort(key=lambda row: row[0])
        self.make_opportunities(contacts)

    def make_opportunities(self, contacts: dict[str, tuple[set[str], list[datetime]]]) -> None:
        rng = self.rng
        pool = sorted(c for c, (_, times) in contacts.items() if times)
        for contact in pool:
            if rng.random() >= 0.35:
                continue
            times = contacts[contact][1]
            first, last = times[0], times[-1]
            span = (last - first).total_seconds() + 5 * 86400
            created = first + timedelta(seconds=rng.uniform(1800, span))
            created = min(created, SAMPLE_END - timedelta(hours=rng.randrange(1, 48)))
            created = max(created, first + timedelta(minutes=30)).replace(microsecond=0)
            status = rng.choices(["won", "lost", "open"], [35, 22, 43])[0]
            if status == "open":
                close = (created + timedelta(days=rng.randrange(20, 76))).date()
                stage = rng.choice(OPEN_STAGES)
            else:
                close = min(created + timedelta(days=rng.randrange(1, 31)), SAMPLE_END).date()
                stage = "Closed Won" if status == "won" else "Closed Lost"
            amount = min(250_000, max(2_500, round(rng.lognormvariate(10.0, 0.8) / 100) * 100))
            company = f"{rng.choice(COMPANY_WORDS[0])} {rng.choice(COMPANY_WORDS[1])}"
            names = [contact]
            if rng.random() < 0.2:  # a second buyer on the deal
                names.append(rng.choice([c for c in pool if c != contact]))
            if rng.random() < 0.08:  # the rep never added a contact role
                names = []
            self.opportunities.append(
                Opportunity(
                    oid=sf_id18(self.ids.sf_id15("006")),
                    name=f"{company} - New Business",
                    account=sf_id18(self.ids.sf_id15("001")),
                    amount=None if rng.random() < 0.02 else amount,
                    created=created,
                    close=close,
                    status=status,
                    stage=stage,
                    lastmod=created + timedelta(days=rng.randrange(0, 5), hours=rng.randrange(24)),
                    contacts=names,
                )
            )
        for opp in self.opportunities:
            for n, contact in enumerate(opp.contacts):
                role = rng.choice(CONTACT_ROLES)
                oid = sf_id18(self.ids.sf_id15("00K"))
                self.roles.append([oid, opp.oid, contact, "true" if n == 0 else "false", role])

    def opportunity_rows(self) -> list[list[str]]:
        """Opportunities in id order, plus one older copy of a won deal exported while it was
        still open (R9 keeps the newer one)."""
        rows = [o.row() for o in sorted(self.opportunities, key=lambda o: o.oid)]
        won = next(o for o in sorted(self.opportunities, key=lambda o: o.oid) if o.status == "won")
        older = replace(won, status="open", stage="Negotiation/Review", lastmod=won.created)
        rows.insert(len(rows) // 2, older.row())
        return rows


# --- plain-Python reference of the matching rules -----------------------------------------


@dataclass
class Reference:
    """What the rules say about the generated rows."""

    outcomes: dict[str, tuple[str, str]]  # 18-char task id -> (outcome, session id or "")
    winners: dict[str, int]  # 18-char task id -> index of the kept row
    task_rejects: list[int]
    session_rejects: list[int]
    task_duplicates: int
    session_duplicates: int


def reference(task_rows: list[list[str]], session_rows: list[list[str]]) -> Reference:
    """Apply R1-R7 and R9 to rows in TASK_HEADER / SESSION_HEADER order (window 30 min)."""
    kept_sessions: dict[str, tuple[datetime, list[str]]] = {}
    session_rejects = []
    for i, row in enumerate(session_rows):
        start = parse_wh(row[3])
        modified = parse_wh(row[12])
        if start is None or modified is None:
            session_rejects.append(i)
            continue
        if row[0] not in kept_sessions or modified >= kept_sessions[row[0]][0]:
            kept_sessions[row[0]] = (modified, row)
    n_valid_sessions = len(session_rows) - len(session_rejects)
    by_cookie: dict[str, list[tuple[datetime, str]]] = {}
    for _, row in kept_sessions.values():
        start = parse_wh(row[3])
        assert start is not None
        by_cookie.setdefault(row[1], []).append((start, row[0]))

    kept: dict[str, tuple[datetime, int]] = {}
    task_rejects = []
    for i, row in enumerate(task_rows):
        call = parse_sf(row[5]) if row[5] else parse_sf(row[6])
        modified = parse_sf(row[7])
        if call is None or modified is None:
            task_rejects.append(i)
            continue
        tid = sf_id18(row[0])
        if tid not in kept or modified >= kept[tid][0]:
            kept[tid] = (modified, i)
    n_valid_tasks = len(task_rows) - len(task_rejects)

    outcomes: dict[str, tuple[str, str]] = {}
    in_window: dict[str, list[tuple[datetime, str]]] = {}
    for tid, (_, i) in kept.items():
        row = task_rows[i]
        cookie = row[4].strip()
        call = parse_sf(row[5]) if row[5] else parse_sf(row[6])
        assert call is not None
        if not cookie:
            outcomes[tid] = ("no_bizible_id", "")
            continue
        sessions = by_cookie.get(cookie, [])
        earlier = [s for s in sessions if s[0] <= call]
        if not sessions:
            outcomes[tid] = ("no_session_for_id", "")
        elif not earlier:
            outcomes[tid] = ("only_later_sessions", "")
        else:
            latest = max(s[0] for s in earlier)
            sid = min(s[1] for s in earlier if s[0] == latest)
            if call - latest <= WINDOW:
                in_window.setdefault(sid, []).append((call, tid))
            else:
                outcomes[tid] = ("outside_window", "")
    for sid, calls in in_window.items():
        for n, (_, tid) in enumerate(sorted(calls)):
            outcomes[tid] = ("merged", sid) if n == 0 else ("session_already_used", "")
    return Reference(
        outcomes=outcomes,
        winners={tid: i for tid, (_, i) in kept.items()},
        task_rejects=task_rejects,
        session_rejects=session_rejects,
        task_duplicates=n_valid_tasks - len(kept),
        session_duplicates=n_valid_sessions - len(kept_sessions),
    )


def check(tasks: list[Task], sessions: list[Session], ref: Reference) -> None:
    """Fail loudly if a deliberate case does not come out as the comment block says."""
    errors = []
    for i, task in enumerate(tasks):
        tid = sf_id18(task.tid)
        if task.expect == "reject":
            if i not in ref.task_rejects:
                errors.append(f"{task.case}: expected a reject")
            continue
        if ref.winners.get(tid) == i and not task.winner:
            errors.append(f"{task.case}: the older copy won")
        if task.expect and task.winner:
            got = ref.outcomes.get(tid)
            want = (task.expect, task.expect_session)
            if got != want:
                errors.append(f"{task.case}: expected {want}, got {got}")
    bad = [i for i, s in enumerate(sessions) if s.raw_start is not None]
    if bad != ref.session_rejects:
        errors.append(f"session rejects {ref.session_rejects} != {bad}")
    if errors:
        raise SystemExit("make_sample: deliberate cases broken:\n  " + "\n  ".join(errors))


# --- main ---------------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[str]], quoting: int) -> None:
    """Write UTF-8 (no BOM), LF line endings."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=quoting, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    """Generate, check and write the sample; print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "sample")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    assert sf_id18("001A0000006Vm9r") == "001A0000006Vm9rIAC"  # the published example

    builder = SampleBuilder(args.seed)
    visitors = builder.build_random()
    builder.build_deliberate()
    builder.build_duplicates()
    builder.build_bad_rows(visitors)

    tasks = builder.shuffled(builder.tasks, builder.task_order)
    sessions = builder.shuffled(builder.sessions, builder.session_order)
    task_rows = [t.row() for t in tasks]
    session_rows = [s.row() for s in sessions]
    ref = reference(task_rows, session_rows)
    check(tasks, sessions, ref)

    revenue = RevenueBuilder(args.seed, builder, tasks, sessions)
    revenue.build()
    session_rows = [s.row() for s in sessions]  # now with HAS_FORM

    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "tasks.csv", TASK_HEADER, task_rows, csv.QUOTE_ALL)
    write_csv(args.out / "sessions.csv", SESSION_HEADER, session_rows, csv.QUOTE_MINIMAL)
    opportunity_rows = revenue.opportunity_rows()
    write_csv(args.out / "opportunities.csv", OPPORTUNITY_HEADER, opportunity_rows, csv.QUOTE_ALL)
    write_csv(args.out / "contact_roles.csv", CONTACT_ROLE_HEADER, revenue.roles, csv.QUOTE_ALL)
    write_csv(args.out / "people.csv", PEOPLE_HEADER, revenue.people, csv.QUOTE_ALL)

    n_visitors = len({s.cookie for s in sessions})
    statuses = Counter(o.status for o in revenue.opportunities)
    print(
        f"wrote opportunities.csv: {len(opportunity_rows)} rows ({len(revenue.opportunities)} "
        f"opportunities: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + "), "
        f"contact_roles.csv: {len(revenue.roles)} rows, people.csv: {len(revenue.people)} rows, "
        f"{sum(s.has_form for s in sessions)} sessions with HAS_FORM"
    )
    print(f"wrote {args.out / 'tasks.csv'}: {len(task_rows)} rows")
    print(f"wrote {args.out / 'sessions.csv'}: {len(session_rows)} rows, {n_visitors} visitors")
    for name, count in sorted(Counter(t.case for t in tasks).items()):
        print(f"  task case {name}: {count}")
    tagged = [s.case for s in sessions if s.case.startswith(("R", "reject"))]
    for name, count in sorted(Counter(tagged).items()):
        print(f"  session case {name}: {count}")
    blank_type = sum(
        1 for t in tasks if t.type_ == "" and ref.outcomes.get(sf_id18(t.tid), ("",))[0] == "merged"
    )
    print(f"  merged tasks with blank TYPE (R4, all): {blank_type}")
    totals = Counter(outcome for outcome, _ in ref.outcomes.values())
    print(
        "expected (30m window): "
        + ", ".join(f"{k}={v}" for k, v in sorted(totals.items()))
        + f"; task duplicates={ref.task_duplicates}, task rejects={len(ref.task_rejects)}"
        + f"; session duplicates={ref.session_duplicates}"
        + f", session rejects={len(ref.session_rejects)}"
    )


if __name__ == "__main__":
    main()

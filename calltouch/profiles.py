"""Export profiles: the header names (and habits) of the tools analysts export from.

A profile names, per field, the headers that tool writes, in priority order. Detection maps a
file's header with every profile of its role (each profile's own names first, then the generic
names of SPEC §3) and picks the profile that maps the required fields with the most of its own
names; ``--profile`` forces one. Vendor call logs (CallTrackingMetrics, CallRail, Invoca) keep
the BizibleId in a custom field the user names with ``--map tasks.bizible_id=COLUMN``.

Promise: detection is deterministic (ties go to the profile listed first) and explains itself:
when no profile can read a file, the error comes from the closest one, with its hint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from calltouch.errors import InputError, UsageError
from calltouch.inputs import ALL_ROLES, FIELDS, ColumnMapping, Role, map_columns


@dataclass(frozen=True)
class Profile:
    """One export format."""

    name: str
    description: str
    aliases: Mapping[Role, Mapping[str, tuple[str, ...]]]
    defaults: Mapping[str, str] = field(default_factory=dict)  # task field -> constant
    footer: bool = False  # may end with a Salesforce report footer
    utc: bool = False  # the tool writes times without a zone in UTC
    local: bool = False  # the tool writes them in its user's zone (a Salesforce report)
    # the tool's ids are Salesforce's (a 15-character one gets its 18-character form); a
    # call-tracking vendor's call ids and phone numbers are its own, kept as written
    salesforce_ids: bool = True
    hint: str = ""

    def describes(self, role: Role) -> bool:
        """True when this profile knows files of ``role``."""
        return role in self.aliases


_VENDOR_HINT = (
    "Call-tracking vendors keep the BizibleId in a custom field: name it with "
    "--map tasks.bizible_id=COLUMN."
)

PROFILES: tuple[Profile, ...] = (
    Profile(
        "salesforce",
        "Salesforce API / Data Loader export of Tasks (API names, any case, ISO timestamps)",
        {
            "tasks": {
                "task_id": ("Id",),
                "bizible_id": ("bizible2__BizibleId__c",),
                "touchpoint_date": ("bizible2__Bizible_Touchpoint_Date__c",),
                "call_time": ("CreatedDate",),
                "task_type": ("Type",),
                "who_id": ("WhoId",),
                "subject": ("Subject",),
                "modstamp": ("LastModifiedDate", "SystemModstamp"),
            }
        },
    ),
    Profile(
        "warehouse",
        "Marketo Measure data warehouse (BIZ_CRM_TASKS, BIZ_SESSIONS; naive UTC timestamps)",
        {
            "tasks": {
                "task_id": ("ID",),
                "bizible_id": ("BIZIBLE_COOKIE_ID",),
                "call_time": ("CREATED_DATE",),
                "task_type": ("ACTIVITY_TYPE",),
                "contact_id": ("CONTACT_ID",),
                "lead_id": ("LEAD_ID",),
                "subject": ("SUBJECT",),
                "modstamp": ("MODIFIED_DATE",),
            },
            "sessions": {
                "session_id": ("ID",),
                "cookie_id": ("COOKIE_ID",),
                "session_start": ("EVENT_DATE",),
                "visitor_id": ("VISITOR_ID",),
                "channel": ("CHANNEL",),
                "medium": ("MEDIUM",),
                "source": ("WEB_SOURCE",),
                "campaign": ("CAMPAIGN_NAME",),
                "ad_name": ("AD_NAME",),
                "landing_page": ("LANDING_PAGE",),
                "referrer_page": ("REFERRER_PAGE",),
                "search_phrase": ("SEARCH_PHRASE",),
                "modstamp": ("MODIFIED_DATE",),
            },
        },
        utc=True,
    ),
    Profile(
        "salesforce-report",
        "Salesforce report exported as CSV (column labels, locale timestamps, report footer)",
        {
            "tasks": {
                "task_id": ("Task ID", "Activity ID", "Task/Event ID"),
                "bizible_id": ("BizibleId", "Bizible Id", "Bizible ID", "Bizible Cookie Id"),
                "touchpoint_date": ("Buyer Touchpoint Date", "Bizible Touchpoint Date"),
                "call_time": ("Created Date", "Date Created"),
                "task_type": ("Type", "Task Type"),
                # a report with a Contact ID and a Lead ID column: the person is the contact,
                # else the lead (as the warehouse's CONTACT_ID / LEAD_ID)
                "who_id": ("Contact/Lead ID", "Name ID", "Who ID", "Contact ID"),
                "lead_id": ("Lead ID",),
                "subject": ("Subject",),
                "modstamp": ("Last Modified Date",),
            }
        },
        footer=True,
        local=True,
    ),
    Profile(
        "calltrackingmetrics",
        "CallTrackingMetrics call log (the BizibleId column must be named with --map)",
        {
            "tasks": {
                "task_id": ("Call ID", "SID", "ID"),
                "call_time": ("Called At", "called_at", "Call Date", "Date"),
                "who_id": ("Caller Number", "caller_number", "Caller"),
                "subject": ("Tracking Source", "tracking_source", "Source"),
            }
        },
        defaults={"task_type": "Call"},
        salesforce_ids=False,
        hint=_VENDOR_HINT,
    ),
    Profile(
        "callrail",
        "CallRail call log (the BizibleId column must be named with --map)",
        {
            "tasks": {
                "task_id": ("Call ID", "Call Id", "id"),
                "call_time": ("Start Time", "start_time", "Call Start Time"),
                "who_id": ("Customer Phone Number", "customer_phone_number", "Phone Number"),
                "subject": ("Source", "source", "Tracking Source"),
            }
        },
        defaults={"task_type": "Call"},
        salesforce_ids=False,
        hint=_VENDOR_HINT,
    ),
    Profile(
        "invoca",
        "Invoca call report (the BizibleId column must be named with --map)",
        {
            "tasks": {
                "task_id": ("Transaction ID", "transaction_id", "Call Record ID"),
                # of a report with both, Call Start Time (read in --tasks-tz); a note says
                # when it is read in UTC beside a column whose name says UTC
                "call_time": (
                    "Call Start Time",
                    "Start Time (UTC)",
                    "start_time_utc",
                    "Start Time",
                ),
                "who_id": ("Calling Phone Number", "calling_phone_number", "Caller ID"),
                "subject": ("Call Source", "Media Type", "media_type", "call_source_description"),
            }
        },
        defaults={"task_type": "Call"},
        salesforce_ids=False,
        hint=_VENDOR_HINT,
    ),
    Profile(
        "generic",
        "any export using the field names the README lists (API, Data Loader, warehouse or "
        "snake_case)",
        {role: {f.name: f.aliases for f in fields} for role, fields in FIELDS.items()},
    ),
)
BY_NAME = {p.name: p for p in PROFILES}


def names(role: Role | None = None) -> list[str]:
    """Profile names, optionally only those that describe ``role``."""
    return [p.name for p in PROFILES if role is None or p.describes(role)]


def parse_profiles(items: Sequence[str]) -> dict[Role, str]:
    """``--profile NAME`` (every role the profile describes) or ``--profile ROLE=NAME``; as
    for --encoding, a later item wins for its inputs (``--profile warehouse --profile
    tasks=salesforce``), but two ROLE=NAME items naming other profiles for one input
    contradict each other, and are refused as --map refuses a field given twice."""
    chosen: dict[Role, str] = {}
    explicit: dict[Role, str] = {}
    for item in items:
        role_text, sep, name = item.partition("=")
        name = name.strip() if sep else role_text.strip()
        if not sep:
            roles = [r for r in ALL_ROLES if describes(name, r)]
        else:
            # as --map, --encoding and --date-order read it: Tasks=, contact-roles=
            role_text = role_text.strip().replace("-", "_").lower()
            roles = [role_text] if role_text in ALL_ROLES else []
            if not roles:
                raise UsageError(
                    f"--profile {item!r}: {role_text!r} is not an input calltouch reads",
                    hint="Use --profile NAME or --profile ROLE=NAME, ROLE being tasks, "
                    "sessions, opportunities, contact_roles or people.",
                )
        if name not in BY_NAME:
            raise UsageError(
                f"--profile {item!r}: no profile named {name!r}",
                hint=f"Profiles: {', '.join(names())}.",
            )
        for role in roles:
            if not BY_NAME[name].describes(role):  # type: ignore[arg-type]
                raise UsageError(
                    f"--profile {item!r}: profile {name!r} does not describe {role}",
                    hint=f"{role} profiles: {', '.join(names(role))}.",  # type: ignore[arg-type]
                )
            earlier = explicit.get(role)  # type: ignore[call-overload]
            if sep and earlier is not None and earlier != name:
                raise UsageError(
                    f"--profile gives {role} two profiles: {earlier!r} and {name!r}",
                    hint=f"Keep the one --profile {role}=NAME that describes the {role} files.",
                )
            if sep:
                explicit[role] = name  # type: ignore[index]
            chosen[role] = name  # type: ignore[index]
    return chosen


def describes(name: str, role: str) -> bool:
    """Whether a profile named ``name`` exists and describes ``role`` files."""
    profile = BY_NAME.get(name)
    return profile is not None and profile.describes(role)  # type: ignore[arg-type]


def _aliases_for(profile: Profile, role: Role) -> dict[str, tuple[str, ...]]:
    own = profile.aliases[role]
    generic = BY_NAME["generic"].aliases[role]
    return {f.name: tuple(own.get(f.name, ())) + tuple(generic[f.name]) for f in FIELDS[role]}


_TIME_FIELDS = frozenset({"session_start", "touchpoint_date", "call_time"})


def _own_score(profile: Profile, role: Role, header: Sequence[str]) -> tuple[int, int]:
    """How many of the required fields (a task's call time: either date) the header has under
    the profile's own names, then how many fields in all. A snake_case sessions export whose
    `channel` is the warehouse's CHANNEL is no warehouse export (whose times are UTC): only its
    required fields' names say which tool wrote a file."""
    present = {h.strip().lower() for h in header}
    own = profile.aliases[role]
    generic = {a.lower() for names in BY_NAME["generic"].aliases[role].values() for a in names}
    if profile.defaults:
        # a profile that fills fields itself (a call log's Type) is told by the names only its
        # tool writes: `Id` or `source` in a file of SPEC names made it a CallTrackingMetrics
        # log, every call typed 'Call', medium 'Call'
        present -= generic
    found = {name for name, aliases in own.items() if any(a.lower() in present for a in aliases)}
    required = {f.name for f in FIELDS[role] if f.required}
    if role == "tasks":
        required |= {"touchpoint_date", "call_time"}
    if profile.utc or profile.local:
        # a profile that says in which zone its tool writes times is told by its time
        # column's name, or by a required field's name no other tool writes (a report's
        # `Task ID`): `ID,BizibleId,start_time` (the warehouse's ID) and
        # `task_id,BizibleId,call_time` (a report's BizibleId) drew a note on their zone
        own_only = {
            name
            for name, aliases in own.items()
            if any(a.lower() in present - generic for a in aliases)
        }
        if not found & required & _TIME_FIELDS and not own_only & required:
            return 0, len(found)
    return len(found & required), len(found)


@dataclass(frozen=True)
class Detection:
    """The profile chosen for a file and the column mapping it gives."""

    profile: Profile
    mapping: ColumnMapping
    forced: bool


def detect(
    role: Role,
    header: Sequence[str],
    file: str,
    overrides: Mapping[str, str] | None = None,
    forced: str | None = None,
) -> Detection:
    """Choose the profile for a file and map its columns; raise InputError if none can."""
    if forced is not None:
        profile = BY_NAME[forced]
        try:
            mapping = map_columns(role, header, file, overrides, _aliases_for(profile, role))
        except InputError as exc:
            raise type(exc)(
                f"{exc.message} (profile {profile.name})", hint=_join(exc.hint, profile.hint)
            ) from exc
        return Detection(profile, _noting_defaults(profile, mapping), forced=True)
    candidates = [p for p in PROFILES if p.describes(role)]
    # a profile none of whose own names the header has would only map it by the generic
    # names, and label it with what the profile implies (a warehouse's UTC times, a vendor's
    # default Type): generic comes before it
    scores = {p.name: _own_score(p, role, header) for p in candidates}
    ranked = sorted(
        candidates,
        key=lambda p: (
            p.name != "generic" and scores[p.name][0] == 0,
            p.name == "generic",
            -scores[p.name][0],
            -scores[p.name][1],
        ),
    )
    first_error: InputError | None = None
    for profile in ranked:
        try:
            mapping = map_columns(role, header, file, overrides, _aliases_for(profile, role))
        except InputError as exc:
            if first_error is None:  # of its kind: a column missing, or a --map naming none
                first_error = type(exc)(exc.message, hint=_join(exc.hint, profile.hint))
            continue
        return Detection(profile, _noting_defaults(profile, mapping), forced=False)
    assert first_error is not None
    raise first_error


def _noting_defaults(profile: Profile, mapping: ColumnMapping) -> ColumnMapping:
    """The mapping with a note for each field the profile fills itself (a call log's Type:
    Call), which the mapping alone does not show."""
    for name, value in profile.defaults.items():
        if name not in mapping.columns:
            continue
        column = mapping.header_of(name)
        where = "for every row" if column is None else f"where {column!r} is blank"
        mapping.notes.append(f"{name} is {value!r} {where} (the {profile.name} profile's default)")
    return mapping


def _join(*parts: str | None) -> str | None:
    text = " ".join(p for p in parts if p)
    return text or None

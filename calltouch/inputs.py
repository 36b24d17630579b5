"""Find input files and map their headers to calltouch's fields (SPEC §3).

This module promises:

* ``resolve`` turns a path, a folder or a glob into a sorted list of CSV/Parquet files, or raises
  an :class:`~calltouch.errors.InputError` saying what was looked for; ``folder_notes`` names
  the other files a folder or glob holds, which are not read, and the files a folder reads
  from its subfolders.
* ``sniff_csv`` reads a CSV file's encoding (BOM), delimiter and header without DuckDB, and
  refuses a file that is not text (a Parquet file, a workbook, a ZIP archive), saying which.
* ``map_columns`` matches headers case-insensitively (after stripping a BOM and white space)
  against the recognised names, applies ``--map`` overrides, and fails with the file, the
  missing field and the headers that were found.

Nothing here runs a query that computes; it only decides what the loader will read.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import glob
import gzip
import io
import os
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import takewhile
from pathlib import Path
from typing import BinaryIO, Literal, TypeVar

from calltouch.errors import (
    InputError,
    MissingFieldError,
    UnreadableInputError,
    UsageError,
    refuse_name,
)
from calltouch.outputs import column_keys
from calltouch.timeformats import DateOrder

Role = Literal["tasks", "sessions", "opportunities", "contact_roles", "people"]
ROLES: tuple[Role, ...] = ("tasks", "sessions")  # the inputs of a match
REVENUE_ROLES: tuple[Role, ...] = ("opportunities", "contact_roles", "people")
ALL_ROLES: tuple[Role, ...] = ROLES + REVENUE_ROLES

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Field:
    """One calltouch field: its name, the headers that mean it (by priority), if required, and
    (for the revenue inputs) the kind of value it holds."""

    name: str
    aliases: tuple[str, ...]
    required: bool = False
    description: str = ""
    kind: str = "text"  # text, id (a Salesforce id), time, date, bool, amount
    # kept as read and used by no rule (a contact role's IsPrimary): a value its kind cannot
    # read is stored blank, never the reason to reject the row
    unused: bool = False


# A record deleted in Salesforce that the export still holds (Data Loader's Export All, the
# warehouse's recent deletions): its row is rejected (a task is no touchpoint, a revenue
# record is never attributed; load_tasks, load_records; a session, _load.session_checks).
_DELETED = Field(
    "is_deleted",
    ("IsDeleted", "IS_DELETED", "is_deleted"),
    False,
    "the record was deleted (IsDeleted)",
    "bool",
)
# Fivetran's (and Stitch's) warehouse copy of Salesforce spells a custom field of the Bizible
# package in snake case: bizible2__BizibleId__c is bizible_2_bizible_id_c
FIVETRAN_BIZIBLE_ID = "bizible_2_bizible_id_c"

TASK_FIELDS: tuple[Field, ...] = (
    Field("task_id", ("Id", "ID", "task_id", "TaskId", "Task_Id"), True, "Salesforce Task id"),
    Field(
        "bizible_id",
        (
            "bizible2__BizibleId__c",
            "BizibleId",
            "BIZIBLE_COOKIE_ID",
            "bizible_id",
            "_biz_uid",
            "COOKIE_ID",
            FIVETRAN_BIZIBLE_ID,
        ),
        True,
        "the visitor's BizibleId cookie (_biz_uid)",
    ),
    Field(
        "touchpoint_date",
        (
            "bizible2__Bizible_Touchpoint_Date__c",
            "BIZIBLE_TOUCHPOINT_DATE",
            "touchpoint_date",
            "bizible_2_bizible_touchpoint_date_c",
        ),
        False,
        "Buyer Touchpoint Date: the call time, preferred when present",
    ),
    Field(
        "call_time",
        ("CreatedDate", "CREATED_DATE", "call_time"),
        False,
        "CreatedDate: the call time when there is no Buyer Touchpoint Date",
    ),
    Field("task_type", ("Type", "ACTIVITY_TYPE", "task_type", "TaskSubtype"), False, "Task Type"),
    Field("who_id", ("WhoId", "WHO_ID", "who_id"), False, "the lead or contact (WhoId)"),
    Field("contact_id", ("CONTACT_ID", "ContactId"), False, "contact id (warehouse)"),
    Field("lead_id", ("LEAD_ID", "LeadId"), False, "lead id (warehouse)"),
    Field("subject", ("Subject", "SUBJECT", "subject"), False, "Task Subject, carried through"),
    _DELETED,
    Field(
        "modstamp",
        ("LastModifiedDate", "SystemModstamp", "MODIFIED_DATE", "LAST_MODIFIED_DATE"),
        False,
        "last modification time, for de-duplication (R9)",
    ),
)

SESSION_FIELDS: tuple[Field, ...] = (
    Field("session_id", ("ID", "Id", "session_id", "SESSION_ID"), True, "web session id"),
    Field(
        "cookie_id",
        ("COOKIE_ID", "bizible_id", "BizibleId", "_biz_uid", "BIZIBLE_COOKIE_ID"),
        True,
        "the visitor's BizibleId cookie",
    ),
    Field(
        "session_start",
        ("EVENT_DATE", "session_start", "start_time", "SESSION_START"),
        True,
        "when the session started",
    ),
    Field("visitor_id", ("VISITOR_ID", "visitor_id"), False, "Marketo Measure visitor id"),
    Field(
        "channel", ("CHANNEL", "channel", "CHANNEL_NAME"), False, "channel or Channel.Subchannel"
    ),
    Field("subchannel", ("SUBCHANNEL", "subchannel", "SUB_CHANNEL"), False, "subchannel"),
    Field("medium", ("MEDIUM", "medium"), False, "medium"),
    Field("source", ("WEB_SOURCE", "source", "SOURCE"), False, "web source"),
    Field("campaign", ("CAMPAIGN", "CAMPAIGN_NAME", "campaign"), False, "campaign"),
    Field("ad_name", ("AD_NAME", "ad_name", "AD"), False, "ad"),
    Field("landing_page", ("LANDING_PAGE", "landing_page"), False, "landing page"),
    Field("referrer_page", ("REFERRER_PAGE", "referrer_page", "REFERRER"), False, "referrer"),
    Field("search_phrase", ("SEARCH_PHRASE", "search_phrase"), False, "search phrase"),
    Field(
        "modstamp",
        ("MODIFIED_DATE", "LastModifiedDate", "SystemModstamp", "LAST_MODIFIED_DATE"),
        False,
        "last modification time, for de-duplication (R9)",
    ),
    Field("has_form", ("HAS_FORM", "has_form", "IS_FORM"), False, "the visit filled a web form"),
    # the warehouse keeps a deleted session a while (IS_DELETED true): its row is rejected
    Field(
        "is_deleted",
        _DELETED.aliases,
        False,
        "the session was deleted (IS_DELETED)",
        "bool",
    ),
)

_MODSTAMP = Field(
    "modstamp",
    ("LastModifiedDate", "SystemModstamp", "MODIFIED_DATE", "LAST_MODIFIED_DATE"),
    False,
    "last modification time, for de-duplication",
    "time",
)
OPPORTUNITY_FIELDS: tuple[Field, ...] = (
    Field(
        "opportunity_id",
        ("Id", "ID", "opportunity_id", "Opportunity ID"),
        True,
        "Opportunity id",
        "id",
    ),
    Field("amount", ("Amount", "AMOUNT", "amount"), False, "the opportunity's amount", "amount"),
    Field(
        "currency",
        (
            "CurrencyIsoCode",
            "CURRENCY_ISO_CODE",
            "currency",
            "Opportunity Currency",
            "Amount Currency",
        ),
        False,
        "the amount's currency (a multi-currency org's exports)",
    ),
    Field(
        "created_date",
        ("CreatedDate", "CREATED_DATE", "created_date", "Created Date"),
        True,
        "when the opportunity was created",
        "time",
    ),
    Field(
        "close_date",
        ("CloseDate", "CLOSE_DATE", "close_date", "Close Date"),
        True,
        "close date",
        "date",
    ),
    # a report's labels too: Won, Closed, Stage
    Field("is_won", ("IsWon", "IS_WON", "is_won", "Won"), False, "won", "bool"),
    Field("is_closed", ("IsClosed", "IS_CLOSED", "is_closed", "Closed"), False, "closed", "bool"),
    Field(
        "stage", ("StageName", "STAGE_NAME", "stage", "Stage", "Opportunity Stage"), False, "stage"
    ),
    Field("account_id", ("AccountId", "ACCOUNT_ID", "account_id"), False, "account", "id"),
    Field(
        "primary_contact_id",
        ("PRIMARY_CONTACT_ID", "primary_contact_id"),
        False,
        "primary contact (warehouse)",
        "id",
    ),
    Field(
        "converted_from_lead_id",
        ("CONVERTED_FROM_LEAD_ID", "converted_from_lead_id"),
        False,
        "lead the opportunity was converted from (warehouse)",
        "id",
    ),
    _DELETED,
    _MODSTAMP,
)
CONTACT_ROLE_FIELDS: tuple[Field, ...] = (
    Field(
        "opportunity_id",
        ("OpportunityId", "OPPORTUNITY_ID", "opportunity_id"),
        True,
        "the opportunity",
        "id",
    ),
    Field("contact_id", ("ContactId", "CONTACT_ID", "contact_id"), True, "the contact", "id"),
    Field("is_primary", ("IsPrimary", "IS_PRIMARY", "is_primary"), False, "primary", "bool", True),
    Field("role", ("Role", "ROLE"), False, "the contact's role"),
    _DELETED,
    _MODSTAMP,
)
PEOPLE_FIELDS: tuple[Field, ...] = (
    Field("person_id", ("Id", "ID", "person_id"), True, "Lead or Contact id", "id"),
    Field(
        "bizible_id",
        (
            "bizible2__BizibleId__c",
            "BIZIBLE_COOKIE_ID",
            "BizibleId",
            "bizible_id",
            "_biz_uid",
            "COOKIE_ID",
            FIVETRAN_BIZIBLE_ID,
        ),
        False,
        "the person's BizibleId cookie",
    ),
    Field(
        "converted_contact_id",
        ("ConvertedContactId", "CONVERTED_CONTACT_ID", "converted_contact_id"),
        False,
        "for a converted lead, its contact",
        "id",
    ),
    _DELETED,
    _MODSTAMP,
)

FIELDS: dict[Role, tuple[Field, ...]] = {
    "tasks": TASK_FIELDS,
    "sessions": SESSION_FIELDS,
    "opportunities": OPPORTUNITY_FIELDS,
    "contact_roles": CONTACT_ROLE_FIELDS,
    "people": PEOPLE_FIELDS,
}


def field_names(role: Role) -> list[str]:
    """The field names of ``role``, in declaration order."""
    return [f.name for f in FIELDS[role]]


# ----------------------------------------------------------------------------- files


def file_format(path: Path) -> Literal["csv", "parquet"] | None:
    """'csv' or 'parquet' by the file's extension; None for anything else."""
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    return None


def _has_magic(spec: str) -> bool:
    return any(ch in spec for ch in "*?[")


# The extensions of a file name: an --out folder (not yet there) named so was meant as a file.
_FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".gz", ".parquet", ".json", ".xlsx", ".duckdb", ".html")


def refuse_file_named_out(out: Path, writes: Iterable[str], *, meant_folder: bool = False) -> None:
    """Refuse a new --out folder named like a file (``result.csv``): it would become a folder
    of that name holding the outputs (``writes``: their file names), where ``report`` and
    ``export`` take -o as a file. An existing file is ensure_dir's to refuse. ``meant_folder``:
    the name was written with a trailing slash (``--out result.csv/``), a folder meant."""
    if out.suffix.lower() in _FILE_SUFFIXES and not out.exists() and not meant_folder:
        raise UsageError(
            f"--out {out} names a file, but --out is the folder the outputs are written into "
            f"({', '.join(writes)} ...)",
            hint=f"Give a folder, e.g. --out {out.with_suffix('')}/, or --out {out}/ (with the "
            "slash) for a folder of that very name; an existing folder is used as it is.",
        )


def refuse_out_among_inputs(
    out: Path,
    specs: Mapping[str, str | Path | None],
    writes: Iterable[str],
    *,
    meant_folder: bool = False,
) -> None:
    """Refuse an output folder that an input folder or glob reads from: the next run would
    read the outputs (``writes``: the names the command writes, without extension, as CSV or
    Parquet) as exports of that input. ``specs``: the inputs' FILE arguments by role (None:
    not given). Paths are compared resolved (symlinks, ``..``); a glob is matched as glob
    reads it (``*`` within one folder, ``**`` across folders, dot-names skipped). An input
    file that is one of the outputs (``out/rejects.csv`` given as tasks) is refused too:
    writing the outputs would replace it.

    A new --out named like a file is refused too (:func:`refuse_file_named_out`), unless
    ``meant_folder``."""
    refuse_file_named_out(out, [f"{name}.csv" for name in writes], meant_folder=meant_folder)
    names = [f"{name}.{ext}" for name in writes for ext in ("csv", "parquet")]
    target = out.expanduser().resolve()
    for role, spec in specs.items():
        if spec is None:
            continue
        text = str(spec)
        path = Path(text).expanduser()
        if path.is_dir():
            folder = path.resolve()
            if target == folder or folder in target.parents:
                raise UsageError(
                    f"--out {out} is the {role} folder {text} or inside it, and that folder "
                    "is read with every file in it: the next run would read these outputs "
                    f"as {role} exports",
                    hint=f"Write the outputs to a folder outside '{text}'.",
                )
        elif path.is_file():
            for name in names:
                written = target / name
                if written.exists() and os.path.samefile(written, path):
                    raise UsageError(
                        f"the {role} file {text} is {out / name}, one of the files this command "
                        "writes (or removes, in the other format) in --out: the export would "
                        "be lost",
                        hint="Write the outputs to another folder, or rename the export.",
                    )
        elif _has_magic(text):
            literal = list(takewhile(lambda p: not _has_magic(p), path.parts))
            fixed, rest = Path(*literal).resolve(), path.parts[len(literal) :]
            # the folders the pattern reaches now (through symlinks and '..' in its wildcard
            # part), and those it would reach if --out were created where it is named
            reached = {
                Path(d).resolve()
                for d in glob.glob(str(path.parent), recursive=True)
                if Path(d).is_dir()
            }
            now = target in reached and any(fnmatch.fnmatchcase(name, path.name) for name in names)
            inside = target.relative_to(fixed).parts if fixed in (target, *target.parents) else None
            if now or (
                inside is not None and any(_glob_matches(rest, (*inside, name)) for name in names)
            ):
                raise UsageError(
                    f"--out {out} is a folder the {role} pattern {text} reads from: the next "
                    f"run would read these outputs as {role} exports",
                    hint="Write the outputs to a folder the pattern does not reach.",
                )


def _glob_matches(pattern: Sequence[str], parts: Sequence[str]) -> bool:
    """Whether the path ``parts`` (relative to the pattern's fixed folder) is one glob would
    list for the pattern components ``pattern``: ``**`` is any number of folders, other
    components match one name each (fnmatch, case-sensitive like the file system)."""
    if not pattern:
        return not parts
    head, *tail = pattern
    if head == "**":  # any number of folders, none of them hidden (glob skips dot-names)
        depths = range(len(parts) + 1)
        return any(
            _glob_matches(tail, parts[i:])
            for i in depths
            if not any(p.startswith(".") for p in parts[:i])
        )
    hidden = bool(parts) and parts[0].startswith(".") and not head.startswith(".")
    return (
        bool(parts)
        and not hidden
        and fnmatch.fnmatchcase(parts[0], head)
        and _glob_matches(tail, parts[1:])
    )


def _lock_file(name: str) -> bool:
    """Whether ``name`` is an Office owner file (``~$tasks.csv``): Excel writes one beside
    each file it has open, hidden by attribute on Windows, not by name; it is no export."""
    return name.startswith("~$")


def _listed(spec: str | Path) -> list[Path] | None:
    """Every file a folder (its hidden files and folders aside) or a glob names, sorted, Office
    lock files aside; None when ``spec`` is neither."""
    text = str(spec)
    path = Path(text).expanduser()
    if path.is_file():
        return None
    if path.is_dir():
        return _folder_files(path)
    if _has_magic(text):
        matched = [Path(p) for p in glob.glob(text, recursive=True)]
        _refuse_dangling(f"pattern {text} matches", matched)
        return _once_each(p for p in matched if p.is_file() and not _lock_file(p.name))
    return None


def _refuse_dangling(where: str, paths: Iterable[Path]) -> None:
    """Refuse a link named like an export that leads to no file (a share not mounted, a link
    that loops): left out unsaid, its rows were lost with exit 0, where the same file named
    alone was 'does not exist', exit 2."""
    for path in paths:
        if path.is_symlink() and not path.exists() and file_format(path) is not None:
            raise InputError(
                f"{where} {path}, a link to a file that cannot be read "
                f"({os.readlink(path)}: missing, or a loop of links)",
                hint="Mount or restore what it links to, or remove the link: every export of "
                "a folder or glob is read, none is left out unsaid.",
            )


def _once_each(files: Iterable[Path]) -> list[Path]:
    """``files`` sorted, each file once: a glob's ** follows linked folders (exports/latest
    -> 2026-03-09), and reached both ways a file was read twice, the linked copy last (R9's
    'last read': other touchpoints than the folder's), or, through a link back up the tree,
    dozens of times; a linked file (tasks_latest.csv) was read twice too. The path kept is
    the one through the fewest links (the real one, as the folder walk names folders), then
    the first."""
    paths: dict[tuple[int, int], list[Path]] = {}
    for path in files:
        try:
            status = path.stat()
        except OSError:
            continue
        paths.setdefault((status.st_dev, status.st_ino), []).append(path)
    # the links counted only among the paths of one file (one lstat a component)
    return sorted(
        ways[0] if len(ways) == 1 else min(ways, key=lambda p: (_links_in(p), p))
        for ways in paths.values()
    )


def _links_in(path: Path) -> int:
    """How many of ``path``'s components (itself and its folders) are symbolic links."""
    return sum(1 for part in (path, *path.parents) if part.is_symlink())


def _folder_files(folder: Path) -> list[Path]:
    """Every file under ``folder``, its hidden files and folders and Office lock files aside,
    sorted. A folder that
    goes away while it is listed (a sync client's temporary folder) is skipped; one that
    cannot be read stops the listing, rather than its files being left out unsaid. Linked
    subfolders are followed (exports kept elsewhere and linked in were left out unsaid), each
    folder read once: a link to a folder already listed, or back up the tree, adds nothing.
    The real tree is walked first, then the linked folders, so a folder reached both ways is
    named by its real path, whatever sorts first (archive/latest -> zz/2026); and a file
    reached by several paths (a linked file, tasks_latest.csv) is read once, by the path
    through the fewest links, as a glob's files are (:func:`_once_each`)."""

    def failed(exc: OSError) -> None:
        if isinstance(exc, FileNotFoundError):
            return
        raise UnreadableInputError(
            f"cannot list folder {exc.filename or folder}: {exc.strerror or exc}",
            hint="Give calltouch read access to it, or name the files to read instead.",
        )

    found: list[Path] = []
    listed: set[tuple[int, int]] = set()
    linked: list[str] = []

    def walk(top: str | Path, follow: bool) -> None:
        for parent, dirs, files in os.walk(top, onerror=failed, followlinks=follow):
            try:
                status = os.stat(parent)
            except FileNotFoundError:
                dirs[:] = []
                continue
            if (status.st_dev, status.st_ino) in listed:
                dirs[:] = []
                continue
            listed.add((status.st_dev, status.st_ino))
            visible = sorted(d for d in dirs if not d.startswith("."))
            links = [d for d in visible if os.path.islink(os.path.join(parent, d))]
            if not follow:  # the real tree first; its linked folders after
                linked.extend(os.path.join(parent, d) for d in links)
            dirs[:] = [d for d in visible if d not in links] + (links if follow else [])
            found.extend(
                Path(parent, name)
                for name in files
                if not name.startswith(".") and not _lock_file(name)
            )

    walk(folder, False)
    for link in sorted(linked):
        walk(link, True)
    _refuse_dangling(f"folder {folder} holds", found)
    return _once_each(p for p in found if p.is_file())


def resolve(spec: str | Path, role: Role | None) -> list[Path]:
    """The files that ``spec`` (a file, a folder or a glob) names, sorted by path. ``role``
    names the input in errors (None: not known yet, as for ``inspect`` without --role). A
    file whose name DuckDB cannot open is refused (:func:`calltouch.errors.name_problem`:
    bytes of another encoding, from an old archive; a name under a locale whose file names
    are not UTF-8)."""
    found = _resolve(spec, role)
    for path in found:
        refuse_name(path, InputError, f"{role + ' ' if role else ''}file")
    return found


def _resolve(spec: str | Path, role: Role | None) -> list[Path]:
    text = str(spec)
    what = f"{role} " if role else ""
    path = Path(text).expanduser()
    if path.is_file():
        if file_format(path) is None:
            packed = path.name.lower().endswith(".parquet.gz")
            raise InputError(
                f"{what}file {text} is neither CSV nor Parquet (by its extension)"
                + (": a gzip-compressed Parquet file" if packed else ""),
                hint=_UNPACK_PARQUET
                if packed
                else "Name it .csv, .tsv, .txt (optionally .gz) or .parquet.",
            )
        return [path]
    if path.is_dir():
        found = [p for p in _listed(path) or [] if file_format(p) is not None]
        if not found:
            raise InputError(
                f"{what}folder {text} holds no CSV or Parquet files",
                hint="Point at the export files, or a folder that contains .csv/.parquet files.",
            )
        return found
    if _has_magic(text):
        usable = [p for p in _listed(text) or [] if file_format(p) is not None]
        if not usable:
            # a folder it matches that holds exports: the folder was meant
            folders = sorted(
                p
                for p in glob.glob(text, recursive=True)
                if Path(p).is_dir() and any(file_format(f) for f in _listed(p) or [])
            )
            raise InputError(
                f"{what}pattern {text} matches no CSV or Parquet files"
                + (f", but the folder {folders[0]}, which holds some" if folders else ""),
                hint=f"Give the folder itself ({folders[0]}), or a pattern of its files "
                f"('{Path(folders[0]) / '*'}')."
                if folders
                else "Check the pattern; quote it so the shell does not expand it first.",
            )
        return usable
    if path.exists():  # /dev/null, a named pipe, <(zcat tasks.csv.gz)
        raise InputError(
            f"{what}input {text} is not a regular file (a device or a pipe)",
            hint="calltouch reads an export more than once: save it to a file first (.gz files "
            "are read as they are).",
        )
    raise InputError(
        f"{what}input {text} does not exist",
        hint="Give a file, a folder or a glob such as "
        f"'exports/{role + '_' if role else ''}*.csv'.",
    )


# calltouch's own files, which a folder of exports may hold beside them: not worth a note.
_OWN_FILES = re.compile(r"(^summary\.json|\.duckdb|\.duckdb\.wal)$", re.IGNORECASE)
SKIPPED_SHOWN = 3


def _skipped(listed: list[Path]) -> list[Path]:
    """Of the files a folder or glob lists, those :func:`resolve` leaves out: neither CSV nor
    Parquet by their extension (calltouch's own files aside)."""
    return [p for p in listed if file_format(p) is None and not _OWN_FILES.search(p.name)]


def _count(paths: Sequence[object]) -> str:
    return f"{len(paths)} file{'s' if len(paths) > 1 else ''}"


def _first_few(names: Sequence[str]) -> str:
    """The first SKIPPED_SHOWN of ``names``, and how many more."""
    more = len(names) - SKIPPED_SHOWN
    return ", ".join(names[:SKIPPED_SHOWN]) + (f" and {more} more" if more > 0 else "")


def folder_notes(spec: str | Path) -> list[str]:
    """The notes on what a folder or glob ``spec`` reads (listed once): the files it leaves
    out, neither CSV nor Parquet; and, for a folder with files of its own, those it also
    reads from its subfolders (an archive folder inside an export folder is read too, and
    its copies can win R9; a folder of subfolders only is a partitioned export, read as it
    should be)."""
    listed = _listed(spec) or []
    folder = Path(str(spec)).expanduser()
    is_folder = folder.is_dir()
    notes = []
    skipped = _skipped(listed)
    if skipped:
        names = [str(p.relative_to(folder)) if is_folder else str(p) for p in skipped]
        notes.append(
            f"{spec} also {'holds' if is_folder else 'matches'} {_count(skipped)} that "
            f"{'are' if len(skipped) > 1 else 'is'} not read, neither CSV nor Parquet by "
            f"extension: {_first_few(names)}"
        )
    read = [p for p in listed if file_format(p) is not None] if is_folder else []
    own = [p for p in read if p.parent == folder]
    nested = [str(p.relative_to(folder)) for p in read if p.parent != folder]
    if nested and own:
        suffixes = Counter("".join(p.suffixes[-2:]) if p.suffix == ".gz" else p.suffix for p in own)
        suffix = sorted(suffixes.items(), key=lambda item: (-item[1], item[0]))[0][0]
        notes.append(
            f"folder {spec} is read with its subfolders, which give {_count(nested)}: "
            f"{_first_few(nested)} (for the folder's own files only, give a glob such as "
            f"'{folder / ('*' + suffix)}')"
        )
    return notes


# ----------------------------------------------------------------------------- CSV sniffing

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_BYTES = 1 << 16
SAMPLE_ROWS = 500
UNDECODABLE = "calltouch-undecodable"


def _undecodable(exc: UnicodeError) -> tuple[str | bytes, int]:
    """Codec error handler: each undecodable byte becomes a lone surrogate U+DC00+byte when
    decoding (so a record holding one is recognisable), and such a surrogate becomes the byte
    0xFF when encoding to UTF-8 (never valid UTF-8, so DuckDB rejects the same lines)."""
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start : exc.end]
        return "".join(chr(0xDC00 + b) for b in bad), exc.end
    if isinstance(exc, UnicodeEncodeError):
        return b"\xff" * (exc.end - exc.start), exc.end
    raise exc


codecs.register_error(UNDECODABLE, _undecodable)


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: enough for DuckDB and for the independent line scan."""

    encoding: str  # a Python codec name ('utf-8', 'utf-16', 'cp1252', ...)
    delimiter: str
    header: tuple[str, ...]
    bom: bool = False
    sample: tuple[tuple[str, ...], ...] = ()  # the first data records, for sniffing values


def open_bytes(path: Path) -> io.BufferedIOBase:
    """Open a file for reading bytes, transparently gunzipping ``.gz`` files."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def normalise_encoding(name: str) -> str:
    """The canonical Python codec name for ``--encoding`` (utf-8, utf-16, cp1252, ...)."""
    try:
        info = codecs.lookup(name.strip())
    except LookupError as exc:
        raise UsageError(
            f"--encoding {name!r} is not an encoding Python knows",
            hint="Common ones: utf-8, utf-16, windows-1252 (Excel on Windows), latin-1.",
        ) from exc
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FILE_ENCODINGS:
        # base64, hex, zlib, rot13 transform bytes or text; idna and punycode are host names'
        raise UsageError(
            f"--encoding {name!r} is not the encoding of a text file",
            hint="Common ones: utf-8, utf-16-le, windows-1252 (Excel on Windows), latin-1.",
        )
    # utf-8-sig is UTF-8: a BOM is read (and dropped) whatever the encoding named
    canonical = {"utf_8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8", "utf_16": "utf-16"}
    return canonical.get(info.name, info.name)


# Codecs Python knows that no text file is written in.
_NOT_FILE_ENCODINGS = frozenset(
    {"idna", "punycode", "undefined", "raw-unicode-escape", "unicode-escape"}
)


_T = TypeVar("_T")


def _per_role(
    option: str, items: Sequence[str], hint: str, read: Callable[[str, str], _T]
) -> dict[Role, _T]:
    """``OPTION VALUE`` (every input) or ``OPTION ROLE=VALUE`` (one input; a later item wins
    for its inputs): ``read(item, VALUE)`` per role. A ROLE that names no input is a usage
    error."""
    chosen: dict[Role, _T] = {}
    for item in items:
        role_text, sep, text = item.partition("=")
        roles: list[Role] = list(ALL_ROLES)
        if not sep:
            text = role_text
        else:
            role_text = role_text.strip().replace("-", "_").lower()
            if role_text not in ALL_ROLES:
                raise UsageError(
                    f"{option} {item!r}: {role_text!r} is not an input calltouch reads",
                    hint=hint,
                )
            roles = [role_text]  # type: ignore[list-item]
        value = read(item, text)
        for role in roles:
            chosen[role] = value
    return chosen


def parse_encodings(items: Sequence[str]) -> dict[Role, str]:
    """``--encoding [ROLE=]ENCODING``: the canonical codec name per role (see _per_role)."""
    hint = (
        "Use --encoding ENCODING for every input, or --encoding ROLE=ENCODING (ROLE being "
        "tasks, sessions, opportunities, contact_roles or people), e.g. --encoding "
        "tasks=windows-1252."
    )
    return _per_role("--encoding", items, hint, lambda _, name: normalise_encoding(name))


def parse_date_orders(items: Sequence[str]) -> dict[Role, DateOrder]:
    """``--date-order [ROLE=]mdy|dmy``: the day/month order per role (see _per_role), for
    dates the data cannot tell. A day-first report and a month-first export then run
    together."""
    hint = (
        "Use --date-order mdy (3/4/2026 is March 4) or dmy (3 April) for every input, or "
        "--date-order ROLE=ORDER for one (ROLE being tasks, sessions, opportunities, "
        "contact_roles or people), e.g. --date-order tasks=dmy."
    )

    def order(item: str, text: str) -> DateOrder:
        value = text.strip().lower()
        if value not in ("mdy", "dmy"):
            raise UsageError(f"--date-order {item!r}: {value!r} is not mdy or dmy", hint=hint)
        return value  # type: ignore[return-value]

    return _per_role("--date-order", items, hint, order)


def python_codec(encoding: str) -> str:
    """The codec that decodes a file of ``encoding`` (UTF-8 drops a BOM)."""
    return "utf-8-sig" if encoding == "utf-8" else encoding


# Files that are not CSV text however they are named (an .xlsx or a Parquet file renamed to
# .csv, a zipped export), by the bytes they start with.
_SAVE_AS_CSV = (
    "Open it in Excel and save it as 'CSV UTF-8 (Comma delimited)' (or export CSV from "
    "Salesforce), then give calltouch that file."
)


# Parquet compresses inside: a gzip-compressed one is unpacked, never renamed.
_UNPACK_PARQUET = (
    "Unpack it (gunzip) and give calltouch the .parquet file it holds: Parquet is compressed "
    "inside already, and calltouch reads .gz only for CSV."
)


def _gzip_holds_parquet(head: bytes) -> bool:
    """Whether gzip data starting with ``head`` unpacks to a Parquet file."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 4).startswith(b"PAR1")
    except zlib.error:
        return False


def _not_text(head: bytes, path: Path) -> tuple[str, str] | None:
    """(what the file is, how to fix it) when ``head`` starts like a binary format calltouch
    knows; None otherwise."""
    if head.startswith(b"PAR1") and path.name.lower().endswith(".gz"):
        # open_bytes unpacked it: a gzip-compressed Parquet file named .csv.gz
        return "a gzip-compressed Parquet file", _UNPACK_PARQUET
    if head.startswith(b"PAR1"):
        stem = re.sub(r"(\.(csv|tsv|txt))?(\.gz)?$", "", path.name, flags=re.IGNORECASE)
        return "a Parquet file", f"Name it .parquet (e.g. {stem}.parquet) and give calltouch that."
    if head.startswith(b"PK\x03\x04"):
        if b"[Content_Types].xml" in head or b"xl/" in head:
            return "an Excel workbook (.xlsx)", _SAVE_AS_CSV
        return "a ZIP archive", (
            "Unzip it and give calltouch the CSV files inside (it reads .csv.gz, not .zip)."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an old Excel workbook (.xls)", _SAVE_AS_CSV
    if head.startswith(b"\x1f\x8b") and path.name.lower().endswith(".gz"):
        # open_bytes unpacked it once: an archive packed twice
        return "a gzip archive inside a gzip archive", (
            "Unpack it once (gunzip) and give calltouch the .csv.gz it holds."
        )
    if head.startswith(b"\x1f\x8b") and _gzip_holds_parquet(head):
        return "a gzip-compressed Parquet file", _UNPACK_PARQUET
    if head.startswith(b"\x1f\x8b"):  # what open_bytes reads of a file not named .gz
        stem = re.sub(r"\.(csv|tsv|txt|parquet)$", "", path.name, flags=re.IGNORECASE)
        return "a gzip archive", f"Name it .csv.gz (e.g. {stem}.csv.gz) and give calltouch that."
    return None


def not_parquet(path: Path) -> tuple[str, str] | None:
    """(what the file is, how to fix it) when a file named as Parquet starts like CSV text or
    a format _not_text knows; None when it starts as Parquet does (or cannot be read, or is
    something else: DuckDB's reading says what)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return None
    if not head or head.startswith(b"PAR1"):
        return None
    known = _not_text(head, path)
    if known is not None:
        return known
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if "\ufffd" not in text[:-3] and len(lines) > 1 and any(d in lines[0] for d in ",;\t|"):
        return "CSV text", f"Name it .csv (e.g. {path.stem}.csv) and give calltouch that."
    return None


# What reading a broken .gz raises: one cut short (EOFError), damaged inside (zlib.error), or
# not gzip at all (BadGzipFile, an OSError).
BROKEN_GZIP: tuple[type[Exception], ...] = (EOFError, zlib.error, gzip.BadGzipFile)
BROKEN_FILE_HINT = "Check that the file exists, is readable and is not a broken .gz archive."


def cannot_read(role: Role, path: Path, exc: BaseException) -> UnreadableInputError:
    """The error for a CSV file that cannot be read (to its end): missing, unreadable, or a
    broken .gz archive; ``exc`` is what reading it raised."""
    reason = getattr(exc, "strerror", None) or str(exc)
    return UnreadableInputError(
        f"cannot read {role} file {path}: {reason}",
        hint=BROKEN_FILE_HINT,
    )


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when a file starts with Latin text in UTF-16 written without
    a BOM (a NUL byte beside every character), else None: read as UTF-8, its header would be
    'I\x00d\x00...', which no field's name matches."""
    sample = head[: min(len(head), 256) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if all(even) and not any(odd):
        return "utf-16-le"
    if all(odd) and not any(even):
        return "utf-16-be"
    return None


# The longest header line read: the longest line DuckDB reads (max_line_size in _load.sql.j2).
MAX_HEADER_BYTES = 16 * 1024 * 1024


def _header_ends(head: bytes) -> bool:
    """Whether the header record ends in ``head``: a line end outside quotes (one inside a
    quoted header cell, "Multi\nLine Label", is part of the cell)."""
    quotes = 0
    start = 0
    for end in re.finditer(rb"[\r\n]", head):
        quotes += head.count(b'"', start, end.start())
        if quotes % 2 == 0:
            return True
        start = end.start()
    return False


def _read_head(handle: BinaryIO, role: Role, path: Path) -> bytes:
    """The file's first SNIFF_BYTES, and more while the header record has not ended in them
    (a header of thousands of columns), SNIFF_BYTES at a time: the header is read whole,
    never cut. A header longer than MAX_HEADER_BYTES is refused."""
    head = handle.read(SNIFF_BYTES)
    while len(head) % SNIFF_BYTES == 0 and head and not _header_ends(head):
        if len(head) >= MAX_HEADER_BYTES:
            raise InputError(
                f"{role} file {path} has no line end in its first 16 MiB: its header line is "
                "longer than calltouch reads (or the file is not line-based text)",
                hint="Export it again with fewer columns, or check that it is a CSV file.",
            )
        more = handle.read(SNIFF_BYTES)
        if not more:
            break
        head += more
    return head


def sniff_csv(path: Path, role: Role, encoding: str | None = None) -> CsvDialect:
    """Detect encoding (a BOM wins over ``encoding``), delimiter, header and first records."""
    try:
        with open_bytes(path) as handle:
            head = _read_head(handle, role, path)
    except (OSError, *BROKEN_GZIP) as exc:
        raise cannot_read(role, path, exc) from exc
    whole = len(head) % SNIFF_BYTES != 0  # the file ends inside what was read
    found = _not_text(head, path)
    if found is not None:
        kind, fix = found
        raise InputError(f"{role} file {path} is {kind}, not CSV text", hint=fix)
    bom = False
    enc = encoding or _utf16_without_bom(head) or "utf-8"
    for marker, name in BOMS:
        if head.startswith(marker):
            enc, bom = name, True
            break
    if not bom and codecs.lookup(python_codec(enc)).name in ("utf-16", "utf-32"):
        # --encoding utf-16 on a file without a BOM: Python's codec cannot tell the byte order
        guess = _utf16_without_bom(head) if codecs.lookup(enc).name == "utf-16" else None
        if guess is None:
            raise InputError(
                f"{role} file {path} has no byte-order mark, so --encoding {encoding} cannot "
                "tell its byte order",
                hint=f"Pass --encoding {encoding}-le (as Windows writes it) or "
                f"--encoding {encoding}-be; or leave --encoding out if the file is UTF-8.",
            )
        enc = guess
    decoder = codecs.getincrementaldecoder(python_codec(enc))(errors=UNDECODABLE)
    text = decoder.decode(head, final=whole)
    if not whole:
        text = text[: max(text.rfind("\n"), 0)] or text  # the last line may be cut short
    if not text.strip():
        raise InputError(
            f"{role} file {path} is empty" + (" (only white space)" if head else ""),
            hint="Export it again: the file has no header and no rows.",
        )
    _refuse_preamble(text, role, path)
    delimiter = _pick_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        header = [normalise_header(h) for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise InputError(f"{role} file {path} has no readable header line: {exc}") from exc
    if sum(1 for h in header if h) < 2:
        _refuse_title_lines(text, role, path)
    if not any(header):
        raise InputError(
            f"{role} file {path} starts with a blank line instead of a header",
            hint="The first line must hold the column names.",
        )
    if len(header) < 2:
        raise InputError(
            f"{role} file {path} reads as a single column: its header is {header[0][:120]!r}",
            hint="calltouch tried the delimiters , ; tab and |; none splits the header. "
            "Re-export the file as CSV with one of them.",
        )
    rows: list[tuple[str, ...]] = []
    try:
        for row in reader:
            if row:
                rows.append(tuple(row))
            if len(rows) >= SAMPLE_ROWS:
                break
    except csv.Error:
        pass  # a broken record in the sample; the loader's own pass reports it
    return CsvDialect(
        encoding=enc, delimiter=delimiter, header=tuple(header), bom=bom, sample=tuple(rows)
    )


# A first line some writers put before the header: Excel's separator hint (sep=;) and
# PowerShell's Export-Csv type line (#TYPE System.Data.DataRow), with how to be rid of it.
_PREAMBLES = (
    (
        re.compile(r'"?sep=.?"?,*', re.IGNORECASE),
        "Excel's separator line",
        "calltouch finds the delimiter itself",
    ),
    (
        re.compile(r'"?#TYPE .*', re.IGNORECASE),
        "PowerShell's type line",
        "Export-Csv -NoTypeInformation leaves it out",
    ),
)


def _refuse_preamble(text: str, role: Role, path: Path) -> None:
    """Refuse a file whose first line is a writer's preamble, not its header: read as the
    header, it made 'no column for the required field' or 'reads as a single column', whose
    advice (--map, another delimiter) cannot help."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    for pattern, what, avoid in _PREAMBLES:
        if pattern.fullmatch(first):
            raise InputError(
                f"{role} file {path} starts with {what} ({first[:60]!r}), not with its header",
                hint=f"Delete that first line (tail -n +2 FILE > FIXED.csv, or in a text "
                f"editor): the header must be the first line; {avoid}.",
            )


TITLE_LINES = 20  # how far below a title line a header is looked for
_DATA_CELL = re.compile(r"[+\-$€£]?\d[\d\s.,:/+\-TZ]*(?:AM|PM|am|pm|Z)?")


def _refuse_title_lines(text: str, role: Role, path: Path) -> None:
    """Refuse a file whose first line holds at most one cell, when a later line among the
    first TITLE_LINES looks like its header (two cells or more, and the record after it as
    wide): a report saved with its title lines above the header ("Calls last week", the
    company, "As of ..."). Read as the header, the title made 'reads as a single column'
    (advising another delimiter) or 'no column for the required field' (advising --map)."""
    best: tuple[int, int, list[str]] | None = None  # (cells, line, header)
    for delim in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"')
        records: list[tuple[int, list[str]]] = []  # (the line it starts on, its cells)
        try:
            start = 1
            for record in reader:
                records.append((start, record))
                start = reader.line_num + 1
                if len(records) > TITLE_LINES + 1:
                    break
        except csv.Error:
            continue
        for i, (line, cells) in enumerate(records[1:TITLE_LINES], start=1):
            named = sum(1 for c in cells if c.strip())
            if named < 2:
                continue
            following = records[i + 1][1] if i + 1 < len(records) else None
            # a header names columns: a line holding a number or a date-time is a row (a file
            # whose header has one name and blanks: Id,, above T1,abc,2026-03-02 ...)
            # and one of its names is a field's (Created Date, Task ID): a line of plain text
            # (a single-column file's 'Call, inbound', ids) is not taken for a header
            names = not any(_DATA_CELL.fullmatch(c.strip()) for c in cells)
            known = any(_squeezed(c) in _field_names() for c in cells)
            wide = following is None or len(following) == len(cells)
            if names and known and wide and (best is None or named > best[0]):
                best = (named, line, cells)
            break
    if best is None:
        return
    _, line, cells = best
    shown = ", ".join(repr(c.strip()) for c in cells if c.strip())
    raise InputError(
        f"{role} file {path} has {line - 1} line{'s' if line > 2 else ''} before its header, "
        f"which seems to be line {line} ({shown[:160]}): a report's title lines?",
        hint=f"Delete the lines above the header (tail -n +{line} FILE > FIXED.csv, or in a "
        "text editor; exporting the report as 'Details only' leaves them out): the header "
        "must be the first line.",
    )


def _squeezed(name: str) -> str:
    """A header name without case, spaces and underscores: Created Date is CreatedDate."""
    return re.sub(r"[\s_]", "", name).casefold()


@cache
def _field_names() -> frozenset[str]:
    """Every field's names, generic and of each export profile (a vendor log's Call ID,
    Called At), squeezed: what a header line below title lines must hold one of."""
    from calltouch import profiles  # profiles reads this module's fields: imported when used

    names = {a for fields in FIELDS.values() for f in fields for a in f.aliases}
    names.update(
        a
        for profile in profiles.PROFILES
        for fields in profile.aliases.values()
        for aliases in fields.values()
        for a in aliases
    )
    return frozenset(_squeezed(a) for a in names)


def _pick_delimiter(text: str) -> str:
    """The delimiter that gives the most columns consistently over the first lines: among
    those that split the header and give most rows its width (empty cells past it aside),
    the widest. Width alone chose a comma for a semicolon file whose header has a quoted
    label holding commas ("Notiz (Kunde, Vertrieb)"), whose rows then split into one cell."""
    lines = text.splitlines()[:50]
    if len(text) >= SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut short
    sample = "\n".join(lines)
    best, best_score = ",", (False, False, 0, 0)
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delim))
        except csv.Error:
            continue
        rows = [r for r in rows if r]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) >= width and not any(r[width:]))
        score = (width > 1, 2 * consistent > len(rows), width if width > 1 else 0, consistent)
        if score > best_score:
            best, best_score = delim, score
    return best


def normalise_header(name: str) -> str:
    """A header cell without BOM and surrounding white space (case is kept for display);
    bytes the encoding could not decode are shown as U+FFFD, a NUL as its picture U+2400 (a
    NUL is valid UTF-8: shown as U+FFFD, it drew the advice to read the file as Excel's)."""
    text = name.replace("\ufeff", "").replace("\x00", "\u2400").strip()
    return re.sub("[\udc00-\udcff]", "\ufffd", text)


# ----------------------------------------------------------------------------- mapping


def parse_maps(items: Iterable[str]) -> dict[Role, dict[str, str]]:
    """Parse ``--map ROLE.FIELD=COLUMN`` options (an empty COLUMN ignores the field)."""
    result: dict[Role, dict[str, str]] = {role: {} for role in ALL_ROLES}
    for item in items:
        target, sep, column = item.partition("=")
        role, dot, name = target.strip().partition(".")
        role = role.replace("-", "_").lower()
        name = name.lower()  # field names are lower case: TASKS.Call_Time is tasks.call_time
        if not sep or not dot:
            raise UsageError(
                f"--map {item!r} is not ROLE.FIELD=COLUMN",
                hint="For example: --map tasks.call_time=My_Call_Date__c",
            )
        if role not in ALL_ROLES:
            raise UsageError(
                f"--map {item!r}: {target.partition('.')[0].strip()!r} is not an input "
                "calltouch reads",
                hint=f"ROLE is one of {', '.join(ALL_ROLES)}; for example: --map "
                "tasks.call_time=My_Call_Date__c",
            )
        if name not in field_names(role):  # type: ignore[arg-type]
            raise UsageError(
                f"--map {item!r}: {role} have no field {name!r}",
                hint=f"{role} fields: {', '.join(field_names(role))}",  # type: ignore[arg-type]
            )
        earlier = result[role].get(name)  # type: ignore[index]
        if earlier is not None and earlier != column.strip():
            raise UsageError(
                f"--map {role}.{name} is given twice: {earlier!r} and {column.strip()!r}",
                hint=f"Keep the one --map {role}.{name}=COLUMN that names the column to read.",
            )
        result[role][name] = column.strip()  # type: ignore[index]
    return result


@dataclass
class ColumnMapping:
    """Which column of one file feeds each field (index into its header), and notes on it."""

    role: Role
    columns: dict[str, int | None]
    header: tuple[str, ...]
    notes: list[str] = field(default_factory=list)

    def header_of(self, name: str) -> str | None:
        """The header cell a field is read from, or None."""
        idx = self.columns.get(name)
        return None if idx is None else self.header[idx]

    def as_dict(self) -> dict[str, str | None]:
        """Field -> header name, for summaries and ``inspect``."""
        return {name: self.header_of(name) for name in self.columns}


def map_columns(
    role: Role,
    header: Sequence[str],
    file: str,
    overrides: Mapping[str, str] | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> ColumnMapping:
    """Map each field of ``role`` to a column of ``header`` (first alias found wins).

    ``aliases`` (field -> header names in priority order) defaults to the generic names."""
    overrides = overrides or {}
    lowered: dict[str, int] = {}
    duplicates: list[str] = []
    later: str | None = None  # how --map names the first later copy (its key: CreatedDate_2)
    for idx, name in enumerate(header):
        key = normalise_header(name).lower()
        if key in lowered:
            if key:  # blank headers name no field: nothing to say about which one is read
                duplicates.append(name)
                if later is None:
                    later = f"{normalise_header(name)} as {_keys(header)[idx]}"
            continue
        lowered[key] = idx
    columns: dict[str, int | None] = {}
    notes: list[str] = []
    for fld in FIELDS[role]:
        if fld.name in overrides:
            wanted = overrides[fld.name]
            if wanted == "":
                columns[fld.name] = None
                notes.append(f"{fld.name} ignored (--map)")
                continue
            # a header written exactly so first: of `Id` and `ID`, --map ...=ID reads ID
            exact = [i for i, name in enumerate(header) if normalise_header(name) == wanted]
            idx = exact[0] if exact else lowered.get(wanted.lower())
            if idx is None:
                # a repeated header's later column by the name unmatched and inspect give it
                # (CreatedDate_2): the header's own name reads the first
                idx = next((i for i, key in enumerate(_keys(header)) if key == wanted), None)
            if idx is None:
                raise InputError(
                    f"{role} file {file}: --map {role}.{fld.name}={wanted} names no column",
                    hint=f"Headers found: {_show_headers(header)}",
                )
            columns[fld.name] = idx
            continue
        names = fld.aliases if aliases is None else aliases.get(fld.name, ())
        columns[fld.name] = _first_column(names, lowered)
    # A file with CHANNEL only needs the Channel.Subchannel split; with both, they are separate.
    missing = _missing_required(role, columns)
    if missing:
        first = missing[0]
        if overrides.get(first.name) == "":
            raise InputError(
                f"{role} file {file}: the required field {first.name!r} ({first.description}) "
                f"is ignored by --map {role}.{first.name}=",
                hint="A required field cannot be ignored: drop that --map, or name its column "
                f"(--map {role}.{first.name}=YOUR_COLUMN). Headers found: "
                f"{_show_headers(header)}.",
            )
        looked = first.aliases if aliases is None else aliases.get(first.name, first.aliases)
        swapped = _swapped_hint(role, lowered)
        raise MissingFieldError(
            f"{role} file {file} has no column for the required field "
            f"{first.name!r} ({first.description})",
            hint=(
                swapped + f"Looked for: {', '.join(dict.fromkeys(looked))}. "
                f"Headers found: {_show_headers(header)}. "
                f"If the field has another name, add --map {role}.{first.name}=YOUR_COLUMN."
            ),
        )
    if role == "people":
        _refuse_other_exports_as_people(file, header, columns, lowered)
    if role == "opportunities" and "amount" in overrides and "currency" not in overrides:
        # a report pairs each amount with its currency: 'Amount (converted)' with 'Amount
        # (converted) Currency'; 'Amount Currency' is the currency of 'Amount' only
        paired = lowered.get(f"{overrides['amount']} currency".lower())
        found = columns.get("currency")
        if paired is not None:
            columns["currency"] = paired
        elif found is not None and header[found].strip().lower() == "amount currency":
            columns["currency"] = None
    if role == "opportunities" and columns.get("amount") is None and overrides.get("amount") != "":
        notes.append(
            "no Amount column: every opportunity's amount is blank (no revenue, no pipeline); "
            "--map opportunities.amount=COLUMN names one"
        )
    if role == "opportunities" and all(
        columns.get(name) is None for name in ("is_won", "is_closed", "stage")
    ):
        notes.append(
            "no IsWon, IsClosed or StageName column: every opportunity is read as open "
            "(pipeline); --map opportunities.stage=COLUMN (or is_won, is_closed) names one"
        )
    if duplicates:
        notes.append(duplicate_headers_note(role, duplicates, later))
    notes.extend(_shared_columns(role, header, columns, overrides))
    notes.extend(_unread_touchpoint_date(role, header, columns, overrides))
    return ColumnMapping(role=role, columns=columns, header=tuple(header), notes=notes)


# A header that names a Buyer Touchpoint Date under a spelling calltouch does not know
# (bizible_2_bizible_touchpoint_date_c before it was known, Touchpoint_Date__c)
_TOUCHPOINT_DATE = re.compile(r"touch[\s_-]*point[\s_-]*date", re.IGNORECASE)


def _unread_touchpoint_date(
    role: Role,
    header: Sequence[str],
    columns: Mapping[str, int | None],
    overrides: Mapping[str, str],
) -> list[str]:
    """The note for a task file with no touchpoint_date read but a column whose name says it
    is one: the call time is then the CreatedDate, minutes late (SPEC R2 prefers the Buyer
    Touchpoint Date), without a word."""
    if role != "tasks" or columns.get("touchpoint_date") is not None:
        return []
    if "touchpoint_date" in overrides:  # ignored on purpose (--map tasks.touchpoint_date=)
        return []
    used = {i for i in columns.values() if i is not None}
    found = next(
        (n for i, n in enumerate(header) if i not in used and _TOUCHPOINT_DATE.search(n)), None
    )
    if found is None:
        return []
    return [
        f"column {found!r} looks like the Buyer Touchpoint Date, which is the call time when "
        "filled, but it is not read: the call time is the CreatedDate; --map "
        f"tasks.touchpoint_date='{found}' reads it (--map tasks.touchpoint_date= keeps this "
        "reading, without this note)"
    ]


def _keys(header: Sequence[str]) -> list[str]:
    """The names unmatched and inspect give a file's columns, each unique (CreatedDate_2)."""
    return column_keys([normalise_header(name) for name in header])


def duplicate_headers_note(role: Role, names: list[str], later: str | None = None) -> str:
    """The note for headers a file repeats (``names``): fields are read from the first
    column of each name; a task file's other columns are still carried into unmatched.
    ``later``: how --map names a later copy ('CreatedDate as CreatedDate_2'), when the names
    do not say it (a Parquet file's say 'ID (read as ID_1)')."""
    carried = "; all are carried into unmatched" if role == "tasks" else ""
    listed = ", ".join(names)
    named = f"; the later {later}" if later else ""
    return (
        "duplicate headers, fields read from the first column of each (or the one --map "
        f"names, case included{named}){carried}: {listed}"
    )


# The fields that hold a date-time, of any input.
TIME_FIELDS = ("touchpoint_date", "call_time", "modstamp", "session_start", "created_date")
# Fields that may well read one column: a call (or session) time that is also the
# modification time.
_MAY_SHARE = frozenset(TIME_FIELDS)


def _shared_columns(
    role: Role,
    header: Sequence[str],
    columns: Mapping[str, int | None],
    overrides: Mapping[str, str],
) -> list[str]:
    """Notes on a column that a --map makes feed a second field (--map tasks.task_id=biz
    where biz is the BizibleId: every call of a cookie but one became a duplicate)."""
    fields_of: dict[int, list[str]] = {}
    for name, idx in columns.items():
        if idx is not None:
            fields_of.setdefault(idx, []).append(name)
    notes: list[str] = []
    for idx, names in fields_of.items():
        mapped = [n for n in names if overrides.get(n)]
        if len(names) > 1 and mapped and not set(names) <= _MAY_SHARE:
            notes.append(
                f"column {header[idx]!r} is read as {' and as '.join(names)} (--map "
                f"{role}.{mapped[0]}={overrides[mapped[0]]}): check that each --map names the "
                "column meant"
            )
    return notes


# Columns of the other exports that no Lead or Contact export has: a file given as people
# with one of them is the other export (people need only an Id, which every export has).
_NOT_PEOPLE: dict[str, tuple[str, ...]] = {
    "a tasks": (
        "WhoId",
        "WHO_ID",
        "Subject",
        "bizible2__Bizible_Touchpoint_Date__c",
        "BIZIBLE_TOUCHPOINT_DATE",
        "bizible_2_bizible_touchpoint_date_c",
        "ACTIVITY_TYPE",  # the warehouse's BIZ_CRM_TASKS
        "ActivityDate",
        "TaskSubtype",
        "CallType",
        "CallDurationInSeconds",
    ),
    "a sessions": ("EVENT_DATE", "SESSION_START", "SESSION_ID"),
    "an opportunities": ("CloseDate", "CLOSE_DATE", "StageName", "STAGE_NAME", "IsWon", "IS_WON"),
    "a contact roles": ("OpportunityId", "OPPORTUNITY_ID"),
}


def _refuse_other_exports_as_people(
    file: str, header: Sequence[str], columns: Mapping[str, int | None], lowered: Mapping[str, int]
) -> None:
    """A people file must be a Lead or Contact export that links something: a BizibleId (its
    cookies) or a ConvertedContactId (a lead's contact). Any file with an Id column mapped as
    one, read and linked nothing: a tasks or sessions export given as people by mistake."""
    expected = (
        "The people input is the Salesforce Lead and Contact exports: Id, "
        "bizible2__BizibleId__c and, for leads, ConvertedContactId (warehouse: BIZ_LEADS, "
        "BIZ_CONTACTS)."
    )
    for kind, names in _NOT_PEOPLE.items():
        found = [header[lowered[n.lower()]] for n in names if n.lower() in lowered]
        if found:
            raise InputError(
                f"people file {file} looks like {kind} export (it has "
                f"{', '.join(repr(f) for f in dict.fromkeys(found))}), not leads or contacts",
                hint=f"Was another export given as people? {expected}",
            )
    if columns.get("bizible_id") is None and columns.get("converted_contact_id") is None:
        raise MissingFieldError(
            f"people file {file} has neither a BizibleId nor a ConvertedContactId column: "
            "its people would link no cookie and no lead to a contact",
            hint=f"{expected} Headers found: {_show_headers(header)}. If they have other "
            "names, add --map people.bizible_id=YOUR_COLUMN (or people.converted_contact_id).",
        )


def _first_column(names: Sequence[str], lowered: Mapping[str, int]) -> int | None:
    """The index of the first of ``names`` found (case-insensitively) in a header."""
    return next((lowered[a.lower()] for a in names if a.lower() in lowered), None)


def _missing_required(role: Role, columns: Mapping[str, int | None]) -> list[Field]:
    """The required fields of ``role`` that ``columns`` (field -> column index) lacks; a task
    needs a call time: the Buyer Touchpoint Date or CreatedDate."""
    missing = [f for f in FIELDS[role] if f.required and columns.get(f.name) is None]
    if (
        role == "tasks"
        and columns.get("touchpoint_date") is None
        and columns.get("call_time") is None
    ):
        missing.append(next(f for f in TASK_FIELDS if f.name == "call_time"))
    return missing


def _swapped_hint(role: str, lowered: Mapping[str, int]) -> str:
    """When a file read as tasks has every column a sessions export needs (or the reverse), the
    sentence that asks whether the two were swapped; else ''."""
    other = {"tasks": "sessions", "sessions": "tasks"}.get(role)
    if other is None:
        return ""
    found = {f.name: _first_column(f.aliases, lowered) for f in FIELDS[other]}  # type: ignore[index]
    if _missing_required(other, found):  # type: ignore[arg-type]
        return ""
    return f"This file looks like a {other} export: were the tasks and sessions exports swapped? "


# A listing of headers stays readable whatever the file holds (binary junk read as text):
# at most 40 headers, each cut to 60 characters, 600 characters in all.
SHOWN_HEADERS, SHOWN_HEADER_CHARS, SHOWN_CHARS = 40, 60, 600


def _show_headers(header: Sequence[str]) -> str:
    shown: list[str] = []
    size = 0
    for name in header[:SHOWN_HEADERS]:
        cut = name if len(name) <= SHOWN_HEADER_CHARS else name[:SHOWN_HEADER_CHARS] + "..."
        text = repr(cut)
        if shown and size + len(text) > SHOWN_CHARS:
            break
        shown.append(text)
        size += len(text) + 2
    listing = ", ".join(shown)
    return listing + (f", ... ({len(header)} in all)" if len(shown) < len(header) else "")

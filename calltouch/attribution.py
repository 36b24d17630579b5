"""Attribution and revenue (SPEC §5, issue 6): people's journeys, Marketo Measure's six models,
revenue by channel, and the same attribution with calls invisible.

This module promises:

* Every number is computed by the attribution templates in ``sql/`` (``attribution_people``,
  ``attribution_journeys``, ``attribution_shares`` and the templates that read their tables);
  Python only validates what the user gave (``--as-of``, ``--weights``, ``--model``), picks the
  queries and binds the values. Nothing is aggregated again here.
* Shares are exact: weights are integers in billionths, each share is a fraction of integers
  rounded once to DECIMAL(38,18), and revenue is the exact DECIMAL product amount x share, so
  sums never depend on thread scheduling, and the shares of an attributed opportunity sum to 1
  within a few 1e-18.
* Results never depend on the clock: the as-of date is always explicit in
  :class:`AttributionSettings` (only :func:`parse_as_of` reads today's date, when asked to).
* Attribution lives in TEMP tables (``att_*``): it is computed on demand from what is matched
  and never changes a workspace file.
* Outputs are written atomically; CSV text cells are neutralised like every other output.

No typer, no rich: the CLI renders what these functions return.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb

from calltouch import queries
from calltouch.errors import (
    InputError,
    OutputError,
    QueryError,
    ReconciliationError,
    TooManyRejectsError,
    UsageError,
)
from calltouch.inputs import REVENUE_ROLES, Role
from calltouch.load import LoadedFile, load_role
from calltouch.outputs import (
    FileFormat,
    Format,
    OutputSet,
    atomic_path,
    ensure_dir,
    export_table,
    json_number,
    other_format_outputs,
    output_set,
)
from calltouch.pipeline import (
    RejectedLines,
    RunSettings,
    check_rejects,
    load_inputs,
    loading_notes,
    match,
    max_rejects_advice,
    parse_max_rejects,
    raise_if_unreconciled,
    reject_examples,
    settings_summary,
    summarize,
)

MODELS: tuple[str, ...] = (
    "first_touch",
    "lead_creation",
    "u_shaped",
    "w_shaped",
    "full_path",
    "custom",
)
MODEL_LABELS: dict[str, str] = {
    "first_touch": "First Touch",
    "lead_creation": "Lead Creation",
    "u_shaped": "U-Shaped",
    "w_shaped": "W-Shaped",
    "full_path": "Full Path",
    "custom": "Custom",
}
WEIGHT_KEYS: tuple[str, ...] = ("ft", "lc", "oc", "cw", "middle")
WEIGHT_UNIT = 1_000_000_000  # weights travel to SQL as integers in billionths
OUTPUTS: tuple[str, ...] = ("attribution", "revenue_by_channel", "unattributed")
ROLE_OPTION: dict[str, str] = {
    "opportunities": "--opportunities",
    "contact_roles": "--contact-roles",
    "people": "--people",
}


# ----------------------------------------------------------------------------- validated inputs


@dataclass(frozen=True)
class Weights:
    """The Custom model's weight per position (FT, LC, OC, CW, middle); they sum to 1."""

    ft: Decimal
    lc: Decimal
    oc: Decimal
    cw: Decimal
    middle: Decimal

    def units(self) -> list[int]:
        """The weights in billionths, in WEIGHT_KEYS order (what the SQL binds)."""
        return [int(getattr(self, key) * WEIGHT_UNIT) for key in WEIGHT_KEYS]

    def describe(self) -> str:
        """``ft=0.2,lc=0.2,oc=0.2,cw=0.3,middle=0.1``."""
        return ",".join(f"{key}={_plain(getattr(self, key))}" for key in WEIGHT_KEYS)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def parse_weights(text: str) -> Weights:
    """``--weights ft=.2,lc=.2,oc=.2,cw=.3,middle=.1``: each weight 0..1 with at most nine
    decimals, positions not named weigh 0, and the weights sum to exactly 1."""
    hint = "For example: --weights ft=.2,lc=.2,oc=.2,cw=.3,middle=.1 (they must sum to 1)."
    found: dict[str, Decimal] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in WEIGHT_KEYS:
            raise UsageError(
                f"--weights {text!r}: {item!r} is not POSITION=WEIGHT with POSITION one of "
                f"{', '.join(WEIGHT_KEYS)}",
                hint=hint,
            )
        if key in found:
            raise UsageError(f"--weights {text!r} names {key} twice", hint=hint)
        try:
            weight = Decimal(value.strip())
        except InvalidOperation:
            raise UsageError(
                f"--weights {text!r}: {value.strip()!r} is not a number", hint=hint
            ) from None
        if not weight.is_finite() or weight < 0 or weight > 1:
            raise UsageError(
                f"--weights {text!r}: {key}={value.strip()} is not between 0 and 1", hint=hint
            )
        if weight * WEIGHT_UNIT != int(weight * WEIGHT_UNIT):
            raise UsageError(
                f"--weights {text!r}: {key}={value.strip()} has more than nine decimals",
                hint="A third is not exact in decimals: round it to nine places and give "
                "the rest to another position (ft=.333333333,lc=.333333333,cw=.333333334).",
            )
        found[key] = weight
    if not found:
        raise UsageError("--weights is empty", hint=hint)
    total = sum(found.values(), Decimal(0))
    if total != 1:
        raise UsageError(f"--weights {text!r} sum to {_plain(total)}, not 1", hint=hint)
    return Weights(**{key: found.get(key, Decimal(0)) for key in WEIGHT_KEYS})


def parse_as_of(text: str | None, *, today: date | None = None) -> date:
    """``--as-of YYYY-MM-DD``; without it, ``today`` (default: today's date in UTC)."""
    if text is None:
        return today or datetime.now(UTC).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--as-of {text!r} is not a date", hint="Use YYYY-MM-DD, e.g. --as-of 2026-03-31."
        ) from None


def model_key(text: str) -> str:
    """``w-shaped``, ``W_Shaped`` or ``w_shaped`` -> ``w_shaped``."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in MODELS:
        raise UsageError(
            f"--model {text!r} is not an attribution model",
            hint="Models: " + ", ".join(m.replace("_", "-") for m in MODELS) + ".",
        )
    return key


@dataclass(frozen=True)
class AttributionSettings:
    """What decides an attribution besides its inputs."""

    as_of: date
    weights: Weights | None = None

    def describe(self) -> dict[str, Any]:
        """JSON-ready settings."""
        return {
            "as_of": self.as_of.isoformat(),
            "weights": None if self.weights is None else self.weights.describe(),
        }

    def require_model(self, model: str) -> None:
        """The Custom model exists only with --weights."""
        if model == "custom" and self.weights is None:
            raise UsageError(
                "the custom model needs --weights",
                hint="For example: --model custom --weights ft=.2,lc=.2,oc=.2,cw=.3,middle=.1",
            )

    def refuse_unused_weights(self, models: Sequence[str]) -> None:
        """--weights shape the custom model only: refused when the models asked for (all
        named) leave it out, rather than echoed beside numbers they did not change."""
        if self.weights is not None and "custom" not in models:
            named = list(dict.fromkeys(m.replace("_", "-") for m in models))
            raise UsageError(
                f"--weights shape only the custom model, not {', '.join(named)}, the "
                f"model{'s' * (len(named) > 1)} shown",
                hint="Add --model custom to see the weights' model, or drop --weights.",
            )


# ----------------------------------------------------------------------------- computing


# Revenue is amount x share as DECIMAL(38, 20) (a share's 18 places and a cent's 2), which
# holds 18 digits before the point: every sum attribution writes is at most the sum of the
# amounts, so a total below this never overflows (120 amounts of 1e16 failed to write).
REVENUE_LIMIT = Decimal(10) ** 18


def build(
    con: duckdb.DuckDBPyConnection, settings: AttributionSettings, *, scope: str | None = None
) -> None:
    """Compute persons, touchpoints, journeys, positions, shares and revenue (both scenarios)
    into the connection's TEMP tables, from its matched touchpoints and revenue inputs.

    A workspace loaded since its last match answers from that match: its touchpoints, and
    the sessions it saw (the web touchpoints), not sessions loaded after it. ``scope`` (an
    opportunity's or a person's id, as ``journey`` takes it) builds only what that journey
    needs: the opportunity, or the person's opportunities, with their contacts' touchpoints;
    each journey's shares are those of the whole build."""
    since = queries.stale_since(con)
    queries.run(
        con,
        "attribution_sessions",
        {"last_load_id": since or 0},
        matched_only=since is not None,
    )
    queries.run(con, "attribution_people")
    if scope is not None:
        stored = queries.stored_id(con, scope, "who_id", attribution=True)
        queries.run(con, "attribution_scope", {"id": stored})
    queries.run(con, "attribution_journeys", {"as_of": settings.as_of})
    (total,) = queries.run(con, "revenue_total").fetchone() or (0,)
    if total >= REVENUE_LIMIT:
        raise InputError(
            f"the opportunities' amounts add up to {total:,}, more than calltouch sums "
            f"exactly (below {REVENUE_LIMIT:,.0f}: exact decimals to 20 places)",
            hint="Check the amounts' column and currency (an amount in cents, or an id read "
            "as the amount?); --map opportunities.amount=COLUMN names another column.",
        )
    weights = settings.weights
    queries.run(
        con,
        "attribution_shares",
        {
            "custom": weights is not None,
            "custom_weights": [0] * len(WEIGHT_KEYS) if weights is None else weights.units(),
        },
    )


LOAD_OPPORTUNITIES = (
    "Load them first: calltouch load opportunities FILE (and contact-roles, people)"
)


def require_opportunities(
    con: duckdb.DuckDBPyConnection,
    where: str,
    hint: str = (
        f"{LOAD_OPPORTUNITIES}, or pass the files: --tasks, --sessions and --opportunities "
        "(with --contact-roles and --people)."
    ),
    *,
    built: bool = True,
) -> None:
    """Raise a clear error when no opportunity was loaded; ``hint`` names only what the
    calling command accepts. Before :func:`build` (``built=False``) it reads the loads'
    counts alone (rows read, as revenue_inputs after it), so that a workspace without
    opportunities is told so at once, not after building the attribution of its millions of
    sessions (34 s at 10M)."""
    if not built:
        if not queries.run(con, "opportunities_read").fetchone()[0]:
            raise InputError(f"{where} holds no opportunities", hint=hint)
        return
    row = queries.run(con, "revenue_inputs").fetchall()
    if not row or int(row[0][1]) == 0:
        raise InputError(f"{where} holds no opportunities", hint=hint)


def currencies(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The currencies the opportunities' amounts are in, when their export says (a
    CurrencyIsoCode column); attribution sums amounts as they are, as one currency."""
    if not queries.has_column(con, "opportunity_rows", "currency"):
        return []  # a workspace an older calltouch made, opened read-only
    return [str(row[0]) for row in queries.run(con, "revenue_currencies").fetchall()]


def open_by_stage(con: duckdb.DuckDBPyConnection) -> list[tuple[str | None, int]]:
    """(stage, opportunities) of the opportunities read as open with no IsClosed to say so
    (by their stage's words, or IsWon false alone), the most frequent first; after
    :func:`build`."""
    rows = queries.run(con, "revenue_open_by_stage").fetchall()
    return [(None if stage is None else str(stage), int(n)) for stage, n in rows]


def contactless(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
    """(opportunities without a contact, opportunities, usable contact roles loaded, contact
    role rows read, rejected and deleted ones included); after :func:`build`."""
    row = queries.run(con, "revenue_contactless").fetchone()
    return (int(row[0]), int(row[1]), int(row[2]), int(row[3])) if row else (0, 0, 0, 0)


def input_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Per revenue input: files, read, kept, duplicates, rejected (after :func:`build`)."""
    return {
        row["role"]: {k: int(v) for k, v in row.items() if k != "role"}
        for row in queries.fetch_dicts(con, "revenue_inputs")
    }


# The advice on rejected rows of a command that writes no rejects.csv (journey, compare).
NO_REJECTS_FILE = (
    "calltouch attribute with the same files and --out DIR writes them to rejects.csv, each "
    "with its line and error. "
)


def check_inputs(
    con: duckdb.DuckDBPyConnection, max_rejects: str, *, rejects_file: bool = True
) -> None:
    """Every revenue row is accounted for (read = kept + duplicates + rejected), and no input
    rejects more rows than ``--max-rejects`` allows (a rejected row counted by its lines, see
    RejectedLines); after :func:`build`. ``rejects_file``: the command writes rejects.csv
    (attribute); journey and compare write no file."""
    allowed = parse_max_rejects(max_rejects)
    for role, c in input_counts(con).items():
        if c["read"] != c["kept"] + c["duplicates"] + c["rejected"]:
            raise ReconciliationError(
                f"{role}: {c['read']} rows read but {c['kept']} kept + {c['duplicates']} "
                f"duplicates + {c['rejected']} rejected",
                hint="Some input rows are not accounted for; please report this.",
            )
        lines = RejectedLines.of(con, role)
        if allowed.exceeded(c["rejected"], c["read"], lines):
            raise TooManyRejectsError(
                f"{lines.describe(c['rejected'], c['read'], role.replace('_', ' '))}, "
                f"more than --max-rejects {max_rejects} allows. "
                f"First: {reject_examples(con, role)}",
                hint=(
                    "rejects.csv lists every rejected row with its line and error. "
                    if rejects_file
                    else NO_REJECTS_FILE
                )
                + lines.hint()
                + max_rejects_advice(
                    *lines.counted(c["rejected"], c["read"]), reading_options=not lines.extra
                ),
            )


def overview(con: duckdb.DuckDBPyConnection, settings: AttributionSettings) -> dict[str, Any]:
    """Opportunities by status, attributed per model, and the inputs' counts."""
    headline = queries.fetch_dicts(con, "revenue_headline", {"model": "first_touch"})[0]
    attributed = queries.fetch_dicts(con, "compare_attributed")
    return {
        "settings": settings.describe(),
        "opportunities": {k: headline[k] for k in ("opportunities", "won", "open", "lost")},
        "attributed": {r["model"]: r["attributed_with_calls"] for r in attributed},
        "inputs": input_counts(con),
    }


# ----------------------------------------------------------------------------- files


def load_revenue(
    con: duckdb.DuckDBPyConnection,
    settings: RunSettings,
    workdir: Path,
    specs: dict[Role, str | None],
    first_file_id: int,
) -> list[LoadedFile]:
    """Load the revenue inputs given (opportunities, contact roles, people) after the others."""
    files: list[LoadedFile] = []
    for role in REVENUE_ROLES:
        spec = specs.get(role)
        if spec is None:
            continue
        files += load_role(
            con,
            role,
            spec,
            settings.load_options(role),
            workdir,
            first_file_id=first_file_id + len(files),
        )
    return files


def prepare_files(
    con: duckdb.DuckDBPyConnection,
    tasks: str,
    sessions: str,
    revenue: dict[Role, str | None],
    settings: RunSettings,
) -> list[LoadedFile]:
    """Load tasks, sessions and the revenue inputs from files and match (R1-R9), with the same
    checks as ``run``: too many rejects or rows not accounted for stop here. Returns the files
    read (their notes say what the reading chose)."""
    parse_max_rejects(settings.max_rejects)
    with tempfile.TemporaryDirectory(prefix="calltouch-attribute-") as workdir:
        files, settings = load_inputs(con, tasks, sessions, settings, Path(workdir))
        files += load_revenue(con, settings, Path(workdir), revenue, len(files))
    match(con, settings)
    summary = summarize(con, settings_summary(settings))
    try:
        check_rejects(con, summary, settings.max_rejects)
    except TooManyRejectsError as exc:
        exc.hint = (exc.hint or "") + loading_notes(files)
        raise
    raise_if_unreconciled(summary, "Run calltouch run on the same files to see the outputs")
    return files


def write_outputs(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    fmt: Format,
    *,
    with_rejects: bool = False,
    replace_other_format: bool = False,
) -> tuple[dict[str, Path], list[Path]]:
    """Write attribution, revenue_by_channel and unattributed (and rejects) into ``out``, all
    renamed into place together once all are written (see outputs.output_set); with
    ``replace_other_format``, the outputs an earlier attribute left in ``out`` in the other
    format (which would pass for these, beside them) are deleted with the renames. Returns
    the files written and those deleted; raises OutputError naming a file it cannot delete."""
    ensure_dir(out)
    for name in (*OUTPUTS, "rejects"):
        for stale in out.glob(f".{name}.{fmt}.*.tmp"):
            stale.unlink(missing_ok=True)
    written: dict[str, Path] = {}
    with output_set() as files:
        if replace_other_format:
            names = (*OUTPUTS, "rejects") if with_rejects else OUTPUTS
            files.stale = other_format_outputs(out, fmt, names)
        for name in OUTPUTS:
            target = out / f"{name}.{fmt}"
            write_one(con, name, target, fmt, files)
            written[name] = target
        if with_rejects:
            written["rejects"] = export_table(
                con, "rejects", out / f"rejects.{fmt}", fmt, files=files
            )
    if files.remove_error is not None:
        raise files.remove_error
    return written, files.stale


def write_one(
    con: duckdb.DuckDBPyConnection,
    name: str,
    target: Path,
    fmt: FileFormat,
    files: OutputSet | None = None,
) -> Path:
    """Write one attribution output to ``target`` atomically (as part of ``files``)."""
    if name not in OUTPUTS:
        raise OutputError(f"nothing named {name!r} can be written")
    ensure_dir(target.parent, holds=target)
    with atomic_path(target, files) as tmp:
        try:
            queries.run(con, f"export_{name}", {"path": str(tmp)}, fmt=fmt, to_file=True)
        except QueryError as exc:
            raise OutputError(f"cannot write {target}: {exc.message}") from exc
    return target


# ----------------------------------------------------------------------------- journey


def journey(
    con: duckdb.DuckDBPyConnection,
    ident: str,
    settings: AttributionSettings,
    *,
    as_person: bool = False,
) -> dict[str, Any]:
    """An opportunity's journey (positions and each model's share per touchpoint), or a
    person's path and the credit their touchpoints earn on their opportunities.

    An id naming both (other CRMs number each kind of record apart: opportunity 1001 and
    contact 1001) is the opportunity, whose facts say ``also_person``; ``as_person`` reads it
    as the person."""
    stored = queries.stored_id(con, ident, "who_id", attribution=True)  # 15 characters as 18
    found = queries.fetch_dicts(con, "journey_lookup", {"id": stored})[0]
    if as_person and not found["is_person"]:
        raise InputError(
            f"no lead or contact with id {ident!r}",
            hint="--person reads the id as a lead/contact id (a task's WhoId, a contact "
            "role's ContactId or a People export's Id); leave it out for an opportunity id.",
        )
    if found["is_opportunity"] and not as_person:
        opportunity = queries.fetch_dicts(
            con, "journey_opportunity", {"opportunity_id": found["id"], "as_of": settings.as_of}
        )[0]
        touchpoints = queries.fetch_dicts(
            con, "journey_touchpoints", {"opportunity_id": found["id"]}
        )
        return {
            "kind": "opportunity",
            "id": found["id"],
            "also_person": bool(found["is_person"]),
            "settings": settings.describe(),
            "opportunity": _jsonable(opportunity),
            "touchpoints": [_jsonable(t) for t in touchpoints],
        }
    if found["is_person"]:
        person = found["person_id"]
        return {
            "kind": "person",
            "id": found["id"],
            "person_id": person,
            "converted_to": person if found["converted"] else None,
            "settings": settings.describe(),
            "touchpoints": [
                _jsonable(t)
                for t in queries.fetch_dicts(con, "journey_person", {"person_id": person})
            ],
            "opportunities": [
                _jsonable(o)
                for o in queries.fetch_dicts(
                    con, "journey_person_opportunities", {"person_id": person}
                )
            ],
        }
    since = queries.stale_since(con)  # None for files, and for a workspace matched since
    binds = {"id": stored, "last_load_id": since}
    if (
        since is not None
        and queries.fetch_dicts(con, "journey_loaded_since", binds)[0]["loaded_since"]
    ):
        raise InputError(
            f"{ident!r} is a task's WhoId in exports loaded after the last match, which has "
            "not linked its calls yet",
            hint="Run calltouch match, then calltouch journey again.",
        )
    raise InputError(
        f"no opportunity or person with id {ident!r}",
        hint="Give an opportunity id, or a lead/contact id (a task's WhoId, a contact role's "
        "ContactId or a People export's Id); 15-character ids are fine.",
    )


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Decimals as numbers (shares and amounts, see json_number), dates as ISO text."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            out[key] = json_number(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


# ----------------------------------------------------------------------------- compare


def compare(
    con: duckdb.DuckDBPyConnection, settings: AttributionSettings, models: list[str] | None = None
) -> dict[str, Any]:
    """Attribution with call touchpoints vs with calls invisible: revenue and pipeline gained
    or lost per model and channel, sessions that became call touchpoints, forms moved from LC
    to PostLC, and opportunities attributed."""
    wanted = set(models or MODELS)
    channels = [
        _jsonable(r) for r in queries.fetch_dicts(con, "compare_channels") if r["model"] in wanted
    ]
    attributed = [r for r in queries.fetch_dicts(con, "compare_attributed") if r["model"] in wanted]
    moves = queries.fetch_dicts(con, "compare_moves")[0]
    return {
        "settings": settings.describe(),
        "models": [m for m in MODELS if m in {r["model"] for r in attributed}],
        "channels": channels,
        "attributed": attributed,
        "moves": moves,
    }


__all__ = [
    "LOAD_OPPORTUNITIES",
    "MODELS",
    "MODEL_LABELS",
    "OUTPUTS",
    "ROLE_OPTION",
    "AttributionSettings",
    "Weights",
    "build",
    "check_inputs",
    "compare",
    "input_counts",
    "journey",
    "load_revenue",
    "model_key",
    "overview",
    "parse_as_of",
    "parse_weights",
    "prepare_files",
    "require_opportunities",
    "write_one",
    "write_outputs",
]

"""Parse and format the merge window (``--window 30m``, ``90s``, ``1h``, ``1h30m``).

Promise: :func:`parse_window` returns whole microseconds or raises a UsageError that shows the
accepted forms; :func:`format_window` gives back the shortest form that parses to the same value.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

from calltouch.errors import UsageError

_UNITS_US = {"h": 3_600_000_000, "m": 60_000_000, "s": 1_000_000, "ms": 1_000, "us": 1}
_ORDER = list(_UNITS_US)  # largest first
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)")
MAX_WINDOW_US = 7 * 24 * _UNITS_US["h"]
DEFAULT_WINDOW_US = 30 * _UNITS_US["m"]  # R3's 30 minutes


def parse_window(text: str) -> int:
    """``'30m'`` -> 1_800_000_000 (microseconds). Units: h, m, s, ms, us; parts may be combined
    (``format_window`` writes what does not fit a larger unit in us: ``1ms500us``)."""
    compact = text.strip().lower().replace(" ", "")
    compact = re.sub(r"(?<=\d)(?:min|mins|minutes?)$", "m", compact)
    compact = re.sub(r"(?<=\d)(?:hours?|hrs?)$", "h", compact)
    compact = re.sub(r"(?<=\d)(?:secs?|seconds?)$", "s", compact)
    parts = _PART.findall(compact)
    order = [_ORDER.index(unit) for _, unit in parts]
    if (
        not compact
        or "".join(n + u for n, u in parts) != compact
        # each unit once, the larger first: 30m30m is a typo, not an hour
        or order != sorted(set(order))
    ):
        raise UsageError(
            f"--window {text!r} is not a duration",
            hint="Use a number with a unit: 90s, 30m, 45m, 1h or 1h30m (each unit once, the "
            "larger first).",
        )
    with localcontext() as exact:
        exact.prec = 4 * len(compact) + 20  # room for every digit given: nothing is rounded
        total = sum(Decimal(number) * _UNITS_US[unit] for number, unit in parts)
    if total != total.to_integral_value():
        raise UsageError(
            f"--window {text!r} is not a whole number of microseconds",
            hint="Times are compared to the microsecond: use at least 1us, e.g. 90s or 1.5s.",
        )
    micros = int(total)
    if micros > MAX_WINDOW_US:
        raise UsageError(f"--window {text!r} is longer than 7 days", hint="Use at most 168h.")
    return micros


def format_window(micros: int) -> str:
    """The shortest unit form of a window: 1_800_000_000 -> '30m', 5_400_000_000 -> '1h30m'."""
    if micros == 0:
        return "0s"
    out = []
    rest = micros
    for unit in ("h", "m", "s", "ms"):
        size = _UNITS_US[unit]
        if rest >= size:
            out.append(f"{rest // size}{unit}")
            rest %= size
    if rest:
        out.append(f"{rest}us")
    return "".join(out)


def window_minutes(micros: int) -> int | float:
    """The window in minutes: an int when whole (30), else a float (1.5) to 12 significant
    digits (rounded to 6 decimals, a window of 1us read 0.0, as if there were none)."""
    minutes = micros / 60_000_000
    return int(minutes) if minutes == int(minutes) else float(f"{minutes:.12g}")

"""Text that may reach a terminal: control and bidirectional characters shown, never sent.

A campaign name comes from a URL's utm_campaign and a channel from a warehouse cell, which anyone
can set. Printed as it is, an ESC in it would drive the terminal (colours, its title, a link, a
reset), a line break would split a table's row, and a right-to-left override (U+202E) would show
the rest of the row reversed, figures included.

Promise: :func:`printable` returns no C0 or C1 control character (but the line breaks asked
for), no DEL and no bidirectional embedding, override or isolate; :func:`json_escaped` writes
the C1 controls and those bidirectional characters of a JSON text as ``\\u`` escapes, which
JSON reads back as the same characters (``json.dumps`` escapes only the C0 ones).
"""

from __future__ import annotations

import re

# The bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))

# C0 controls, DEL and C1 controls, as their Unicode pictures (ESC as U+241B, LF as U+240A)
# or, for C1 and the bidirectional controls, U+FFFD.
_PICTURES = (
    {code: 0x2400 + code for code in range(0x20)}
    | {0x7F: 0x2421}
    | {code: 0xFFFD for code in (*range(0x80, 0xA0), *_BIDI)}
)

_PICTURES_BUT_LF = {code: sign for code, sign in _PICTURES.items() if code != 0x0A}

_JSON_RAW = re.compile("[\x80-\x9f" + "".join(chr(c) for c in _BIDI) + "]")


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` to show on a terminal: each control character as a visible sign, never as
    itself (``esc \\x1b[31m`` reads ``esc ␛[31m``); ``lines``: a message whose line breaks
    are its own keeps them."""
    return text.translate(_PICTURES_BUT_LF if lines else _PICTURES)


def json_escaped(text: str) -> str:
    """A JSON text with its C1 controls and bidirectional characters (only ever inside its
    strings) written as ``\\u`` escapes: the same data, nothing a terminal acts on."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

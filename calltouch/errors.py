"""The one error hierarchy of calltouch and its exit codes.

Every failure a user can cause is a :class:`CalltouchError` with a short title, a message that
names the file, line or column concerned, and a hint on how to fix it. The CLI prints these on
stderr without a traceback and exits with the error's :class:`ExitCode`. Anything else that
escapes is a bug and exits with ``ExitCode.INTERNAL``.
"""

from __future__ import annotations

import os
import sys
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in the README (keep both in step)."""

    OK = 0
    #: An unexpected internal error (a bug: please report it).
    INTERNAL = 1
    #: Bad input or usage: a missing file, a missing required column, a bad option value.
    INPUT = 2
    #: More rows were rejected than ``--max-rejects`` allows.
    TOO_MANY_REJECTS = 3
    #: The row reconciliation failed: some input rows are not accounted for.
    RECONCILIATION = 4
    #: An output could not be written.
    OUTPUT = 5
    #: DuckDB ran out of memory (raise --memory-limit, lower --threads).
    OUT_OF_MEMORY = 6
    #: Interrupted by the user (Ctrl-C).
    INTERRUPTED = 130
    #: Stopped by SIGTERM (``timeout``, a CI cancel, systemd), cleaning up as for Ctrl-C.
    TERMINATED = 143


#: The signals that stopped the command (SIGTERM), appended by the handler ``calltouch.main``
#: installs, which then stops the command as a Ctrl-C does: what reports an interruption looks
#: here to tell which it was.
STOP_SIGNALS: list[int] = []

#: What the command finished before a signal stopped it (outputs renamed into place, files
#: removed), said before "Interrupted." or "Terminated.": those alone read as if nothing was.
DONE_BEFORE_STOP: list[str] = []


def interruption() -> tuple[str, ExitCode]:
    """The word and exit code for the interruption being handled: Ctrl-C, or a SIGTERM."""
    if STOP_SIGNALS:
        return "Terminated.", ExitCode.TERMINATED
    return "Interrupted.", ExitCode.INTERRUPTED


class CalltouchError(Exception):
    """A failure with a message meant for the user, never a traceback."""

    exit_code: ExitCode = ExitCode.INTERNAL
    title: str = "Error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n{self.hint}"


class InputError(CalltouchError):
    """An input file is missing, unreadable or lacks a required field."""

    exit_code = ExitCode.INPUT
    title = "Input error"


class UnreadableInputError(InputError):
    """An input file cannot be read at all: damaged, cut short or not in its format."""


class DamagedWorkspaceError(InputError):
    """The workspace file is damaged (cut short, overwritten): DuckDB cannot read a block."""


class MissingFieldError(InputError):
    """A file lacks a column for a required field of its input (tasks, sessions ...)."""


class DateOrderError(InputError):
    """A column's dates do not tell their day/month order (or mix both): --date-order must."""


class UsageError(CalltouchError):
    """An option or argument has a value calltouch cannot use."""

    exit_code = ExitCode.INPUT
    title = "Usage error"


class WorkspaceInUseError(UsageError):
    """Another program holds the workspace (DuckDB's lock): a later try may succeed."""


class TooManyRejectsError(CalltouchError):
    """The share of rejected rows is above the allowed maximum."""

    exit_code = ExitCode.TOO_MANY_REJECTS
    title = "Too many rejected rows"


class ReconciliationError(CalltouchError):
    """Rows read do not equal touchpoints + unmatched + duplicates + rejects."""

    exit_code = ExitCode.RECONCILIATION
    title = "Reconciliation failed"


class OutputError(CalltouchError):
    """An output file or folder could not be written."""

    exit_code = ExitCode.OUTPUT
    title = "Output error"


class OutOfMemoryError(CalltouchError):
    """DuckDB could not fit a step in its memory limit, even spilling to disk."""

    exit_code = ExitCode.OUT_OF_MEMORY
    title = "Out of memory"


class QueryError(CalltouchError):
    """A query failed inside DuckDB; carries the template's name. Usually a bug."""

    exit_code = ExitCode.INTERNAL
    title = "Query failed"

    def __init__(self, template: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{template}: {message}", hint=hint)
        self.template = template


class TemplateError(CalltouchError):
    """A SQL template is malformed (bad header, undeclared parameter). Always a bug."""

    exit_code = ExitCode.INTERNAL
    title = "SQL template error"


def name_problem(path: os.PathLike[str] | str) -> str | None:
    """Why DuckDB cannot open ``path`` by the name given, or None when it can. DuckDB takes
    names as UTF-8 text: a name whose bytes are not UTF-8 (a file from an old archive, which
    Python holds as surrogate escapes) cannot be given to it, and under a locale whose file
    names are not UTF-8 (ISO-8859-1) a name such as ``Ergebnisse_ö`` is other bytes on disk
    than the UTF-8 bytes DuckDB would open (another file, or a new one beside it)."""
    text = os.fspath(path)
    try:
        utf8 = text.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not UTF-8 text"
    try:
        if os.fsencode(text) == utf8:
            return None
    except UnicodeEncodeError:  # a character this locale's file names cannot hold
        pass
    return (
        f"its name is written in {sys.getfilesystemencoding()} (this system's encoding of file "
        "names), and DuckDB opens names as UTF-8"
    )


def shown_name(path: os.PathLike[str] | str) -> str:
    """``path`` as a message can show it: a name whose bytes are not UTF-8 with those bytes as
    escapes (``Aufgabe_\\xf6.csv``), which printing it as Python holds it would fail on."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


NAME_HINT = (
    "Rename it (or its folder) with plain ASCII characters, then give it again; or, when this "
    "system's locale names files in another encoding than UTF-8, run calltouch in a UTF-8 "
    "locale (LC_ALL=C.UTF-8)."
)


def refuse_name(path: os.PathLike[str] | str, error: type[CalltouchError], what: str) -> None:
    """Raise ``error`` ("WHAT NAME: why", with the advice) when DuckDB cannot open ``path`` by
    its name (:func:`name_problem`): an input, an output DuckDB writes, the workspace, the
    spill folder."""
    problem = name_problem(path)
    if problem is not None:
        raise error(f"{what} {shown_name(path)}: {problem}", hint=NAME_HINT)

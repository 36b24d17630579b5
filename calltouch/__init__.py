"""calltouch: link call-tracking Salesforce Tasks to web sessions and report calls by channel.

The package is layered:

* ``queries``: the SQL templates of ``sql/`` and the DuckDB connection (the only module that
  executes SQL);
* ``inputs``, ``csvscan``, ``timeformats``, ``profiles``, ``load``: reading exports;
* ``pipeline`` (R1-R9 end to end, the summary), ``workspace``, ``attribution``, ``explain``,
  ``inspection``, ``reporting``, ``generate``: what the commands compute;
* ``outputs``: writing files;
* ``report``, ``views``, ``dashboard``, ``html_report``: rendering;
* ``cli``, ``cli_workspace``, ``cli_revenue``: the Typer commands.

Only the rendering and command modules import rich or typer; everything above them runs
without.
"""

import io

__version__ = "0.1.0"


def main() -> None:
    """The console script. A Ctrl-C or a SIGTERM (``timeout``, a CI cancel, systemd) while
    the CLI gets ready (DuckDB, rich, Typer and its option parsing load, and Typer builds the
    commands: a few tenths of a second, seconds on a busy machine) is held until it is: one
    inside DuckDB's module setup aborts the process instead of raising, and one inside
    Typer's building or parsing ended it with a traceback, or with Typer's silent exit 130.
    Then it exits 130 ("Interrupted.") or 143 ("Terminated."). Later, a SIGTERM stops the
    command as a Ctrl-C does, with the same clean-up (no temporary file left, the previous
    outputs kept), and exits 143. Once the command has ended (its outputs written, or its
    error said), signals are ignored: Python restores the default handler while it shuts
    down, and a signal then killed the process with no word and no exit code of ours (a
    flaky test caught one)."""
    import signal
    import sys

    _plain_terminal()
    pressed: list[int] = []

    def hold(signum: int, frame: object) -> None:
        pressed.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    signal.signal(signal.SIGTERM, hold)
    from calltouch.cli import main as cli_main
    from calltouch.cli import ready_command
    from calltouch.errors import STOP_SIGNALS

    command = ready_command()

    def terminate(signum: int, frame: object) -> None:
        STOP_SIGNALS.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, previous)
    if pressed:
        terminated = signal.SIGTERM in pressed
        sys.stderr.write("Terminated.\n" if terminated else "Interrupted.\n")
        raise SystemExit(143 if terminated else 130)
    try:
        cli_main(command)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _plain_terminal() -> None:
    """Make what calltouch prints the same bytes whatever the terminal's settings: stdout and
    stderr write UTF-8 (as the output files do) under any locale, where a Latin-1 or EUC-JP
    one crashed on the report's box characters, or changed the bytes of a CSV on stdout;
    a COLUMNS or LINES that is not a positive number (COLUMNS=0 printed nothing at all) is
    ignored, as an unset one is. Runs before the consoles are made."""
    import io
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != (
            "utf8"
        ):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    if sys.stdout is None:  # started with stdout closed (>&-): what it would print is refused
        sys.stdout = _ClosedStdout()
    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name)
        if value is not None and not (
            value.strip().isascii() and value.strip().isdecimal() and int(value) > 0
        ):
            del os.environ[name]


class _ClosedStdout(io.TextIOBase):
    """sys.stdout when calltouch was started with it closed (``>&-``): a report written there
    failed as an internal error (exit 1), and a table or JSON was lost without a word (exit
    0). Writing to it is an output error (exit 5); a command that prints nothing is not
    stopped."""

    def write(self, text: str) -> int:
        from calltouch.errors import OutputError

        raise OutputError(
            "cannot write to the standard output: it is closed (what the command wrote or "
            "loaded before it printed is done; what it prints is lost)",
            hint="Redirect the standard output to a file (> out.txt) instead of closing it.",
        )

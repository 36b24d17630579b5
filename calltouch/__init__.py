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

__version__ = "0.1.0"


def main() -> None:
    """The console script. A Ctrl-C while the CLI's modules load (DuckDB, rich and Typer take
    a few tenths of a second) is held until they have: one inside DuckDB's module setup
    aborts the process instead of raising. Then it exits 130, like any other Ctrl-C. Once the
    command has ended (its outputs written, or its error said), a Ctrl-C is ignored: Python
    restores the default handler while it shuts down, and a signal then killed the process
    with no word and no exit code of ours (a flaky test caught one). A SIGTERM (``timeout``, a
    CI cancel, systemd) once the modules are loaded stops the command as a Ctrl-C does, with
    the same clean-up (no temporary file left, the previous outputs kept), and exits 143."""
    import signal
    import sys

    _plain_terminal()
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        from calltouch.cli import main as cli_main
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130)
    from calltouch.errors import STOP_SIGNALS

    def terminate(signum: int, frame: object) -> None:
        STOP_SIGNALS.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        cli_main()
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
    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name)
        if value is not None and not (
            value.strip().isascii() and value.strip().isdecimal() and int(value) > 0
        ):
            del os.environ[name]

"""calltouch: link call-tracking Salesforce Tasks to web sessions and report calls by channel.

The package is layered: ``queries`` (templates and DuckDB), ``inputs``/``load`` (reading exports),
``pipeline`` (R1-R9 end to end), ``outputs`` (files), ``report`` (rich rendering), ``cli`` (Typer).
Only ``report`` and ``cli`` import rich or typer.
"""

__version__ = "0.1.0"


def main() -> None:
    """The console script. A Ctrl-C while the CLI's modules load (DuckDB, rich and Typer take
    a few tenths of a second) is held until they have: one inside DuckDB's module setup
    aborts the process instead of raising. Then it exits 130, like any other Ctrl-C."""
    import signal
    import sys

    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        from calltouch.cli import main as cli_main
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130)
    cli_main()

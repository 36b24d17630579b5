"""calltouch: link call-tracking Salesforce Tasks to web sessions and report calls by channel.

The package is layered: ``queries`` (templates and DuckDB), ``inputs``/``load`` (reading exports),
``pipeline`` (R1-R9 end to end), ``outputs`` (files), ``report`` (rich rendering), ``cli`` (Typer).
Only ``report`` and ``cli`` import rich or typer.
"""

__version__ = "0.1.0"

"""``python -m calltouch`` runs the command-line interface."""

from calltouch.cli import main

main()

"""``python -m calltouch`` runs the command-line interface."""

from calltouch import main

main()

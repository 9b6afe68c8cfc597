"""`python -m foad` is the `foad` command."""

from foad.cli import main

main()

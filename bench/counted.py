"""`foad` with its SQL round trips counted: `python bench/counted.py DIR worker …` runs `foad
worker …` and appends one byte per round trip to DIR/<kind> (bench/counting.py), in every
process it forks too. The benches start their workers through it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # counting.py, beside this

from counting import file_sink, install  # noqa: E402

if __name__ == "__main__":
    install(sink=file_sink(Path(sys.argv[1])))
    from foad.cli import main

    sys.argv = ["foad", *sys.argv[2:]]
    main()

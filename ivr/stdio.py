"""Plain AGI: Asterisk runs `foad-agi` for each call and talks on its stdin and stdout.

The dialplan names the route as the first argument: `AGI(/opt/foad/.venv/bin/foad-agi,intake?line=128)`.
`main` is a small shim onto the same flows FastAGI runs; a process per call is only
for small installs (it starts hundreds of times slower: see bench/agi_load.py).
"""

from __future__ import annotations

import signal

from foad.cli import runtime
from foad.logs import configure_logging
from foad.settings import Settings
from ivr.agi import AgiCall
from ivr.routes import serve_call


def main() -> None:
    """Serve the one call on stdin/stdout with the settings in the environment."""
    # Asterisk may SIGHUP us when the caller hangs up; that must not kill a ticket half
    # written. The hang-up shows in the replies instead (see ivr.agi).
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    settings = Settings.from_env()
    configure_logging(settings)  # to stderr: Asterisk shows it on its console
    with runtime(settings) as rt:
        serve_call(AgiCall.over_stdio(), rt)

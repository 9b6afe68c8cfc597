"""Plain AGI: Asterisk runs `foad-agi` for each call and talks on its stdin and stdout.

The dialplan names the route as the first argument: `AGI(/opt/foad/.venv/bin/foad-agi,intake?line=128)`.
Asterisk passes it both as `agi_arg_1` in the env and as the program's argv; the route is
taken from argv, since a caller's name with newlines in it can forge env lines after it.
`main` is a small shim onto the same flows FastAGI runs; a process per call is only
for small installs (it starts hundreds of times slower: see bench/agi_load.py).

It loads only what a call needs: no queue library and no Redis connection. The work a call
commits (routing a new complaint) waits in the outbox for the workers' relay, which queues
it within about a minute and a half (FastAGI queues it at once).
"""

from __future__ import annotations

import signal
import sys

from foad.logs import configure_logging
from foad.settings import read_settings
from ivr import folders
from ivr.agi import AgiCall
from ivr.routes import serve_call
from models.runtime import Runtime


def main() -> None:
    """Serve the one call on stdin/stdout with the settings in the environment."""
    # Asterisk may SIGHUP us when the caller hangs up; that must not kill a ticket half
    # written. The hang-up shows in the replies instead (see ivr.agi).
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    settings = read_settings()
    configure_logging(settings)  # to stderr: Asterisk shows it on its console
    folders.prepare(settings)
    runtime = Runtime(settings, settings.redis_url or "")  # no push: the relay queues the work
    try:
        serve_call(AgiCall.over_stdio(sys.argv[1:]), runtime)
    finally:
        runtime.close()

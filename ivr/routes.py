"""The route table: which flow answers which `agi://host/<route>` of the dialplans."""

from __future__ import annotations

import logging
from typing import Callable

from ivr.control import CallControl, Hangup, ProtocolError
from ivr.flows import hangup, intake
from models.runtime import Runtime

log = logging.getLogger(__name__)

Flow = Callable[[CallControl, Runtime], None]

ROUTES: dict[str, Flow] = {
    "intake": intake.answer,  # a call to 128 or the overseas line (?line=128|overseas)
    "hangup": hangup.call_ended,  # the hangup handler: end, duration, recording
}


def serve_call(call: CallControl, runtime: Runtime) -> None:
    """Run the flow of the call's route; errors are logged, never left to kill the server."""
    request = call.request
    flow = ROUTES.get(request.route)
    if flow is None:
        log.error("no such AGI route", extra={"call": request.uniqueid, "route": request.route})
        return
    try:
        flow(call, runtime)
    except (Hangup, ProtocolError) as exc:
        log.warning("call ended early", extra={"call": request.uniqueid, "route": request.route,
                                               "reason": str(exc)})
    except Exception:
        log.exception("call flow failed", extra={"call": request.uniqueid, "route": request.route})

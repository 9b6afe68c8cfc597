"""Which function does each kind of outbox work: the adapters' jobs, composed.

Outbox work is written by the domain (models.outbox.Job) and run by the workers; the
function doing it may belong to any adapter (the SMS channel answers texts, the workers
route, send and text back), so it is named here, where every adapter may be imported.
"""

from __future__ import annotations

from models.outbox import Job
from sms.answering import answer_sms
from worker.clock import wake_clock
from worker.context import JobFunction
from worker.media import fetch_media
from worker.routing import route_ticket
from worker.textback import text_back
from worker.texting import send_sms

FUNCTIONS: dict[Job, JobFunction] = {
    Job.ROUTE_TICKET: route_ticket,
    Job.ANSWER_SMS: answer_sms,
    Job.SEND_SMS: send_sms,
    Job.TEXT_BACK: text_back,
    Job.FETCH_MEDIA: fetch_media,
    Job.WAKE_CLOCK: wake_clock,
}

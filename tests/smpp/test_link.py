"""The bind itself: transceiver, keep-alive, a wrong password, the SMSC unbinding or dropping
the link (mid-window too) and coming back, and `foad smpp` unbinding cleanly on SIGTERM."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

from smpplib import consts
from sqlalchemy import select

from models.messages import Direction, Message, MessageStatus
from tests.retries import run_retries_now
from tests.smpp.conftest import RunningLink
from tests.smpp.helpers import ON_THE_WIRE, queued
from tests.worker.processes import environment, running_worker, wait_for


def test_it_binds_as_a_transceiver_and_keeps_the_link_alive(runtime, smsc):
    running = RunningLink(runtime, enquire_link=0.3).start()
    smsc.wait_for(lambda: smsc.enquiries >= 2, "two enquire_link")
    running.stop()
    assert smsc.binds == [("foad", "secret12", consts.SMPP_ESME_ROK)]
    assert smsc.unbinds == 1  # stopped cleanly


def test_a_wrong_password_is_refused_and_tried_again_later_never_bound(runtime, smsc, caplog):
    running = RunningLink(runtime, password="wrong")
    running.thread.start()
    smsc.wait_for(lambda: len(smsc.binds) >= 2, "a second bind")
    running.stop()
    assert {status for *_, status in smsc.binds} == {consts.SMPP_ESME_RINVPASWD}
    assert not running.link.bound.is_set() and not smsc.bound()
    failures = [r for r in caplog.records if r.getMessage() == "smpp bind failed"]
    assert failures[0].status == consts.SMPP_ESME_RINVPASWD and "Invalid Password" in failures[0].error
    assert [r.retry_in_s for r in failures[:2]] == [1.0, 2.0]  # backing off
    assert "wrong" not in repr(running.link.settings)  # the password stays out of logs


def test_the_smsc_unbinding_or_dropping_the_link_is_followed_by_a_new_bind(runtime, smsc, link):
    smsc.unbind()
    smsc.wait_for(lambda: len(smsc.binds) == 2 and smsc.bound(), "a bind after the unbind")
    smsc.drop()
    smsc.wait_for(lambda: len(smsc.binds) == 3 and smsc.bound(), "a bind after the drop")
    assert link.bound.wait(5)


# --- end to end: `foad smpp` and `foad worker` processes ------------------------------------

RECEIPT_WAIT_S = 1.5
"""How long the processes' link waits for a receipt naming a text written as the link dropped."""


def smpp_env(smsc) -> dict[str, str]:
    """What an operator sets to use the SMSC (here the local one)."""
    return {"FOAD_SMPP_HOST": "127.0.0.1", "FOAD_SMPP_PORT": str(smsc.port), "FOAD_SMPP_SYSTEM_ID": "foad",
            "FOAD_SMPP_PASSWORD": "secret12", "FOAD_SMPP_TPS": "0", "FOAD_SMPP_SUBMIT_TIMEOUT": "5",
            "FOAD_SMPP_RECEIPT_WAIT_MINUTES": str(RECEIPT_WAIT_S / 60), "FOAD_SMS_ROUTES": "+98=smpp"}


@contextlib.contextmanager
def foad_smpp(settings, smsc, log: Path) -> Iterator[subprocess.Popen]:
    """A `foad smpp` process, stopped with SIGTERM at the end."""
    with open(log, "ab") as out:
        child = subprocess.Popen([sys.executable, "-m", "foad", "smpp"],
                                 env=environment(settings, **smpp_env(smsc)), stdout=out, stderr=out)
    try:
        yield child
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)


def sent_rows(runtime) -> list[Message]:
    with runtime.session() as session:
        return list(session.scalars(select(Message).where(Message.direction == Direction.OUT)))


def test_the_smsc_dropping_the_link_mid_window_loses_nothing_and_texts_nobody_twice(
        runtime, settings, session, smsc, tmp_path):
    bodies = [f"پاسخ شکایت شماره {n}" for n in range(12)]
    # The three workers' texts wait in the window together: long enough that a worker slowed
    # by a loaded machine still submits before the text ahead of it is answered.
    smsc.answer_delay = 1.0
    smsc.plan(*["ok"] * 4, "drop")  # the fifth submit is taken, then the link drops under the rest
    with foad_smpp(settings, smsc, tmp_path / "smpp.log") as link, contextlib.ExitStack() as workers:
        smsc.wait_bound()
        for n in range(3):
            workers.enter_context(running_worker(settings, tmp_path / f"worker{n}.log", "--queues",
                                                 "notifications", "--no-fork", **smpp_env(smsc)))
        for body in bodies:
            queued(session, body=body)
        wait_for(lambda: any(s.outcome == "drop" for s in smsc.submits), what="the drop")
        smsc.wait_for(lambda: len(smsc.binds) >= 2 and smsc.bound(), "the link to come back")
        smsc.answer_delay = 0.0
        in_flight = smsc.unanswered()
        assert len(in_flight) >= 2  # the drop came with more than one text in the window
        for taken in in_flight:  # the SMSC's receipts name the texts it took
            smsc.receipt(taken.message_id, tlvs=False)

        time.sleep(RECEIPT_WAIT_S)  # what no receipt named by then is taken as never read

        def settled() -> bool:
            run_retries_now(runtime.redis)  # the retries' backoff over at once
            time.sleep(0.5)
            return all(m.status in (MessageStatus.QUEUED, MessageStatus.DELIVERED) for m in sent_rows(runtime))
        wait_for(settled, timeout=60, what="every text settled")
    assert link.returncode == 0
    assert sorted(smsc.texts_to(ON_THE_WIRE)) == sorted(bodies)  # each once: nothing lost, nothing twice
    assert {m.provider_id for m in sent_rows(runtime)} == set(smsc.taken)
    assert smsc.unbinds == 1  # SIGTERM: a clean unbind
    assert "smpp link down" in (tmp_path / "smpp.log").read_text()


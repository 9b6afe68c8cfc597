"""`foad fastagi --processes N`: one listening socket, N FastAGI servers in forked processes.

A FastAGI server runs every call's Python under one lock (the GIL): past about one core's
worth of calls its replies queue behind each other (bench/agi_load.py). N processes serve
one socket: the kernel keeps a single queue of connections, so a process that dies loses
only the calls it was serving, never one waiting to be accepted. Each makes its own database
and Redis connections after the fork.

The parent serves no calls. It starts a new process in place of one that died (after a pause
when it died at once, so that a fault at start does not spin), passes SIGTERM and SIGINT on
(each process finishes its calls within FOAD_FASTAGI_STOP_GRACE, then ends) and serves the
metrics, its calls in progress summed over the processes from shared memory.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import time
from typing import Callable, NoReturn

from foad.embedded_redis import redis_url
from foad.runtime import make_runtime
from ivr.fastagi import listening_socket
from ivr.fastagi import serve as serve_calls
from models.settings import Settings

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0
"""Seconds before a process that ended within this long of its start is started again."""
_STOPPING = (signal.SIGTERM, signal.SIGINT)
_PR_SET_PDEATHSIG = 1
"""prctl's option (linux/prctl.h)."""


class CallCounts:
    """Each process's calls in progress, in memory the processes share with the parent."""

    def __init__(self, processes: int) -> None:
        self.slots = multiprocessing.RawArray("i", processes)

    @property
    def open_connections(self) -> int:
        """Calls being served now, by all the processes together."""
        return sum(self.slots)


def serve(settings: Settings, host: str, port: int, processes: int,
          listening: Callable[[CallCounts], object] = lambda counts: None) -> None:
    """Serve FastAGI in `processes` processes until SIGTERM or SIGINT, then wait for each to
    finish its calls; `listening` is told the counts once the socket is bound and every
    process started (foad serves its metrics)."""
    listener = listening_socket(host, port)
    counts = CallCounts(processes)
    with redis_url(settings) as url:
        supervisor = _Supervisor(settings, url, listener, counts)
        supervisor.start_all(processes)
        listening(counts)
        log.info("FastAGI listening", extra={"host": host, "port": listener.getsockname()[1],
                                             "processes": processes})
        supervisor.watch()
        log.info("FastAGI stopped: every process has ended")
    listener.close()


class _Supervisor:
    """The parent's side: the processes by pid, and whether they are being stopped."""

    def __init__(self, settings: Settings, url: str, listener: socket.socket, counts: CallCounts) -> None:
        self.settings, self.url, self.listener, self.counts = settings, url, listener, counts
        self.running: dict[int, tuple[int, float]] = {}
        """Each process's slot in `counts` and when it started, by pid."""
        self.stopping = False

    def start_all(self, processes: int) -> None:
        """Start the processes and take over SIGTERM and SIGINT to pass them on."""
        for signum in _STOPPING:
            signal.signal(signum, self._stop)
        for slot in range(processes):
            self._start(slot)

    def watch(self) -> None:
        """Until every process has ended: start a new one in place of one that ended, unless
        they are being stopped."""
        while self.running:
            pid, status = os.wait()
            if pid not in self.running:
                continue  # the embedded Redis, when this process started it
            slot, started = self.running.pop(pid)
            self.counts.slots[slot] = 0
            if self.stopping:
                continue
            log.error("a FastAGI process ended; starting another in its place",
                      extra={"pid": pid, "status": _how_it_ended(status)})
            if time.monotonic() - started < RESTART_PAUSE:
                time.sleep(RESTART_PAUSE)
            if not self.stopping:
                self._start(slot)

    def _start(self, slot: int) -> None:
        # Signals wait until the pid is noted: a SIGTERM in between would miss the new process.
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
        try:
            pid = os.fork()
            if pid == 0:
                _serve_in_child(self.settings, self.url, self.listener, self.counts, slot)
            self.running[pid] = (slot, time.monotonic())
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)

    def _stop(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            log.info("FastAGI stopping: each process finishes its calls", extra={"signal": signum})
        self.stopping = True
        for pid in self.running:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass  # it ended; watch() collects it


def _serve_in_child(settings: Settings, url: str, listener: socket.socket, counts: CallCounts,
                    slot: int) -> NoReturn:
    """A forked process's whole life: serve calls until SIGTERM, then exit without returning
    into the parent's code (whose `with` blocks are the parent's to close)."""
    code = 1
    try:
        for signum in _STOPPING:  # until the server sets its own: the parent's are the parent's
            signal.signal(signum, signal.SIG_DFL)
        _end_with_parent(os.getppid())
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
        runtime = make_runtime(settings, url)
        try:
            serve_calls(runtime, "", 0, listener=listener, tally=lambda count: counts.slots.__setitem__(slot, count))
        finally:
            runtime.close()
        code = 0
    except BaseException:
        log.exception("a FastAGI process failed", extra={"pid": os.getpid()})
    finally:
        logging.shutdown()
        os._exit(code)


def _end_with_parent(parent: int) -> None:
    """Have the kernel send this process SIGTERM when its parent dies (killed, say, with
    SIGKILL): no server goes on serving calls unsupervised. Linux's PR_SET_PDEATHSIG."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _how_it_ended(status: int) -> str:
    """`exit 1` or `signal 9 (SIGKILL)`."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"signal {number} ({signal.Signals(number).name})"
    return f"exit {os.waitstatus_to_exitcode(status)}"

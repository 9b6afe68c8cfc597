"""`foad fastagi`: the FastAGI server, one thread per call, routing on `agi_network_script`.

pyst2's own FastAGI server imports Python 2's SocketServer, so this is our own: a
threading TCP server whose handler wraps the connection in `ivr.agi.AgiCall`.

Every connection has a timeout (FOAD_FASTAGI_TIMEOUT): a peer silent for longer, or gone
without a word (half-open), ends its call as a hang-up instead of holding a thread for ever.
On SIGTERM the server stops accepting, lets calls in progress run for FOAD_FASTAGI_STOP_GRACE
seconds, then cuts off the rest (each ends as a hang-up, keeping what its caller recorded).

A server binds its own socket, or serves one it is given (`listening_socket`): foad's
`--processes` runs several servers, each in a process of its own, on one socket.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import socketserver
import threading
import time
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Callable

from ivr import folders
from ivr.agi import AgiCall
from ivr.control import Hangup
from ivr.routes import serve_call
from models.runtime import Runtime

log = logging.getLogger(__name__)

DEFAULT_PORT = 4573
"""Asterisk's default for agi:// URLs without a port."""


class FastAgiServer(socketserver.ThreadingTCPServer):
    """Serves many calls at once; on shutdown it stops accepting and lets running calls end."""

    allow_reuse_address = True
    daemon_threads = False
    # socketserver's own list of call threads is swept at every new connection, a look at
    # every thread under the GIL (hundreds at once): the server counts its connections
    # itself instead, and server_close waits for those.
    block_on_close = False
    request_queue_size = 512  # a burst of calls must queue in the kernel, not be refused

    def __init__(self, address: tuple[str, int], runtime: Runtime, *, listener: socket.socket | None = None,
                 tally: Callable[[int], object] = lambda count: None) -> None:
        """Bind `address`, or serve `listener` (a `listening_socket`, shared with other
        processes). `tally` is told the number of open connections whenever it changes."""
        self.runtime = runtime
        self._open: set[socket.socket] = set()
        self._open_changed = threading.Condition()
        self._tally = tally
        folders.prepare(runtime.settings)  # before Asterisk's first MixMonitor needs them
        super().__init__(address, _CallHandler, bind_and_activate=listener is None)
        if listener is not None:
            self.socket.close()
            self.socket, self.server_address = listener, listener.getsockname()

    @property
    def open_connections(self) -> int:
        """Connections being served right now."""
        with self._open_changed:
            return len(self._open)

    def process_request(self, request: socket.socket, client_address: tuple) -> None:
        """Note the connection, so that shutdown can cut it off and server_close wait for
        it, then serve it in a thread of its own."""
        with self._open_changed:
            self._open.add(request)
            self._tally(len(self._open))
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        """Close a connection: its call is over (or it was refused, or never got a thread)."""
        try:
            super().shutdown_request(request)
        finally:
            with self._open_changed:
                self._open.discard(request)
                self._tally(len(self._open))
                self._open_changed.notify_all()

    def server_close(self) -> None:
        """Stop listening, then wait for the calls still being served to end."""
        super().server_close()
        with self._open_changed:
            self._open_changed.wait_for(lambda: not self._open)

    def drain(self, grace: float) -> None:
        """After serve_forever returned: wait up to `grace` seconds for the calls in progress,
        then shut down the connections still open; their threads then end their calls as
        hang-ups, and server_close waits for that, not for the peers."""
        deadline = time.monotonic() + grace
        while self.open_connections and time.monotonic() < deadline:
            time.sleep(0.05)
        with self._open_changed:
            stuck = list(self._open)
        if stuck:
            log.warning("cutting off calls still open at shutdown", extra={"calls": len(stuck)})
        for sock in stuck:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # it closed in the meantime

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return self.server_address[1]

    def verify_request(self, request: socket.socket, client_address: tuple) -> bool:
        """FastAGI has no authentication of its own: only FOAD_FASTAGI_ALLOW's peers are
        served; any other is closed before it is read (socketserver closes it on False)."""
        if allowed(client_address[0], self.runtime.settings.fastagi_allow):
            return True
        log.warning("FastAGI connection refused: not an allowed Asterisk", extra={"peer": client_address[0]})
        return False


class _CallHandler(socketserver.BaseRequestHandler):
    """One connection from Asterisk: one call (or one hangup handler)."""

    server: FastAgiServer

    def handle(self) -> None:
        """Read the env block, run the route's flow, close."""
        # Replies are one short line each: Nagle's algorithm would only delay them.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request.settimeout(self.server.runtime.settings.fastagi_timeout)
        try:
            call = AgiCall.over_socket(self.request)
        except Hangup as exc:  # a port check, or Asterisk gone before it said anything
            log.info("connection closed before its AGI env was complete", extra={"reason": str(exc)})
            return
        try:
            serve_call(call, self.server.runtime)
        finally:
            call.close()


def allowed(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    """True if `address` is in one of `networks`, or there are none (anyone may connect)."""
    if not networks:
        return True
    peer = ip_address(address.split("%", 1)[0])
    if isinstance(peer, IPv6Address) and peer.ipv4_mapped is not None:  # ::ffff:a.b.c.d on a dual-stack socket
        peer = peer.ipv4_mapped
    return any(peer in network for network in networks)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound and listening as a FastAgiServer binds its own, for servers in several
    processes to accept from: the kernel keeps one queue of connections for them all."""
    sock = socket.socket(FastAgiServer.address_family, FastAgiServer.socket_type)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(FastAgiServer.request_queue_size)
    except OSError:
        sock.close()
        raise
    # Every process wakes for a new connection and one of them gets it: the others' accept()
    # must fail at once (socketserver then goes back to waiting), not block until the next.
    sock.setblocking(False)
    return sock


def serve(runtime: Runtime, host: str, port: int,
          listening: Callable[[FastAgiServer], object] = lambda server: None, *,
          listener: socket.socket | None = None, tally: Callable[[int], object] = lambda count: None) -> None:
    """Serve until SIGTERM or SIGINT, then finish the calls in progress (within the grace);
    `listening` is told the server once it is bound (foad serves its metrics). With a
    `listener` it serves that socket (one of several processes) and `tally` is told its count
    of open connections as it changes."""
    with FastAgiServer((host, port), runtime, listener=listener, tally=tally) as server:
        listening(server)
        def _stop(_signum, _frame) -> None:
            # shutdown() waits for serve_forever(), which runs in this (the main) thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        if listener is None:
            log.info("FastAGI listening", extra={"host": host, "port": server.port})
        else:
            log.info("FastAGI process serving", extra={"port": server.port, "pid": os.getpid()})
        server.serve_forever()
        log.info("FastAGI stopping: finishing the calls in progress", extra={"calls": server.open_connections})
        server.drain(runtime.settings.fastagi_stop_grace)

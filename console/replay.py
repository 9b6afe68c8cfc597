"""Call replay: recordings and attachments served with HTTP Range, to those allowed, audited.

Files are reached only through these views, by the id of the row that names them, after
checking the user may see the ticket (a call that never became a ticket: supervisors only);
there is no static URL for the recordings directory. A file is served as the type its content
proved (attachments, models.media_types) or as audio (recordings), never sniffed by the
browser, and sandboxed: opened on its own, nothing in it runs with the console's origin.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, abort, request, send_from_directory
from flask_login import current_user
from sqlalchemy import select
from werkzeug.security import safe_join

from console import access
from console.runtime import db, runtime
from models.base import utcnow
from models.calls import Call
from models.media import Media, MediaStatus
from models.media_types import SNIFF_BYTES, sniff
from models.tickets import Ticket
from models.users import Playback

log = logging.getLogger(__name__)

bp = Blueprint("replay", __name__, url_prefix="/console/replay")

SAME_PLAYBACK = timedelta(seconds=30)
"""A browser may fetch the start of a file more than once for one play; within this it is one."""
SEEK_WINDOW = timedelta(hours=1)
"""A request for later bytes is a seek inside a playback begun this recently; without one it
is a playback of its own (`Range: bytes=1-` must not fetch a recording unaudited)."""
FILE_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
"""The Content-Security-Policy of a stored file: opened on its own, no script runs in it
whatever its bytes are, and it has no origin (the page's own policy lets <img>, <audio> and
<video> load it)."""


@bp.get("/call/<int:call_id>")
@access.roles_required(*access.TICKET_ROLES)
def call(call_id: int):
    """The whole-call recording of a call."""
    return _serve_call(call_id, "call")


@bp.get("/call/<int:call_id>/voice")
@access.roles_required(*access.TICKET_ROLES)
def call_voice(call_id: int):
    """The complaint a caller recorded during a call, kept even when no ticket was opened."""
    return _serve_call(call_id, "voice")


@bp.get("/voice/<code>")
@access.roles_required(*access.TICKET_ROLES)
def voice(code: str):
    """The voice complaint of a ticket."""
    ticket = db().scalar(select(Ticket).where(Ticket.code == code))
    if ticket is None or not ticket.voice_path:
        abort(404)
    if not access.can_see(db(), current_user, ticket):
        abort(403)
    return _serve(Heard(ticket, None, "voice", ticket.voice_path), _settings().recordings_dir,
                  mimetype=_audio_type(ticket.voice_path))


@bp.get("/media/<int:media_id>")
@access.roles_required(*access.TICKET_ROLES)
def media(media_id: int):
    """A photo or video sent by MMS, once downloaded."""
    found = db().get(Media, media_id)
    if found is None or found.status != MediaStatus.STORED or not found.path:
        abort(404)
    if not access.can_see(db(), current_user, found.ticket):
        abort(403)
    directory = _settings().media_dir
    verified = found.verified_type or _sniff_stored(directory, found.path)
    if verified is None:
        log.warning("stored attachment is not a photo or video: not served",
                    extra={"ticket": found.ticket.code, "media": found.id})
        abort(404)
    return _serve(Heard(found.ticket, None, "media", found.path), directory, mimetype=verified)


def _sniff_stored(directory: Path, relative: str) -> str | None:
    """What a file stored before its type was verified on download really is (or None)."""
    path = safe_join(str(directory), relative)
    try:
        with open(path or "", "rb") as stored:
            return sniff(stored.read(SNIFF_BYTES))
    except OSError:
        return None


@dataclass(frozen=True)
class Heard:
    """What is being opened, for the audit log: its ticket and/or call, kind and file."""

    ticket: Ticket | None
    call: Call | None
    kind: str
    """"call" (the whole-call recording), "voice" (the voice complaint) or "media"."""
    target: str
    """The file, relative to its directory."""


CALL_FILES = {"call": "recording_path", "voice": "voice_path"}
"""Which column of a call names each kind of its recordings."""


def _serve_call(call_id: int, kind: str):
    found = db().get(Call, call_id)
    relative = getattr(found, CALL_FILES[kind]) if found is not None else None
    if not relative:
        abort(404)
    if not access.can_hear(db(), current_user, found):
        abort(403)
    return _serve(Heard(found.ticket, found, kind, relative), _settings().recordings_dir,
                  mimetype=_audio_type(relative))


def _audio_type(relative: str) -> str:
    """A recording's type by its name (Asterisk writes WAV); anything else is bytes to save."""
    guessed = mimetypes.guess_type(relative)[0] or ""
    return guessed if guessed.startswith("audio/") else "application/octet-stream"


def _serve(heard: Heard, directory: Path, mimetype: str):
    # send_from_directory refuses paths that climb out of `directory` and answers Range
    # requests with 206 Partial Content, which is what lets the audio element seek.
    response = send_from_directory(directory, heard.target, mimetype=mimetype, conditional=True,
                                   max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    # After the file was found and the range accepted: a 404 or a 416 sent no byte of it.
    if response.status_code in (200, 206):
        _audit(heard, SAME_PLAYBACK if _from_the_start(response) else SEEK_WINDOW)
    return response


def _from_the_start(response) -> bool:
    """Whether the answer begins at the file's first byte, judged from what is sent: a 200 is
    the whole file (no Range, one werkzeug could not read, or one an If-Range overruled); a
    206 starts where its Content-Range says (a suffix range, `bytes=-N`, asks for the last N
    bytes, which for N at least the file's size is all of it)."""
    if response.status_code == 200:
        return True
    sent = response.content_range
    return sent is not None and sent.start == 0


def _audit(heard: Heard, within: timedelta) -> None:
    """Log the playback unless the user played the same file less than `within` ago."""
    session, now = db(), utcnow()
    last = session.scalar(select(Playback.at).where(
        Playback.user_id == current_user.id, Playback.target == heard.target,
        Playback.kind == heard.kind, Playback.at > now - within).order_by(Playback.at.desc()).limit(1))
    if last is not None:
        return
    session.add(Playback(user_id=current_user.id, ticket_id=heard.ticket.id if heard.ticket else None,
                         call_id=heard.call.id if heard.call else None, kind=heard.kind,
                         target=heard.target, remote_addr=request.remote_addr, at=now))
    session.commit()
    log.info("recording played", extra={
        "ticket": heard.ticket.code if heard.ticket else None, "user": current_user.name,
        "call": heard.call.uniqueid if heard.call else None, "kind": heard.kind, "target": heard.target})


def _settings():
    return runtime().settings

"""The sweep of what the web page left behind: checks no longer needed, and the photos and
videos of forms whose number was never confirmed."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from sqlalchemy import or_, select

from models.runtime import current
from models import phone_checks
from models.media import Media
from models.uploads import HELD
from worker import context

log = logging.getLogger(__name__)


def sweep_uploads() -> int:
    """The periodic job: delete old checks, and held uploads no ticket took; how many folders went."""
    runtime = current()
    now = runtime.now()
    with runtime.session() as session:
        checks = phone_checks.sweep(session, now)
        cutoff = time.time() - phone_checks.KEPT_FOR.total_seconds()
        folders = [f for f in (runtime.settings.media_dir / HELD).glob("*") if f.stat().st_mtime < cutoff]
        taken = _taken(session, folders)
    for folder in folders:
        if folder.name not in taken:
            shutil.rmtree(folder, ignore_errors=True)
    removed = len(folders) - len(taken)
    log.log(logging.INFO if checks or removed else logging.DEBUG, "upload sweep",
            extra={"checks": checks, "folders": removed, "rq_job": context.job_id()})
    return removed


def _taken(session, folders: list[Path]) -> set[str]:
    """The folders among `folders` that a ticket's media point into (one query)."""
    if not folders:
        return set()
    paths = session.scalars(select(Media.path).where(or_(*(Media.path.like(f"{HELD}/{f.name}/%") for f in folders))))
    return {path.split("/")[1] for path in paths}

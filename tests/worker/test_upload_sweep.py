"""The upload sweep: checks older than a day go, and so do held uploads no ticket took."""

import os
import time
from datetime import timedelta

from sqlalchemy import select

from models.base import utcnow
from models.media import Media, MediaStatus
from models.phone_checks import CheckPurpose, PhoneCheck
from tests.builders import make_ticket
from worker.uploads import sweep_uploads


def held(media_dir, name: str, age_hours: float):
    folder = media_dir / "web" / name
    folder.mkdir(parents=True)
    (folder / "1.png").write_bytes(b"\x89PNG")
    stamp = time.time() - age_hours * 3600
    os.utime(folder, (stamp, stamp))
    return folder


def test_old_checks_and_untaken_uploads_go_the_rest_stay(runtime, session):
    media_dir = runtime.settings.media_dir
    now = utcnow()
    for hours in (30, 2):
        session.add(PhoneCheck(token=f"t{hours}", purpose=CheckPurpose.COMPLAINT, number="+989121234567",
                               digest="0" * 64, created_at=now - timedelta(hours=hours),
                               expires_at=now - timedelta(hours=hours) + timedelta(minutes=10)))
    ticket = make_ticket(session)
    session.add(Media(ticket=ticket, url="upload:web/taken/1.png", content_type="image/png",
                      status=MediaStatus.STORED, path="web/taken/1.png", size=4))
    session.commit()
    abandoned, taken, fresh = held(media_dir, "abandoned", 30), held(media_dir, "taken", 30), held(media_dir, "fresh", 1)
    session.rollback()
    assert sweep_uploads() == 1
    assert not abandoned.exists() and taken.exists() and fresh.exists()
    assert session.scalars(select(PhoneCheck.token)).all() == ["t2"]

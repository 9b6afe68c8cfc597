"""The "for me" list: the notes that mention the user, newest first, unread ones marked."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from console import access
from console.runtime import db
from models import notes, timeline

bp = Blueprint("mentions", __name__, url_prefix="/console")


@bp.get("/mentions")
@access.roles_required(*access.TICKET_ROLES)
def index():
    """Notes that mention the user (opening a ticket reads its notes)."""
    session = db()
    found = [m for m in notes.for_me(session, current_user) if access.can_see(session, current_user, m.ticket)]
    people = timeline.actor_names(session, [m.event for m in found])
    return render_template("mentions.html", mentions=found, people=people)


def unread_count() -> int:
    """How many notes mention the logged-in user unread (the console's menu shows it)."""
    if not current_user.is_authenticated or current_user.role not in access.TICKET_ROLES:
        return 0
    return notes.unread(db(), current_user)

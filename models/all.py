"""Every model imported once, so the metadata is complete (migrations, tests, `configure_mappers`)."""

from models.agencies import Agency, Official, Sector
from models.base import Base
from models.blocklist import BlockedNumber
from models.calls import Call
from models.categories import Category
from models.deadlines import TicketClock
from models.holidays import Holiday
from models.media import Media
from models.messages import Message, OptOut
from models.outbox import OutboxItem
from models.placing import TriageState
from models.report_months import ReportMonth, ReportRefresh
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent
from models.users import Playback, User

__all__ = [
    "Agency", "Base", "BlockedNumber", "Call", "Category", "Holiday", "Media", "Message",
    "Official", "OptOut", "OutboxItem", "Playback", "ReportMonth", "ReportRefresh", "Sector",
    "SurveyAnswer", "Ticket", "TicketClock", "TicketEvent", "TriageState", "User",
]

"""Every model imported once, so the metadata is complete (migrations, tests, `configure_mappers`)."""

from models.agencies import Agency, Official, Sector
from models.apikeys import ApiKey
from models.app_requests import AppRequest
from models.assignment import TicketAssignment
from models.base import Base
from models.blocklist import BlockedNumber
from models.calls import Call
from models.categories import Category
from models.deadlines import TicketClock
from models.holidays import Holiday
from models.logins import Login
from models.media import Media
from models.messages import Message, OptOut
from models.notes import Mention
from models.outbox import OutboxItem
from models.phone_checks import PhoneCheck
from models.placing import TriageState
from models.report_months import ReportCategory, ReportMonth, ReportRefresh
from models.saved_filters import SavedFilter
from models.search import SearchDocument
from models.smpp_journal import SmppSubmit
from models.smpp_parts import SmppPart
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent
from models.users import Playback, User

__all__ = [
    "Agency", "ApiKey", "AppRequest", "Base", "BlockedNumber", "Call", "Category", "Holiday", "Login", "Media",
    "Mention", "Message", "Official", "OptOut", "OutboxItem", "PhoneCheck", "Playback", "ReportCategory",
    "ReportMonth", "ReportRefresh", "SavedFilter", "SearchDocument", "Sector", "SmppPart", "SmppSubmit",
    "SurveyAnswer", "Ticket", "TicketAssignment", "TicketClock", "TicketEvent", "TriageState", "User",
]

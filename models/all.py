"""Every model imported once, so the metadata is complete (migrations, tests, `configure_mappers`)."""

from models.agencies import Agency, Official, Sector
from models.apikeys import ApiKey
from models.app_requests import AppRequest
from models.base import Base
from models.blocklist import BlockedNumber
from models.calls import Call
from models.categories import Category
from models.deadlines import TicketClock
from models.holidays import Holiday
from models.media import Media
from models.messages import Message, OptOut
from models.outbox import OutboxItem
from models.phone_checks import PhoneCheck
from models.report_months import ReportMonth, ReportRefresh
from models.smpp_journal import SmppSubmit
from models.smpp_parts import SmppPart
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent
from models.users import Playback, User

__all__ = [
    "Agency", "ApiKey", "AppRequest", "Base", "BlockedNumber", "Call", "Category", "Holiday", "Media",
    "Message", "Official", "OptOut", "OutboxItem", "PhoneCheck", "Playback", "ReportMonth", "ReportRefresh",
    "Sector", "SmppPart", "SmppSubmit", "SurveyAnswer", "Ticket", "TicketClock", "TicketEvent", "User",
]

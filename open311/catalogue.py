"""The service list: a service for each complaint category within each service sector the
IVR offers (the sector is its group), and each service's attributes (province, agency)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models import choices
from models.agencies import Agency
from open311.documents import ApiError

SEPARATOR = "-"
"""Between the service (sector) and the category in a service_code: neither code has one."""
PROVINCE = "province"
AGENCY = "agency"
"""The attribute codes: attribute[province]=tehran, attribute[agency]=MUN-TEH."""
LABELS = {
    PROVINCE: ("استانی که شکایت در آن رخ داده است", "The province where it happened"),
    AGENCY: ("دستگاه مربوط، اگر آن را می‌دانید", "The agency concerned, if you know it"),
}


@dataclass(frozen=True)
class Service:
    """One service_code: a sector (None: any other service) and a complaint category."""

    service: choices.Choice
    category: choices.Choice

    @property
    def code(self) -> str:
        """Its service_code."""
        return f"{self.service.code}{SEPARATOR}{self.category.code}"

    @property
    def sector(self) -> str | None:
        """The sector code a ticket of this service is filed under."""
        return choices.sector_of(self.service.code)

    def name(self, language: str) -> str:
        """"Municipality: Staff misconduct"."""
        return f"{self.service.name(language)}: {self.category.name(language)}"


def services(session: Session) -> list[Service]:
    """Every service, in the IVR's menu order."""
    categories = choices.categories(session)
    return [Service(s, c) for s in choices.services(session) for c in categories]


def find(session: Session, code: str) -> Service:
    """The service of `code`; ApiError 404 when there is none."""
    service, _, category = code.partition(SEPARATOR)
    found = choices.pair(session, service, category)
    if found is None:
        raise ApiError(404, f"service_code {code!r} was not found", 404)
    return Service(*found)


def listing(session: Session, language: str) -> list[dict[str, Any]]:
    """The `services` document."""
    provinces, staffed = bool(choices.provinces_served(session)), choices.sectors_with_agencies(session)
    return [{
        "service_code": s.code, "service_name": s.name(language),
        "description": s.category.name(language),
        "metadata": provinces or s.sector in staffed, "type": "realtime",
        "keywords": ", ".join([s.service.name_fa, s.service.name_en, s.category.name_fa, s.category.name_en]),
        "group": s.service.name(language),
    } for s in services(session)]


def definition(session: Session, service: Service, language: str) -> dict[str, Any]:
    """The `service_definition` document: the province, and the agency where the sector has any."""
    provinces = [{"key": p.code, "name": p.name_en if language == "en" else p.name_fa}
                 for p in choices.provinces(session)]
    agencies = [{"key": a.code, "name": agency_name(a, language)}
                for a in choices.agencies(session, service.sector)]
    attributes = [_attribute(code, values, order, language)
                  for order, (code, values) in enumerate(((PROVINCE, provinces), (AGENCY, agencies)), 1)
                  if values]
    return {"service_code": service.code, "attributes": attributes}


def _attribute(code: str, values: list[dict[str, str]], order: int, language: str) -> dict[str, Any]:
    fa, en = LABELS[code]
    return {"variable": True, "code": code, "datatype": "singlevaluelist", "required": False,
            "datatype_description": None, "order": order, "description": en if language == "en" else fa,
            "values": values}


def agency_name(agency: Agency, language: str) -> str:
    """The agency's name in `language`; in Persian when it has no English one."""
    return (agency.name_en if language == "en" else None) or agency.name_fa

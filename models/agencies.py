"""The agency directory: sectors, agencies on four levels, and their officials."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class Level(StrEnum):
    """Where an agency sits; escalation climbs from county towards the working group."""

    MINISTRY = "ministry"  # ministry headquarters in Tehran (or a national body's head office)
    AFFILIATE = "affiliate"  # an organization affiliated to a ministry
    PROVINCIAL = "provincial"  # a provincial directorate-general
    COUNTY = "county"  # a county office


class Role(StrEnum):
    """What an official answers for."""

    HEAD_OF_INSPECTION = "head_of_inspection"  # first to receive each referred complaint
    SENIOR_OFFICIAL = "senior_official"  # answers for follow-up at the agency
    WORKING_GROUP = "working_group"  # member of a (provincial) FOAD working group


FOAD_SECTOR = "foad"
"""The sector of the FOAD working groups themselves: the last step of every escalation."""

CONSULAR_SECTOR = "consular"
"""The sector whose unit takes complaints from callers abroad."""


class Sector(Base):
    """A field of public service (municipality, banks, tax ...), offered in the IVR menu."""

    __tablename__ = "sectors"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_fa: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    menu_key: Mapped[int | None] = mapped_column(unique=True)
    """The key (1-9) that picks this sector in the IVR's sector menu; None: not offered."""


class Agency(Base):
    """One public body at one level; `parent` is the body above it."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    level: Mapped[Level] = mapped_column(String(20))
    sector_code: Mapped[str] = mapped_column(ForeignKey("sectors.code"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    province_code: Mapped[str | None] = mapped_column(String(40))
    county: Mapped[str | None] = mapped_column(String(80))
    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    joined_on: Mapped[date | None]
    """When the agency was connected to 128; report cards start after it."""
    aliases: Mapped[str | None] = mapped_column(String(500))
    """Other names citizens write for it, `;`-separated ("بانک ملی;ملی;BMI"); triage reads them."""
    changed_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)
    """When the row was last written; the triage index reloads the directory when it moves."""

    parent: Mapped["Agency | None"] = relationship(remote_side=[id], lazy="joined")
    sector: Mapped[Sector] = relationship(lazy="joined")
    officials: Mapped[list["Official"]] = relationship(back_populates="agency")


class Official(Base):
    """A person who receives and answers complaints for an agency."""

    __tablename__ = "officials"
    __table_args__ = (UniqueConstraint("agency_id", "mobile"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    mobile: Mapped[str] = mapped_column(String(20), index=True)
    """E.164; inspectors answer tickets by SMS from this number."""
    role: Mapped[Role] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency] = relationship(back_populates="officials", lazy="joined")


SECTORS: tuple[tuple[str, str, str, int | None], ...] = (
    ("municipality", "شهرداری", "Municipality", 1),
    ("banks", "بانک‌ها", "Banks", 2),
    ("health_insurance", "بهداشت، درمان و بیمه", "Health and insurance", 3),
    ("tax", "امور مالیاتی", "Tax", 4),
    ("civil_registry", "ثبت احوال", "Civil registry", 5),
    ("utilities", "آب، برق و گاز", "Water, power and gas", 6),
    ("education", "آموزش و پرورش", "Education", 7),
    ("social_security", "تأمین اجتماعی", "Social security", 8),
    (CONSULAR_SECTOR, "امور کنسولی", "Consular affairs", None),
    (FOAD_SECTOR, "فوریت‌های اداری", "Administrative emergencies (FOAD)", None),
)
"""The seed rows (code, Persian name, English name, IVR key), written by the first migration.
Key 9 in the IVR's sector menu means "another service": the working group triages it."""

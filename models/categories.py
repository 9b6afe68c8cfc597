"""Complaint categories: the service-quality criteria a complaint is filed under."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

OTHER = "other"
"""The category of a complaint that did not name one (an SMS, a caller who skipped)."""


class Category(Base):
    """One criterion of service quality, as the IVR's category menu offers it."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_fa: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    menu_key: Mapped[int] = mapped_column(unique=True)
    """The key (1-9) that picks it in the IVR's category menu."""


CATEGORIES: tuple[tuple[str, str, str, int], ...] = (
    ("misconduct", "برخورد نامناسب کارکنان", "Staff misconduct", 1),
    ("absence", "حاضر نبودن کارمند در محل کار", "Absence from post", 2),
    ("delay", "اتلاف وقت و تأخیر", "Delay and wasted time", 3),
    ("cut_off", "قطع خدمت در میانهٔ کار", "Service cut off mid-way", 4),
    ("needless_documents", "مدارک یا ارجاع غیرضروری", "Needless documents or referrals", 5),
    ("improper_demand", "درخواست نابجا", "Improper demands", 6),
    ("no_information", "اطلاع‌رسانی نکردن", "Missing information", 7),
    (OTHER, "سایر موارد", "Other", 9),
)
"""The seed rows (code, Persian label, English label, menu key), written by the first migration."""

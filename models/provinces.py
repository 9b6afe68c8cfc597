"""Iran's 31 provinces with their two-digit landline area codes (fixed by law, kept as data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Province:
    """A province: our code for it, its names, and its landline area code."""

    code: str
    name_fa: str
    name_en: str
    area_code: str


PROVINCES: tuple[Province, ...] = (
    Province("mazandaran", "مازندران", "Mazandaran", "11"),
    Province("gilan", "گیلان", "Gilan", "13"),
    Province("golestan", "گلستان", "Golestan", "17"),
    Province("tehran", "تهران", "Tehran", "21"),
    Province("semnan", "سمنان", "Semnan", "23"),
    Province("zanjan", "زنجان", "Zanjan", "24"),
    Province("qom", "قم", "Qom", "25"),
    Province("alborz", "البرز", "Alborz", "26"),
    Province("qazvin", "قزوین", "Qazvin", "28"),
    Province("isfahan", "اصفهان", "Isfahan", "31"),
    Province("kerman", "کرمان", "Kerman", "34"),
    Province("yazd", "یزد", "Yazd", "35"),
    Province("chaharmahal", "چهارمحال و بختیاری", "Chaharmahal and Bakhtiari", "38"),
    Province("east_azarbaijan", "آذربایجان شرقی", "East Azerbaijan", "41"),
    Province("west_azarbaijan", "آذربایجان غربی", "West Azerbaijan", "44"),
    Province("ardabil", "اردبیل", "Ardabil", "45"),
    Province("razavi_khorasan", "خراسان رضوی", "Razavi Khorasan", "51"),
    Province("sistan_baluchestan", "سیستان و بلوچستان", "Sistan and Baluchestan", "54"),
    Province("south_khorasan", "خراسان جنوبی", "South Khorasan", "56"),
    Province("north_khorasan", "خراسان شمالی", "North Khorasan", "58"),
    Province("khuzestan", "خوزستان", "Khuzestan", "61"),
    Province("lorestan", "لرستان", "Lorestan", "66"),
    Province("fars", "فارس", "Fars", "71"),
    Province("kohgiluyeh", "کهگیلویه و بویراحمد", "Kohgiluyeh and Boyer-Ahmad", "74"),
    Province("hormozgan", "هرمزگان", "Hormozgan", "76"),
    Province("bushehr", "بوشهر", "Bushehr", "77"),
    Province("hamadan", "همدان", "Hamadan", "81"),
    Province("kermanshah", "کرمانشاه", "Kermanshah", "83"),
    Province("ilam", "ایلام", "Ilam", "84"),
    Province("markazi", "مرکزی", "Markazi", "86"),
    Province("kurdistan", "کردستان", "Kurdistan", "87"),
)

BY_CODE = {p.code: p for p in PROVINCES}
BY_AREA_CODE = {p.area_code: p for p in PROVINCES}


def by_area_code(digits: str) -> Province | None:
    """The province whose landline area code is `digits` ("21", "081"), or None."""
    return BY_AREA_CODE.get(digits.lstrip("0"))

"""A national-size agency directory for the benchmarks: the sample's rows, then every province's
directorates and every county's offices (31 provinces, 448 counties, ~3,900 agencies).

    .venv/bin/python bench/directory.py OUT.csv [--seed 128]

Deterministic: the same seed writes the same file. The structure is fixed (every county has
its office in each of the eight services, codes like TAX-ISF-KASHAN); the seed draws the
officials' numbers (in +98 997, a range no operator has), their joining dates and which
offices carry an extra Finglish alias. `foad agencies import OUT.csv` accepts the file.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.directory import SAMPLE  # noqa: E402
from models.provinces import PROVINCES  # noqa: E402
from models.triage.knowledge import DATA  # noqa: E402

SEED = 128
PREFIX = {"tehran": "TEH", "hamadan": "HAM", "mazandaran": "MAZ", "gilan": "GIL", "golestan": "GOL",
          "semnan": "SEM", "zanjan": "ZAN", "qom": "QOM", "alborz": "ALB", "qazvin": "QAZ",
          "isfahan": "ISF", "kerman": "KER", "yazd": "YAZ", "chaharmahal": "CHB", "east_azarbaijan": "EAZ",
          "west_azarbaijan": "WAZ", "ardabil": "ARD", "razavi_khorasan": "RKH", "sistan_baluchestan": "SBL",
          "south_khorasan": "SKH", "north_khorasan": "NKH", "khuzestan": "KHZ", "lorestan": "LOR",
          "fars": "FAR", "kohgiluyeh": "KBA", "hormozgan": "HOR", "bushehr": "BUS", "kermanshah": "KSH",
          "ilam": "ILA", "markazi": "MAR", "kurdistan": "KUR"}
"""The province part of generated codes (the sample's TEH and HAM kept)."""
# sector, code prefix, parent of the provincial unit, provincial name (fa, en), county name (fa, en)
SERVICES = (
    ("foad", "FOAD", "ARAO", ("کارگروه فوریت‌های اداری استان {p}", "{P} Province FOAD working group"), None),
    ("municipality", "MUN", "IMVO",
     ("ادارهٔ کل امور شهری استانداری {p}", "{P} Governorate Directorate of Urban Affairs"),
     ("شهرداری {c}", "Municipality of {C}")),
    ("banks", "BMI", "BMI", ("مدیریت شعب بانک ملی استان {p}", "Bank Melli branches of {P} Province"),
     ("شعب بانک ملی {c}", "Bank Melli {C} branches")),
    ("health_insurance", "IHIO", "IHIO",
     ("ادارهٔ کل بیمهٔ سلامت استان {p}", "{P} Province Health Insurance Directorate"),
     ("ادارهٔ بیمهٔ سلامت {c}", "{C} Health Insurance Office")),
    ("tax", "TAX", "INTA", ("ادارهٔ کل امور مالیاتی استان {p}", "{P} Province Tax Directorate"),
     ("ادارهٔ امور مالیاتی {c}", "{C} Tax Office")),
    ("civil_registry", "NOCR", "NOCR",
     ("ادارهٔ کل ثبت احوال استان {p}", "{P} Province Civil Registration Directorate"),
     ("ادارهٔ ثبت احوال {c}", "{C} Civil Registration Office")),
    ("utilities", "POWER", "TAVANIR",
     ("شرکت توزیع نیروی برق استان {p}", "{P} Province Power Distribution Company"),
     ("ادارهٔ برق {c}", "{C} Power Office")),
    ("education", "EDU", "MOEDU",
     ("ادارهٔ کل آموزش و پرورش استان {p}", "{P} Province Education Directorate"),
     ("ادارهٔ آموزش و پرورش {c}", "{C} Education Office")),
    ("social_security", "SSO", "SSO",
     ("ادارهٔ کل تأمین اجتماعی استان {p}", "{P} Province Social Security Directorate"),
     ("ادارهٔ تأمین اجتماعی {c}", "{C} Social Security Office")),
)
COLUMNS = ("code", "level", "sector", "parent", "province", "county", "name_fa", "name_en", "joined_on",
           "head_name", "head_mobile", "senior_name", "senior_mobile", "aliases")


def counties() -> dict[str, list[tuple[str, str]]]:
    """Each province's counties from the gazetteer, as (English, Persian) names."""
    found: dict[str, list[tuple[str, str]]] = {}
    with open(DATA / "places.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["county"] and row["county"] == row["name_en"]:
                found.setdefault(row["province"], []).append((row["name_en"], row["name_fa"]))
    return found


def county_code(name: str) -> str:
    """The county part of a code: "Robat Karim" → "ROBATKARIM"."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def rows(seed: int = SEED) -> list[dict[str, str]]:
    """The sample's rows and the generated ones, officials and all."""
    with open(SAMPLE, newline="", encoding="utf-8") as handle:
        sample = [dict(row) for row in csv.DictReader(handle)]
    taken = {row["code"] for row in sample}
    draw = random.Random(seed)
    made = [row for row in _generated(counties()) if row["code"] not in taken]
    for n, row in enumerate(made):
        _staff(row, n, draw)
    return sample + made


def _generated(by_province: dict[str, list[tuple[str, str]]]) -> Iterator[dict[str, str]]:
    for province in PROVINCES:
        short = PREFIX[province.code]
        for sector, prefix, parent, (p_fa, p_en), local in SERVICES:
            unit = f"{prefix}-{short}"
            yield _row(unit, "provincial", sector, parent, province.code, "",
                       p_fa.format(p=province.name_fa), p_en.format(P=province.name_en))
            if local is None:  # the working groups have no county offices
                continue
            for c_en, c_fa in by_province[province.code]:
                yield _row(f"{unit}-{county_code(c_en)}", "county", sector, unit, province.code, c_en,
                           local[0].format(c=c_fa), local[1].format(C=c_en))


def _row(code: str, level: str, sector: str, parent: str, province: str, county: str,
         name_fa: str, name_en: str) -> dict[str, str]:
    return {"code": code, "level": level, "sector": sector, "parent": parent, "province": province,
            "county": county, "name_fa": name_fa, "name_en": name_en}


def _staff(row: dict[str, str], n: int, draw: random.Random) -> None:
    """An inspector with a number in +98 997 (unique by n), a joining date, maybe an alias."""
    row["joined_on"] = (date(2024, 3, 20) + timedelta(days=draw.randrange(900))).isoformat()
    row["head_name"] = f"بازرس {row['name_fa']}"
    row["head_mobile"] = f"+98997{1_000_000 + n:07d}"
    row["senior_name"] = row["senior_mobile"] = ""
    alias = row["sector"] == "municipality" and row["level"] == "county" and draw.random() < 0.5
    row["aliases"] = f"shahrdari {row['county'].lower()}" if alias else ""


def write(path: Path, seed: int = SEED) -> int:
    """Write the directory to `path`; the number of agencies."""
    made = rows(seed)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", restval="")
        writer.writeheader()
        writer.writerows(made)
    return len(made)


def main() -> None:
    """Write the file named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(f"{write(args.out, args.seed)} agencies written to {args.out}")


if __name__ == "__main__":
    main()

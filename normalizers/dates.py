"""Japanese era years and fiscal years (the fiscal year starts in April)."""
from __future__ import annotations

import re

from .text import fold

# First Gregorian year of each era, minus one: 令和1 = 2019.
ERA_OFFSETS = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988}
_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ERA_FY = re.compile(r"(令和|平成|昭和|R|H)\s*(\d{1,2}|元)\s*年度")
_GREGORIAN_FY = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度|\bFY\s*((?:19|20)\d{2})\b")
_ROUND = re.compile(r"(?:第\s*)?(\d+|[一二三四五六七八九十])\s*(?:次|回)\s*(?:公募|募集)")
_DATE = re.compile(r"(令和|平成|(?<!\d))\s*(\d{1,4}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def era_to_year(era: str, number: str) -> int:
    n = 1 if number == "元" else int(number)
    return ERA_OFFSETS[era] + n


def fiscal_year_from_text(text: str | None) -> int | None:
    """The first fiscal year stated in the text: 令和7年度 → 2025, 2022年度 → 2022, FY2024 → 2024."""
    s = fold(text or "")
    candidates = []
    for m in _ERA_FY.finditer(s):
        candidates.append((m.start(), era_to_year(m.group(1), m.group(2))))
    for m in _GREGORIAN_FY.finditer(s):
        candidates.append((m.start(), int(m.group(1) or m.group(2))))
    return min(candidates)[1] if candidates else None


def fiscal_years_in_text(text: str | None) -> list[int]:
    """Every distinct fiscal year the text states, in order of first appearance."""
    s = fold(text or "")
    found = [(m.start(), era_to_year(m.group(1), m.group(2))) for m in _ERA_FY.finditer(s)]
    found += [(m.start(), int(m.group(1) or m.group(2))) for m in _GREGORIAN_FY.finditer(s)]
    return list(dict.fromkeys(year for _pos, year in sorted(found)))


# A cell that states a year (and maybe a round) and nothing else: "2025年度（1次）", "令和4年度",
# "R7", "2022", "FY2024 2次", "令和7年度 第2回". The year need not say 年度 when the cell is only a year.
_CELL_YEAR = re.compile(
    r"(?:(?P<era>令和|平成|R|H)\s*(?P<n>\d{1,2}|元)|(?:FY)?\s*(?P<y>(?:19|20)\d{2}))\s*(?:年度|年)?")
_CELL_ROUND = re.compile(r"(?:第\s*)?(\d{1,2}|[一二三四五六七八九十])\s*(?:次|回)(?:\s*(?:公募|募集))?")
_CELL_REST = re.compile(r"[\s()（）\[\]【】・,、/\-－~～]*")


def year_and_round_of_cell(text: str | None) -> tuple[int | None, int | None]:
    """(fiscal year, round) of a 年度 / 採択年度 cell: "2025年度（1次）" → (2025, 1), "令和4年度" → (2022,
    None), "R7 2次" → (2025, 2). (None, None) when the cell holds anything else than a year and a round,
    so that a title or a sentence mentioning a year is not taken for a year cell."""
    s = fold(text or "").strip()
    m = _CELL_YEAR.match(s)
    if not m:
        return None, None
    year = era_to_year(m["era"], m["n"]) if m["era"] else int(m["y"])
    rest = s[m.end():]
    round_no = None
    r = _CELL_ROUND.search(rest)
    if r:
        g = r.group(1)
        round_no = int(g) if g.isdigit() else _KANJI_DIGITS[g]
        rest = rest[:r.start()] + rest[r.end():]
    if not _CELL_REST.fullmatch(rest):
        return None, None
    return year, round_no


def round_from_text(text: str | None) -> int | None:
    """The call round: 1次公募 → 1, 第2回公募 → 2."""
    m = _ROUND.search(fold(text or ""))
    if not m:
        return None
    g = m.group(1)
    return int(g) if g.isdigit() else _KANJI_DIGITS[g]


def date_from_text(text: str | None) -> tuple[int, int, int] | None:
    """The first full date printed: 2026年2月5日 or 令和8年2月5日 → (2026, 2, 5)."""
    for m in _DATE.finditer(fold(text or "")):
        era, year, month, day = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
        y = era_to_year(era, year) if era else (int(year) if year != "元" else 0)
        if 1900 <= y <= 2200 and 1 <= month <= 12 and 1 <= day <= 31:
            return y, month, day
    return None


def fiscal_year_of_date(year: int, month: int) -> int:
    """Japanese fiscal years run April to March: February 2026 is in fiscal year 2025."""
    return year if month >= 4 else year - 1

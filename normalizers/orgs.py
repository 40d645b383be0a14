"""Organisation names: abbreviated legal forms expanded, trailing acronyms split off, lists split."""
from __future__ import annotations

import re

from .text import normalize_text, strip_spaces_cjk

# Abbreviations printed in parentheses (after NFKC: ㈱ → (株)) and the legal form they stand for.
LEGAL_FORMS = {
    "株": "株式会社",
    "有": "有限会社",
    "同": "合同会社",
    "資": "合資会社",
    "名": "合名会社",
    "公財": "公益財団法人",
    "公社": "公益社団法人",
    "一財": "一般財団法人",
    "一社": "一般社団法人",
    "財": "財団法人",
    "社": "社団法人",
    "特非": "特定非営利活動法人",
    "独": "独立行政法人",
    "地独": "地方独立行政法人",
    "国研": "国立研究開発法人",
    "国大": "国立大学法人",
    "社福": "社会福祉法人",
    "学": "学校法人",
    "医": "医療法人",
}
_NPO = "NPO法人"
_ABBR = "|".join(sorted(map(re.escape, LEGAL_FORMS), key=len, reverse=True))
_LEADING = re.compile(rf"^\((?:{_ABBR})\)")
_TRAILING = re.compile(rf"\((?:{_ABBR})\)$")
# An acronym in brackets at the end of a name: 地球環境戦略研究機関(IGES), "... Co., Ltd. (TDEM)".
# Capitals only, so that "(Thailand)" stays part of a name.
_ACRONYM = re.compile(r"\s*\(([A-Z][A-Z0-9&.\-]{1,15})\)$")
# Latin legal suffixes that follow a comma inside one company name ("Co., Ltd.").
_LATIN_SUFFIX = r"(?:Ltd|LTD|Inc|INC|LLC|Co|CO|Corp|Corporation|Limited|Pte|Sdn|Bhd|JSC|GmbH|S\.A|Tbk|Jr)\b"
_LATIN_COMMA = re.compile(rf",\s*(?!{_LATIN_SUFFIX})(?=[A-Za-z])")


def split_acronym(name: str) -> tuple[str, str | None]:
    """地球環境戦略研究機関(IGES) → (地球環境戦略研究機関, IGES)."""
    m = _ACRONYM.search(name)
    if not m:
        return name, None
    return name[: m.start()].rstrip(), m.group(1)


def expand_legal_form(name: str) -> str:
    """(株)X → 株式会社X, X(株) → X株式会社, for every abbreviation in LEGAL_FORMS; NPO法人X →
    特定非営利活動法人X."""
    m = _LEADING.match(name)
    if m:
        return LEGAL_FORMS[m.group(0)[1:-1]] + name[m.end():]
    if name.startswith(_NPO):  # the common name of the legal form
        return "特定非営利活動法人" + name[len(_NPO):]
    m = _TRAILING.search(name)
    if m:
        return name[: m.start()] + LEGAL_FORMS[m.group(0)[1:-1]]
    return name


def normalize_org(raw: str | None) -> str:
    """The full legal name: normalized text, legal forms expanded, no spaces, no trailing acronym."""
    name = normalize_text(raw)
    name, _ = split_acronym(name)
    # Again after the expansion: "(株) NTTデータ" has its space beside a bracket, not a Japanese character.
    return strip_spaces_cjk(expand_legal_form(name))


def org_alias(raw: str | None) -> str | None:
    """The acronym printed after a name, kept as an alias (IGES, OECC)."""
    return split_acronym(normalize_text(raw))[1]


def split_orgs(raw: str | None) -> list[str]:
    """Split a printed list of organisations on 、 (and on commas between Latin company names)."""
    text = normalize_text(raw)
    items: list[str] = []
    for part in re.split(r"[、;]", text):
        for piece in _LATIN_COMMA.split(part):
            piece = piece.strip(" ,、")
            if piece:
                items.append(normalize_org(piece))
    return items

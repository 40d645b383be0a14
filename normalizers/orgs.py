"""Organisation names: abbreviated legal forms expanded, trailing acronyms split off, lists split."""
from __future__ import annotations

import re

from .text import join_lines, normalize_text, strip_spaces_cjk

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


# What a whole organisation's name ends in: a legal form, the kind of body, a Latin company suffix.
_NAME_END = re.compile(
    r"(?:株式会社|有限会社|合同会社|合資会社|合名会社|法人|組合|協会|機構|大学|研究所|センター|協議会|事業団|公社"
    rf"|\((?:{_ABBR})\)|Ltd\.?|LTD\.?|Inc\.?|INC\.?|LLC|Corporation|Corp\.?|Limited|JSC|Tbk\.?|Bhd\.?)$")
# A name that begins with its legal form (株式会社X, 一般財団法人X, (株)X, NPO法人X).
_FORMS = "|".join(sorted(map(re.escape, set(LEGAL_FORMS.values())), key=len, reverse=True))
_NAME_START = re.compile(rf"^(?:\((?:{_ABBR})\)|{_FORMS}|NPO法人)")
_ONLY_FORM = re.compile(rf"^(?:\((?:{_ABBR})\)|{_FORMS}|NPO法人)$")
# A cell saying there is none: ―, -, なし, 該当なし …
_NONE = re.compile(r"^[\s\-－―—–‐ー]*(?:なし|無し|該当なし|特になし|N/?A)?[\s\-－―—–‐ー]*$", re.IGNORECASE)


def _whole(name: str) -> bool:
    """Whether `name` (a line, as printed) ends where an organisation's name does, and is more
    than a legal form alone (一般財団法人 at a line end goes on with its name)."""
    name = normalize_text(name).strip(" ・")
    return bool(_NAME_END.search(name)) and not _ONLY_FORM.match(name)


def _starts_name(text: str) -> bool:
    """Whether `text` begins a name with its legal form: the form and then more of the name (a
    line holding only 株式会社, or 株式会社、…, ends the name above)."""
    text = normalize_text(text)
    m = _NAME_START.match(text)
    return bool(m) and bool(re.split(r"[、,;]", text[m.end():], maxsplit=1)[0].strip())


def split_orgs(raw: str | None) -> list[str]:
    """Split a printed list of organisations into full legal names: on 、 and ;, on commas between
    Latin company names, at a line end after a whole name or before a line that begins with a legal
    form (a list printed one name a line; a name wrapped inside its cell stays whole), and at ・
    between two whole names ("A株式会社・一般財団法人B", not 日本エヌ・ユー・エス株式会社). [] for a
    cell that says there is none (―, なし)."""
    if raw is None or _NONE.match(normalize_text(raw)):
        return []
    items: list[str] = []
    for line in (ln.strip() for ln in raw.splitlines()):
        if not line:
            continue
        if items and not (_whole(join_lines(items[-1])) or _starts_name(line)):
            items[-1] += "\n" + line  # a name the cell wrapped
        else:
            items.append(line)
    out: list[str] = []
    for item in items:
        text = normalize_text(join_lines(item))
        for part in re.split(r"[、;]", text):
            for piece in _LATIN_COMMA.split(part):
                for name in _split_at_dots(piece.strip(" ,、")):
                    if name:
                        out.append(normalize_org(name))
    return out


def _split_at_dots(text: str) -> list[str]:
    """`text` cut at each ・ that ends a whole name or begins one with its legal form."""
    names, start = [], 0
    for m in re.finditer("・", text):
        left, right = text[start:m.start()], text[m.end():]
        if left and right and (_whole(left) or (_starts_name(right) and not _ONLY_FORM.match(left))):
            names.append(left)
            start = m.end()
    names.append(text[start:])
    return [n.strip() for n in names]

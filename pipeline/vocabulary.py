"""The words several stages share: administrative suffixes, table header words, pair joiners and
the labels of a project page. One place to add a word so that every stage that reads it agrees.

Words only one module reads stay in that module. Patterns are built from these lists by
`alternation` (a regex group) and `endings` (a character class of last characters); how each
stage matches them is the stage's business.
"""
from __future__ import annotations

import re

# --- administrative suffixes -------------------------------------------------------------------

# Every suffix the gazetteer's match key splits off, longest first: 特別市 must win over 市, 管区 over 区.
ADMIN_SUFFIXES = ("特別市", "特別州", "特別区", "首都圏", "首都州", "管区", "地域", "地方", "地区",
                  "省", "州", "県", "市", "区", "都", "府", "郡", "町", "村")

# Which place kinds a printed suffix may name. A key whose suffix is not compatible with a place's
# kind never resolves to that place (ラヨン市 never becomes Rayong Province).
SUFFIX_KINDS: dict[str, frozenset[str]] = {
    "特別市": frozenset({"city", "province"}),
    "特別州": frozenset({"province", "state"}),
    "特別区": frozenset({"municipality", "district"}),
    "首都圏": frozenset({"region", "city"}),
    "首都州": frozenset({"region", "province"}),
    "管区": frozenset({"region"}),
    "地域": frozenset({"region", "other"}),
    "地方": frozenset({"region", "other"}),
    "地区": frozenset({"region", "district", "other"}),
    "省": frozenset({"province"}),
    "州": frozenset({"state", "province", "region"}),
    "県": frozenset({"prefecture", "province", "regency"}),
    "市": frozenset({"city", "municipality"}),
    "区": frozenset({"district", "municipality"}),
    "都": frozenset({"city", "prefecture"}),
    "府": frozenset({"prefecture"}),
    "郡": frozenset({"district", "regency"}),
    "町": frozenset({"municipality"}),
    "村": frozenset({"municipality"}),
}

# Japanese local administration: prefectures (都道府県) and municipalities (市区町村).
JAPAN_SUFFIXES = ("都", "道", "府", "県", "市", "区", "町", "村")
# What a Japanese local government body's printed name may end in besides: a partial-affairs
# association (…組合, abbreviated …一組) or a prefectural office (北海道庁).
JAPAN_BODY_SUFFIXES = JAPAN_SUFFIXES + ("組合", "一組", "庁")
# Units a foreign place is printed with in titles, pair headings and city lists (ハノイ市, 西ジャワ州,
# ヤンゴン管区, タイ東部地域). 地方, 地区 and the Japanese-only 府 町 村 are left out: after a katakana
# name they are rarely a unit of administration.
FOREIGN_SUFFIXES = ("特別州", "特別市", "管区", "地域", "州", "省", "市", "県", "都", "区", "郡")
# A foreign name the NER model is asked about may also name a capital region (マニラ首都圏).
CANDIDATE_SUFFIXES = FOREIGN_SUFFIXES + ("首都圏",)


def alternation(words) -> str:
    """A non-capturing regex group matching any of `words` (in the order given)."""
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


def endings(words) -> str:
    """The last characters of `words`, as the inside of a regex character class (市県…域)."""
    return "".join(dict.fromkeys(w[-1] for w in words))


# The last characters of a Japanese or foreign place name with its unit (都道府県市区町村州域省郡): after
# one of them a katakana long vowel ー cannot be part of the name, so it joins the next (横浜市ーダナン市).
PLACE_NAME_ENDINGS = endings(JAPAN_SUFFIXES + FOREIGN_SUFFIXES)


# The last characters of a Japanese or foreign place name with its unit (市県…州省郡域): after one of
# them a katakana long vowel ー cannot be part of the name, so it joins the next (横浜市ーダナン市).
# --- city pairs --------------------------------------------------------------------------------

# What joins the two places of a city pair besides the katakana long vowel ー (which only joins right
# after a unit suffix): dashes, and the two-way arrows and crosses layouts draw (横浜市×ダナン市).
PAIR_JOINERS = "-－―‐‑‒–—−⇔↔⟷×✕\u00ad"  # the dashes: hyphen-minus, full width, bar, U+2010-2014, minus
# (U+00AD, the soft hyphen, is what a browser's font map gives for a drawn minus sign −)
PAIR_JOINER = "[" + re.escape(PAIR_JOINERS) + "]"  # as a regex character class
# The long vowel marks, full and half width, that join a pair right after a unit suffix (横浜市ーダナン市).
LONG_VOWEL_JOINERS = "ーｰ"

# --- table header words ------------------------------------------------------------------------

# Column roles of a project table and the header words that name them (the adoption-table
# extractor matches a header cell against these: exactly, by containment, then fuzzily).
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "number": ("番号", "No", "No.", "案件番号", "整理番号", "通し番号", "採択番号", "項番", "#",
               "事業番号", "管理番号"),
    "proposer": ("提案者", "代表事業者", "代表提案者", "実施主体", "応募者", "事業者", "事業者名",
                 "提案団体", "申請者", "受託者", "実施団体", "代表団体", "提案事業者",
                 "代表提案団体", "代表申請者"),
    # Named apart from the proposer: "共同事業者" holds "事業者", and the longest synonym must win.
    "co_implementers": ("共同事業者", "共同提案者", "共同実施者", "共同実施団体", "共同実施機関",
                        "共同実施事業者", "参加事業者", "参画事業者", "共同団体", "協力事業者",
                        "共同提案団体", "共同申請者"),
    "japan": ("国内都市", "国内自治体", "日本側都市", "日本側自治体", "本邦自治体", "国内の都市",
              "国内連携都市", "連携自治体", "日本の自治体", "自治体", "国内都市名", "国内自治体名"),
    "partner": ("対象都市・地域", "対象都市", "対象地域", "相手都市", "相手都市・地域", "海外都市",
                "海外自治体", "相手国都市", "連携先都市", "海外の都市", "相手自治体", "対象自治体",
                "相手側自治体", "相手側都市", "海外側自治体", "海外側都市", "対象都市名", "対象地域・都市",
                # (a column of whole pairs, "横浜市－ダナン市", is split into both sides)
                "連携都市", "連携都市名"),
    "country": ("対象国", "相手国", "国名", "国", "実施国", "対象国名"),
    "title": ("事業名", "案件名", "業務名", "事業の名称", "提案事業名", "件名", "調査名", "事業名称",
              "案件名称"),
    "fields": ("対象分野", "分野", "事業分野", "対象領域", "技術分野"),
    "summary": ("事業概要", "概要", "事業内容", "事業の概要", "内容", "提案概要", "案件概要"),
    # The row's own fiscal year, often with its call round: "2025年度（1次）", "令和4年度".
    "fiscal_year": ("年度", "採択年度", "実施年度", "事業年度", "公募年度", "採択年", "年度公募回", "実施時期"),
}
# Header words of a column that lists the items of a form or an explanation (番号 | 記載項目 | 内容):
# a ruled table whose first row holds only such words and column headers is a list with a header
# row, never one project's label | value rows.
ITEM_COLUMN_WORDS = ("項目", "記載項目", "記載事項", "項目名", "記入項目", "記入事項", "区分", "説明", "備考",
                     "留意事項", "記載内容", "記入例")
# The header words the classifier looks for in a page's running text (lower-cased, by containment),
# by role: a subset of HEADER_WORDS distinctive enough there (国, 内容 or 自治体 are in any page);
# "cities" is either side of the pair.
TABLE_SIGNAL_WORDS: dict[str, tuple[str, ...]] = {
    "number": ("番号", "no."),
    "proposer": ("提案者", "代表事業者", "実施主体", "応募者", "事業者", "申請者", "提案団体"),
    "title": ("事業名", "案件名", "業務名", "件名"),
    "fields": ("対象分野", "分野"),
    "summary": ("事業概要", "概要", "事業内容"),
    "country": ("対象国", "相手国", "国名"),
    "cities": ("国内都市", "国内自治体", "対象都市", "相手都市", "海外都市", "連携都市"),
}

# --- labels of a project page ------------------------------------------------------------------

# A brochure's project page names its lead implementer and its co-implementers (regex alternatives).
LEAD_WORDS = r"代表(?:事業者|提案者|団体)"
CO_WORDS = r"共同(?:事業者|実施者|提案者|実施団体|実施機関)"
# A project page may name its implementer 実施主体 instead of a lead and co-implementers.
IMPLEMENTER_WORD = "実施主体"
# Labels before a proposer's name, and the header of a proposer column in a list without labels.
PROPOSER_LABELS = (IMPLEMENTER_WORD, "提案者", "代表事業者", "代表提案者")
PROPOSER_HEADERS = (IMPLEMENTER_WORD, "提案者", "代表事業者", "事業者", "実施者")
# Labels before a project's name ("事業名：…"), and the header of a title column in a list.
TITLE_LABELS = ("事業名", "案件名", "業務名")
TITLE_HEADERS = TITLE_LABELS + ("件名", "事業名称", "タイトル")

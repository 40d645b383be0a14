"""Decide what kind of document a PDF is from its content (never from its file name).

Each kind gets a score from independent pieces of evidence — title words, table header words, page
shape, text density, section words — and the best score wins if it clears a threshold. A document
that never mentions the programme's subject (city-to-city collaboration, decarbonisation, JCM) is
"other" whatever its shape, so an unrelated report or an unrelated adoption list is not extracted.
"""
from __future__ import annotations

import re

from normalizers.text import squash

from .vocabulary import CO_WORDS, IMPLEMENTER_WORD, LEAD_WORDS, TABLE_SIGNAL_WORDS

# The programme's subject; at least one must appear for any kind other than "other".
TOPIC_WORDS = ("都市間連携", "都市連携", "city-to-city", "city to city", "脱炭素", "ゼロカーボン",
               "低炭素", "jcm", "二国間クレジット", "カーボンニュートラル")
# Titles of a list of adopted projects.
ADOPTION_TITLE = re.compile(r"採択(案件|事業|結果|一覧|団体|者|課題)|採択された|交付決定|選定結果")
# Titles of a list of projects that do not say "adopted" (実施案件一覧, 決定事業一覧, 契約締結案件).
LIST_TITLE = re.compile(r"(案件|事業|課題)(一覧|リスト)|一覧表|決定(案件|事業)|契約(締結)?(案件|事業)")
# Header words of a project table, by role (the vocabulary's, a subset of the extractor's).
PROJECT_HEADER_ROLES = TABLE_SIGNAL_WORDS
# Words of a brochure's sections.
PAMPHLET_WORDS = ("実施調査事業一覧", "事業の背景", "事業の概要", "パンフレット", "参加都市", "問い合わせ",
                  "お問合せ", "関連ウェブサイト", "box")
# The labels of a brochure's project page: its lead implementer and its co-implementers (the
# pamphlet extractor reads the same words), or its implementer 実施主体 instead.
LEAD_LABEL = re.compile(LEAD_WORDS)
CO_LABEL = re.compile(CO_WORDS)
IMPLEMENTER_LABEL = re.compile(CO_LABEL.pattern + "|" + IMPLEMENTER_WORD)
SLIDE_ASPECT = 1.6  # 16:9 = 1.78 and 16:10 = 1.6; A4 landscape (1.41) is a printed table, not a slide
SHORT_PAGE = 700  # characters; slides carry little text per page, a brochure page ~1000
THRESHOLD = 3.0


def classify(page_texts: list[str], page_sizes: list[tuple[float, float]] | None = None) -> str:
    """"adoption_table" | "pamphlet" | "slides" | "other" for a document's page texts (and sizes)."""
    scores = score_kinds(page_texts, page_sizes)
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    return kind if best >= THRESHOLD else "other"


def score_kinds(page_texts: list[str], page_sizes: list[tuple[float, float]] | None = None) -> dict[str, float]:
    """Evidence for each kind; exposed so a reviewer can see why a document was classified as it was."""
    pages = [squash(t) for t in page_texts]
    text = "".join(pages)
    lower = text.lower()
    scores = {"adoption_table": 0.0, "pamphlet": 0.0, "slides": 0.0}
    if not text or not any(w.replace(" ", "") in lower for w in TOPIC_WORDS):
        return scores

    n = len(pages)
    lengths = [len(p) for p in pages]
    mean_len = sum(lengths) / n
    wide = portrait = landscape = None
    if page_sizes:
        wide = sum(1 for w, h in page_sizes if h and w / h >= SLIDE_ASPECT) / len(page_sizes)
        portrait = sum(1 for w, h in page_sizes if w < h) / len(page_sizes)
        landscape = sum(1 for w, h in page_sizes if h and 1 < w / h < SLIDE_ASPECT) / len(page_sizes)

    # adoption table: its title, and a header naming the project columns, repeated on most pages
    head = "".join(pages[:1])[:400]
    if ADOPTION_TITLE.search(head):
        scores["adoption_table"] += 2.5
    elif ADOPTION_TITLE.search(text) or LIST_TITLE.search(head):
        scores["adoption_table"] += 1.0
    roles_per_page = [_header_roles(p) for p in pages]
    best_roles = max(roles_per_page)
    if best_roles >= 4:
        # (five roles — number, proposer, places, country, title — name a project table on their own)
        scores["adoption_table"] += 2.0 + 0.5 * (best_roles - 4)
        if "proposer" in _roles(pages[0]) or "title" in _roles(pages[0]):
            scores["adoption_table"] += 0.5
    elif best_roles == 3:
        scores["adoption_table"] += 1.0
    repeated = sum(1 for r in roles_per_page if r >= 4)
    if n > 1 and repeated >= max(2, 0.6 * n):
        scores["adoption_table"] += 1.0

    # slides: wide pages with short text
    if wide is not None:
        scores["slides"] += 4.0 * wide
    if landscape and n >= 3 and mean_len < SHORT_PAGE:
        # 4:3 slides, or a deck printed on A4 landscape: a deck when its pages are short and many
        scores["slides"] += 2.5 * landscape
    if mean_len < SHORT_PAGE:
        scores["slides"] += 1.0
    if wide is None and n >= 5 and max(lengths) < SHORT_PAGE:
        scores["slides"] += 2.0  # no sizes given: many uniformly short pages read like a deck

    # pamphlet: long portrait pages with brochure sections and per-project detail pages
    hits = sum(1 for w in PAMPHLET_WORDS if w in lower)
    hits += bool(LEAD_LABEL.search(text)) + bool(CO_LABEL.search(text))
    scores["pamphlet"] += min(hits, 5) * 0.6
    # (a table page naming 代表事業者 and 共同事業者 columns is a table page, not a project page)
    detail_pages = sum(1 for p, roles in zip(pages, roles_per_page)
                       if roles < 4 and LEAD_LABEL.search(p) and IMPLEMENTER_LABEL.search(p))
    scores["pamphlet"] += min(detail_pages, 4) * 0.5
    if portrait is not None:
        scores["pamphlet"] += 1.0 * portrait
        scores["adoption_table"] -= 0.5 * portrait * (1 if best_roles < 4 else 0)
    if mean_len >= SHORT_PAGE and n >= 4:
        scores["pamphlet"] += 1.0
    # a deck or brochure may contain one project table; a table document is mostly table pages
    if repeated and repeated < 0.5 * n:
        scores["adoption_table"] -= 1.0
    return scores


def _roles(page: str) -> set[str]:
    low = page.lower()
    return {role for role, words in PROJECT_HEADER_ROLES.items() if any(w in low for w in words)}


def _header_roles(page: str) -> int:
    return len(_roles(page))

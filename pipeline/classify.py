"""Decide what kind of document a PDF is from its content (never from its file name).

Each kind gets a score from independent pieces of evidence — title words, table header words, page
shape, text density, section words — and the best score wins if it clears a threshold. A document
that never mentions the programme's subject (city-to-city collaboration, decarbonisation, JCM) is
"other" whatever its shape, so an unrelated report or an unrelated adoption list is not extracted.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from normalizers.text import squash

from .settings import Settings
from .vocabulary import CO_WORDS, IMPLEMENTER_WORD, LEAD_WORDS, PROPOSER_LABELS, TABLE_SIGNAL_WORDS, alternation

# The programme's subject; at least one must appear for any kind other than "other".
TOPIC_WORDS = ("都市間連携", "都市連携", "city-to-city", "city to city", "脱炭素", "ゼロカーボン",
               "低炭素", "jcm", "二国間クレジット", "カーボンニュートラル")
# Titles of a list of adopted projects.
ADOPTION_TITLE = re.compile(r"採択(案件|事業|結果|一覧|団体|者|課題|について|決定)|採択された|交付決定|選定結果")
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
# A proposer named after a label set off by a colon or brackets, as a list entry does ("実施主体：
# 株式会社…", "【実施主体】株式会社…"); the page texts are squashed (no spaces).
ENTRY_LABEL = re.compile(rf"(?:{alternation(PROPOSER_LABELS)})[:：]|[【\[［](?:{alternation(PROPOSER_LABELS)})[】\]］]")
# The kinds a document is scored for (anything else is "other"), and what `evidence()` measures.
KINDS = ("adoption_table", "project_sheet", "pamphlet", "slides")
EVIDENCE = ("adoption_title_at_top", "adoption_or_list_title", "project_header", "header_roles_beyond",
            "header_on_first_page", "partial_header", "header_repeated", "wide_pages", "short_landscape_pages",
            "short_pages", "many_short_pages_no_sizes", "brochure_words", "project_pages", "portrait_pages",
            "portrait_pages_without_header", "long_pages", "few_table_pages", "label_value_sheets",
            "labelled_entries")


@dataclass(frozen=True)
class ClassifierSettings(Settings):
    """What the classifier decides with. Shares are fractions of the pages (0–1); lengths are
    characters of a page's text with spaces removed.

    `evidence_weights` is the table (evidence, kind, weight): each piece of evidence `evidence()`
    measures (1 when present, or a share or a count) adds weight × amount to the kind's score, in
    the table's order; the best score wins when it reaches `threshold`.
    """

    evidence_weights: tuple[tuple[str, str, float], ...] = (
        # adoption table: its title, and a header naming the project columns, repeated on most pages
        ("adoption_title_at_top", "adoption_table", 2.5),
        ("adoption_or_list_title", "adoption_table", 1.0),  # elsewhere, or a list title at the top
        ("project_header", "adoption_table", 2.0),  # a page naming `header_roles` column roles
        ("header_roles_beyond", "adoption_table", 0.5),  # per role beyond those
        ("header_on_first_page", "adoption_table", 0.5),  # the first page names the proposer or title
        ("partial_header", "adoption_table", 1.0),  # one role fewer
        ("header_repeated", "adoption_table", 1.0),  # on most pages
        # slides: wide pages with short text
        ("wide_pages", "slides", 4.0),  # share
        ("short_landscape_pages", "slides", 2.5),  # share: 4:3 slides, or a deck printed on A4 landscape
        ("short_pages", "slides", 1.0),
        ("many_short_pages_no_sizes", "slides", 2.0),  # no sizes given: uniformly short pages read like a deck
        # pamphlet: long portrait pages with brochure sections and per-project detail pages
        ("brochure_words", "pamphlet", 0.6),  # count, up to `brochure_words_counted`
        ("project_pages", "pamphlet", 0.5),  # count, up to `project_pages_counted`
        ("labelled_entries", "pamphlet", 0.75),  # count, up to `labelled_entries_counted`
        ("portrait_pages", "pamphlet", 1.0),  # share
        ("portrait_pages_without_header", "adoption_table", -0.5),  # share
        ("long_pages", "pamphlet", 1.0),
        # a deck or brochure may contain one project table; a table document is mostly table pages
        ("few_table_pages", "adoption_table", -1.0),
        # project sheet: pages stating a project as label | value rows (labels in a column, each beside
        # its value), which also name all the header words of a table
        ("label_value_sheets", "project_sheet", 8.0),  # share of the pages checked
        ("label_value_sheets", "adoption_table", -8.0),
    )
    threshold: float = 3.0  # the least score a kind must reach; below it the document is "other"
    slide_aspect: float = 1.6  # width/height: 16:9 = 1.78 and 16:10 = 1.6; A4 landscape (1.41) is a printed table
    short_page: int = 700  # characters: slides carry little text per page, a brochure page ~1000
    title_chars: int = 400  # where the title is looked for: the first page's first characters
    header_roles: int = 4  # column roles a page names to be a table header (number, proposer, places, country, title)
    repeated_share: float = 0.6  # "most pages" for a repeated header...
    repeated_pages: int = 2  # ...and at least this many pages
    few_table_share: float = 0.5  # table pages under this share of a document with some: one table in a deck
    landscape_deck_pages: int = 3  # pages a landscape deck has at least
    sizeless_deck_pages: int = 5  # short pages a deck without page sizes has at least
    long_document_pages: int = 4  # pages a brochure of long pages has at least
    brochure_words_counted: int = 5
    project_pages_counted: int = 4
    labelled_entries_counted: int = 6
    list_entries: int = 2  # labelled entries a page holds at least to be a list of them
    sheet_roles: int = 4  # roles a page states as label | value rows to be a project sheet's page
    sheet_pages_checked: int = 3  # pages naming table header words whose label | value rows are read (the first)

    def __post_init__(self):
        for name, kind, _ in self.evidence_weights:  # a misspelt row would silently never count
            if name not in EVIDENCE or kind not in KINDS:
                raise ValueError(f"ClassifierSettings: unknown evidence or kind in ({name!r}, {kind!r}); "
                                 f"evidence is one of {', '.join(EVIDENCE)}, kind one of {', '.join(KINDS)}")


SETTINGS = ClassifierSettings()
THRESHOLD = SETTINGS.threshold


def classify(page_texts: list[str], page_sizes: list[tuple[float, float]] | None = None,
             settings: ClassifierSettings = SETTINGS, label_roles: list[int] | None = None) -> str:
    """"adoption_table" | "project_sheet" | "pamphlet" | "slides" | "other" for a document's page
    texts (and sizes, (width, height) in PDF points). `label_roles`: for the pages `sheet_pages`
    picks, how many roles each states as label | value rows (`extract.project_sheet.labelled_roles`,
    read from the page's geometry: the text alone does not tell a sheet from a table's header)."""
    scores = score_kinds(page_texts, page_sizes, settings, label_roles)
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    return kind if best >= settings.threshold else "other"


def score_kinds(page_texts: list[str], page_sizes: list[tuple[float, float]] | None = None,
                settings: ClassifierSettings = SETTINGS, label_roles: list[int] | None = None) -> dict[str, float]:
    """Each kind's score: the evidence weighed by `settings.evidence_weights`; exposed so a reviewer
    can see why a document was classified as it was."""
    scores = {kind: 0.0 for kind in KINDS}
    found = evidence(page_texts, page_sizes, settings, label_roles)
    for name, kind, weight in settings.evidence_weights:
        if found.get(name):
            scores[kind] += weight * found[name]
    return scores


def names_programme(page_texts: list[str]) -> bool:
    """Whether the text speaks of the programme's subject at all (`TOPIC_WORDS`): the same test
    `evidence()` makes before it weighs anything."""
    pages, _roles = _pages(tuple(page_texts))
    return _on_topic("".join(pages).lower())


def _on_topic(lower: str) -> bool:
    """Whether a document's squashed, lower-cased text holds one of `TOPIC_WORDS`."""
    return any(w.replace(" ", "") in lower for w in TOPIC_WORDS)


def sheet_pages(page_texts: list[str], settings: ClassifierSettings = SETTINGS) -> list[int]:
    """The pages (0-based) whose label | value rows the classifier wants counted: the first
    `sheet_pages_checked` pages naming `header_roles` - 1 table header words or more."""
    _squashed, roles_per_page = _pages(tuple(page_texts))
    pages = [i for i, roles in enumerate(roles_per_page) if roles >= settings.header_roles - 1]
    return pages[:settings.sheet_pages_checked]


@functools.lru_cache(maxsize=2)
def _pages(page_texts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(each page's text squashed, the number of header roles each names). `sheet_pages` and
    `evidence` both ask, for the same document, one after the other: kept for the last two
    documents' page texts (the key; equal texts give the same answer)."""
    pages = tuple(squash(t) for t in page_texts)
    return pages, tuple(_header_roles(p) for p in pages)


def evidence(page_texts: list[str], page_sizes: list[tuple[float, float]] | None = None,
             settings: ClassifierSettings = SETTINGS, label_roles: list[int] | None = None) -> dict[str, float]:
    """How much of each piece of evidence a document shows (1 for present, a share of the pages or a
    count; absent ones left out). Nothing at all when it never mentions the programme's subject."""
    s = settings
    pages, roles_per_page = _pages(tuple(page_texts))
    text = "".join(pages)
    lower = text.lower()
    found: dict[str, float] = {}
    if not text or not _on_topic(lower):
        return found

    n = len(pages)
    lengths = [len(p) for p in pages]
    mean_len = sum(lengths) / n
    wide = portrait = landscape = None
    if page_sizes:
        wide = sum(1 for w, h in page_sizes if h and w / h >= s.slide_aspect) / len(page_sizes)
        portrait = sum(1 for w, h in page_sizes if w < h) / len(page_sizes)
        landscape = sum(1 for w, h in page_sizes if h and 1 < w / h < s.slide_aspect) / len(page_sizes)

    head = "".join(pages[:1])[:s.title_chars]
    if ADOPTION_TITLE.search(head):
        found["adoption_title_at_top"] = 1
    elif ADOPTION_TITLE.search(text) or LIST_TITLE.search(head):
        found["adoption_or_list_title"] = 1
    best_roles = max(roles_per_page)
    if best_roles >= s.header_roles:
        found["project_header"] = 1
        found["header_roles_beyond"] = best_roles - s.header_roles
        if "proposer" in _roles(pages[0]) or "title" in _roles(pages[0]):
            found["header_on_first_page"] = 1
    elif best_roles == s.header_roles - 1:
        found["partial_header"] = 1
    repeated = sum(1 for r in roles_per_page if r >= s.header_roles)
    if n > 1 and repeated >= max(s.repeated_pages, s.repeated_share * n):
        found["header_repeated"] = 1

    if wide is not None:
        found["wide_pages"] = wide
    if landscape and n >= s.landscape_deck_pages and mean_len < s.short_page:
        found["short_landscape_pages"] = landscape
    if mean_len < s.short_page:
        found["short_pages"] = 1
    if wide is None and n >= s.sizeless_deck_pages and max(lengths) < s.short_page:
        found["many_short_pages_no_sizes"] = 1

    hits = sum(1 for w in PAMPHLET_WORDS if w in lower)
    hits += bool(LEAD_LABEL.search(text)) + bool(CO_LABEL.search(text))
    found["brochure_words"] = min(hits, s.brochure_words_counted)
    # (a table page naming 代表事業者 and 共同事業者 columns is a table page, not a project page)
    detail_pages = sum(1 for p, roles in zip(pages, roles_per_page)
                       if roles < s.header_roles and LEAD_LABEL.search(p) and IMPLEMENTER_LABEL.search(p))
    found["project_pages"] = min(detail_pages, s.project_pages_counted)
    # a list of projects as cards or paragraphs, each naming its proposer after a label ("実施主体：…"),
    # several to a page (a deck's or brochure's page of one project is not a list)
    labels = [len(ENTRY_LABEL.findall(p)) for p, roles in zip(pages, roles_per_page) if roles < s.header_roles]
    found["labelled_entries"] = min(sum(n for n in labels if n >= s.list_entries), s.labelled_entries_counted)
    if portrait is not None:
        found["portrait_pages"] = portrait
        if best_roles < s.header_roles:
            found["portrait_pages_without_header"] = portrait
    if mean_len >= s.short_page and n >= s.long_document_pages:
        found["long_pages"] = 1
    if repeated and repeated < s.few_table_share * n:
        found["few_table_pages"] = 1
    if label_roles:
        found["label_value_sheets"] = sum(1 for r in label_roles if r >= s.sheet_roles) / len(label_roles)
    return {k: v for k, v in found.items() if v}


def _roles(page: str) -> set[str]:
    low = page.lower()
    return {role for role, words in PROJECT_HEADER_ROLES.items() if any(w in low for w in words)}


def _header_roles(page: str) -> int:
    return len(_roles(page))

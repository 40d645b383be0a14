"""The resolve stage: printed place names → gazetteer places, for records and running text.

Cheap and always re-run, so a gazetteer change takes effect without opening a PDF. Every place
name found is recorded as a mention; what cannot be resolved with confidence goes to review.
"""
from __future__ import annotations

import hashlib
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from normalizers.places import kinds_for_suffix, match_key
from normalizers.text import squash

from .gazetteer import MAX_CANDIDATES, Match
from .propose import CANDIDATE_NAME, ModelError, ModelProcess, model_name as ner_model_name
from .ocr import SETTINGS as OCR_SETTINGS, text_confidence
from .records import Candidate, Extraction, JcmRecord, MentionRow, PlaceText, ProjectRecord, ReviewRow
from .settings import Settings

# A title that says the document corrects an earlier issue: （修正版）, 改訂, 訂正, 差替え, 更新版.
_REVISION = re.compile(r"修正|改訂|改定|訂正|差替|差し替え|更新版")


@dataclass(frozen=True)
class ResolveSettings(Settings):
    """What the resolve stage decides with besides the gazetteer's own matching. Scores are the
    gazetteer's, 0–100."""

    score_decimals: int = 1  # mention and candidate scores are rounded to this many decimals
    candidates: int = MAX_CANDIDATES  # candidates a review row lists, best first
    # A name the NER model proposes is a review item only when its stem (the name without its
    # suffix, folded) has at least this many characters: a one-character stem is a common noun
    # (州都, 首都), not a name...
    min_proposed_stem: int = 2
    # ... and when no gazetteer place has its stem at this score: a known place written without its
    # suffix (静岡 for 静岡市/静岡県) is an ambiguity, not a name the gazetteer lacks.
    known_stem_score: float = 100.0


SETTINGS = ResolveSettings()
_LINE_BREAKS = re.compile(r"[\r\n]+")


@dataclass
class PlaceAtom:
    text: str  # as printed
    page: int
    place_id: str | None


@dataclass
class ResolvedProject:
    document: str
    sha256: str
    kind: str
    issued: str | None
    record: ProjectRecord
    japan: list[PlaceAtom]
    partners: list[PlaceAtom]
    revised: bool = False  # the document calls itself a corrected or revised issue
    ocr: bool = False  # read by OCR off a scanned page
    # Review rows (kind low_confidence_ocr) for fields OCR read below the cut-off; dedupe files them
    # when no digital source states the project.
    low_confidence: list[ReviewRow] = field(default_factory=list)


@dataclass
class ResolvedPair:
    document: str
    sha256: str
    page: int
    japan_place_id: str
    partner_place_id: str
    country: str | None
    fiscal_years: list[int]


@dataclass
class ResolvedJcm:
    document: str
    sha256: str
    record: JcmRecord
    japan_place_id: str | None
    partner_place_id: str | None


@dataclass
class Resolved:
    projects: list[ResolvedProject] = field(default_factory=list)
    pairs: list[ResolvedPair] = field(default_factory=list)
    jcm: list[ResolvedJcm] = field(default_factory=list)
    mentions: list[MentionRow] = field(default_factory=list)
    review: list[ReviewRow] = field(default_factory=list)


def _mention(document: str, page: int, text: str, resolution, settings: ResolveSettings) -> MentionRow:
    return MentionRow(
        document=document,
        page=page,
        text=_LINE_BREAKS.sub("", text),
        key=resolution.key,
        place_id=resolution.place_id,
        method=resolution.method if resolution.place_id else "unresolved",
        score=round(float(resolution.score), settings.score_decimals),
    )


def _candidates(resolution, settings: ResolveSettings) -> list[Candidate]:
    return [Candidate(place_id=pid, score=round(float(score), settings.score_decimals))
            for pid, score in resolution.candidates[:settings.candidates]]


class MemoGazetteer:
    """The gazetteer's answers remembered for the run: the same names and the same boilerplate
    text come back in every document of a series, and resolving them is the costly part."""

    def __init__(self, gazetteer):
        self.gazetteer = gazetteer
        self._cells: dict = {}
        self._scans: dict = {}
        self._names: dict = {}
        self._unknown: dict = {}

    def resolve_cell(self, text: str, country=None, side=None):
        key = (text, country, side)
        if key not in self._cells:
            self._cells[key] = self.gazetteer.resolve_cell(text, country=country, side=side)
        return self._cells[key]

    def scan(self, text: str, country=None):
        key = (text, country)
        if key not in self._scans:
            self._scans[key] = self.gazetteer.scan(text, country=country)
        return self._scans[key]

    def scan_for_unknown(self, text: str, country=None):
        """The gazetteer's matches in `text`, and (unwrapped text, covered stretches) when it also
        holds a name-like run the gazetteer did not match (else None): the model's input."""
        key = (text, country)
        if key not in self._unknown:
            matches = list(self.scan(text, country))
            covered = tuple(sorted({(m.start, m.end) for m in matches}))
            flat, flat_covered = _unwrapped(text, covered)
            lacking = False
            for cand in CANDIDATE_NAME.finditer(flat):
                # Known when a gazetteer match ends where the candidate's suffix ends: the run of
                # katakana before it may hold a country or a separator (パラオ・アイライ州).
                if any(s < cand.end() <= e for s, e in flat_covered):
                    continue
                # A known place under another suffix of its kind (ヤンゴン地域 for ヤンゴン管区) is
                # found by resolving the run itself (offsets here are into the unwrapped text).
                # Fuzzy answers are not taken from running text: a person confirms those.
                found = self.gazetteer.resolve(cand.group(), country=country, running_text=True)
                if found.place_id and found.method != "fuzzy":
                    matches.append(Match(cand.start(), cand.end(), cand.group(), found))
                    flat_covered += ((cand.start(), cand.end()),)
                else:
                    lacking = True
            self._unknown[key] = (matches, (flat, flat_covered) if lacking else None)
        return self._unknown[key]

    def resolve(self, text: str):
        """A name the model proposed in running text."""
        if text not in self._names:
            self._names[text] = self.gazetteer.resolve(text, running_text=True)
        return self._names[text]


class _DocumentResolver:
    """Resolves everything one document mentions; keeps its mentions consistent."""

    def __init__(self, extraction: Extraction, gazetteer: MemoGazetteer, settings: ResolveSettings):
        self.ex = extraction
        self.gaz = gazetteer
        self.settings = settings
        self.mentions: list[MentionRow] = []
        self.review: list[ReviewRow] = []
        self.resolutions: dict[tuple[int, str], object] = {}

    def _record(self, page: int, text: str, resolution) -> None:
        mention = _mention(self.ex.document, page, text, resolution, self.settings)
        if page in self.ex.ocr_pages:
            read = text_confidence(text, page, self.ex.ocr)
            mention.ocr, mention.confidence = True, read[0] if read else None
        self.mentions.append(mention)
        # Kept for the review table's candidates, which were computed with the mention's context.
        self.resolutions.setdefault((page, mention.text), resolution)

    def atoms(self, place_texts: list[PlaceText]) -> list[PlaceAtom]:
        atoms = []
        for pt in place_texts:
            for r in self.gaz.resolve_cell(pt.text, country=pt.country, side=pt.side):
                self._record(pt.page, r.text, r)
                atoms.append(PlaceAtom(re.sub(r"\s+", "", r.text), pt.page, r.place_id))
        return atoms

    def scan(self) -> list[tuple[int, str, tuple]]:
        """Mentions in running text; returns the spans holding names the gazetteer lacks, with the
        stretches of them the gazetteer did match."""
        needs_ner = []
        for span in self.ex.spans:
            matches, unknown = self.gaz.scan_for_unknown(span.text, span.country)
            for m in matches:
                self._record(span.page, m.text, m.resolution)
            if unknown:
                needs_ner.append((span.page, *unknown))
        return needs_ner

    def settle(self) -> None:
        """One spelling, one place within a document: an unresolved occurrence of a spelling that
        the document resolves elsewhere (with its context) takes that place; the rest go to review."""
        by_text: dict[str, set] = defaultdict(set)
        for m in self.mentions:
            if m.place_id and m.method != "fuzzy":  # a guess is not spread: a person confirms it
                by_text[squash(m.text)].add(m.place_id)
        for m in self.mentions:
            if m.place_id is None:
                ids = by_text.get(squash(m.text), set())
                if len(ids) == 1:
                    m.place_id, m.method = next(iter(ids)), "context"
        self._confirm_from_page()

    def _confirm_from_page(self) -> None:
        """A name uncertain alone (unresolved, or a fuzzy guess) is taken when the same page names,
        with confidence, exactly one place whose printed spelling it nearly matches (the cell's
        ペカンバル市 beside the title's プカンバル市): of a kind its suffix allows, of a country its
        candidates allow. A guess the page contradicts is left for review."""
        gazetteer = self.gaz.gazetteer
        cutoff = gazetteer.names.settings.context_cutoff
        confident: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for m in self.mentions:
            if m.place_id and m.method != "fuzzy":
                confident[m.page][m.place_id].add(match_key(m.text)[0])
        for m in self.mentions:
            if m.place_id is not None and m.method != "fuzzy" or m.page not in confident:
                continue
            stem, suffix = match_key(m.text)
            if len(stem) < 3:
                continue
            kinds = kinds_for_suffix(suffix)
            r = self.resolutions.get((m.page, m.text))
            countries = {gazetteer.places[pid].country for pid, _ in (r.candidates if r else [])}
            near = []
            for pid, stems in confident[m.page].items():
                place = gazetteer.places[pid]
                if (kinds is not None and place.kind not in kinds) or (countries and place.country not in countries):
                    continue
                score = max(fuzz.ratio(stem, s) for s in stems)
                if score >= cutoff:
                    near.append((pid, score))
            if len(near) == 1 and m.place_id in (None, near[0][0]):
                m.place_id, m.method, m.score = near[0][0], "context", round(float(near[0][1]), 1)

    def review_rows(self) -> None:
        for m in self.mentions:
            if m.place_id is None:
                r = self.resolutions.get((m.page, m.text))
                self.review.append(ReviewRow(
                    kind="unresolved_place", document=m.document, page=m.page, text=m.text,
                    candidates=_candidates(r, self.settings) if r else [],
                    detail="no gazetteer place matches this name with confidence",
                ))
            elif m.method == "fuzzy":
                r = self.resolutions.get((m.page, m.text))
                self.review.append(ReviewRow(
                    kind="low_confidence_place", document=m.document, page=m.page, text=m.text,
                    candidates=_candidates(r, self.settings) if r else [],
                    detail=f"{'transliteration' if getattr(r, 'evidence', '') else 'fuzzy'} match to "
                           f"{m.place_id} (score {m.score}); accept it with "
                           f"`c2c review accept` to make it a variant",
                ))


def resolve_document(extraction: Extraction, gazetteer,
                     settings: ResolveSettings = SETTINGS) -> tuple[Resolved, list[tuple[int, str, tuple]]]:
    """Resolve one document's records and running text."""
    if not isinstance(gazetteer, MemoGazetteer):
        gazetteer = MemoGazetteer(gazetteer)
    out = Resolved()
    # Not by status: a failed read has no records (read_document empties them), while a document
    # whose read failed for a reason that may go away keeps those of its last good read.
    if not (extraction.parsed.projects or extraction.parsed.pairs or extraction.parsed.jcm or extraction.spans):
        return out, []
    dr = _DocumentResolver(extraction, gazetteer, settings)
    ex = extraction
    revised = bool(_REVISION.search(ex.title or ""))
    for record in ex.parsed.projects:
        out.projects.append(ResolvedProject(ex.document, ex.sha256, ex.kind, ex.issued, record,
                                            dr.atoms(record.japan), dr.atoms(record.partners), revised))
        if set(record.pages) & set(ex.ocr_pages):
            out.projects[-1].ocr = True
            out.projects[-1].low_confidence = _low_confidence_fields(ex, record)
    for pair in ex.parsed.pairs:
        japan, partners = dr.atoms([pair.japan]), dr.atoms([pair.partner])
        for j in japan:
            for p in partners:
                if j.place_id and p.place_id:
                    out.pairs.append(ResolvedPair(ex.document, ex.sha256, pair.page, j.place_id, p.place_id,
                                                  pair.country, sorted(set(pair.fiscal_years))))
    for jcm in ex.parsed.jcm:
        japan = dr.atoms([jcm.japan]) if jcm.japan else []
        partner = dr.atoms([jcm.partner]) if jcm.partner else []
        out.jcm.append(ResolvedJcm(ex.document, ex.sha256, jcm,
                                   japan[0].place_id if japan else None,
                                   partner[0].place_id if partner else None))
    needs_ner = dr.scan()
    dr.settle()
    dr.review_rows()
    for note in ex.parsed.notes:
        dr.review.append(ReviewRow(kind=note.kind, document=ex.document, page=note.page, text=note.text,
                                   candidates=[], detail=note.detail))
    out.mentions, out.review = dr.mentions, dr.review
    return out, needs_ner


def _unwrapped(text: str, covered) -> tuple[str, tuple]:
    """The text with its line breaks removed, and `covered` moved onto it: the model must see a
    name wrapped by the layout (スラバ/ヤ市) whole, or it proposes the fragments."""
    flat_index, kept = [], []
    for ch in text:
        flat_index.append(len(kept))
        if ch not in "\r\n":
            kept.append(ch)
    flat_index.append(len(kept))
    return "".join(kept), tuple((flat_index[s], flat_index[e]) for s, e in covered)


def _inside(start: int, end: int, covered) -> bool:
    return any(s <= start and end <= e for s, e in covered)


def _uncovered_occurrence(name: str, text: str, covered) -> bool:
    """Whether `name` occurs somewhere in `text` outside what the gazetteer already matched
    (the model often tags パタヤ inside パタヤ市, which the gazetteer knows)."""
    start = text.find(name)
    while start >= 0:
        if not _inside(start, start + len(name), covered):
            return True
        start = text.find(name, start + 1)
    return False


def _span_key(text: str, model: str) -> str:
    """The proposal cache's key: the text and the model that read it."""
    return hashlib.sha1(f"{model}\n{text}".encode("utf-8")).hexdigest()


def _proposal_rows(needs_ner: list[tuple[str, int, str, tuple]], gazetteer, cache: dict, model: str,
                   settings: ResolveSettings) -> list[ReviewRow]:
    """Review rows for the names the model proposed (`cache`: span key → [name, label] pairs) that
    the gazetteer cannot resolve."""
    rows = []
    for document, page, text, covered in needs_ner:
        for name, label in cache.get(_span_key(text, model), []):
            # A short stem is a common noun (州都, 首都), not a name.
            if (len(match_key(name)[0]) < settings.min_proposed_stem
                    or not _uncovered_occurrence(name, text, covered)):
                continue
            r = gazetteer.resolve(name)
            # Known places written without their suffix (静岡 for 静岡市/静岡県) are not names the
            # gazetteer lacks: only the ambiguity is left, and bare stems are not mentions.
            known_stem = any(score >= settings.known_stem_score for _, score in r.candidates)
            if r.place_id is None and not known_stem:
                rows.append(ReviewRow(kind="unresolved_place", document=document, page=page, text=name,
                                      candidates=_candidates(r, settings),
                                      detail=f"proposed by the NER model ({label}); not in the gazetteer"))
    return rows


def _low_confidence_fields(ex: Extraction, record: ProjectRecord) -> list[ReviewRow]:
    """Review rows for the fields of a record read by OCR whose text was read below the cut-off
    (OcrSettings.review_confidence), each with its page and box."""
    values = {"title": record.title_raw, "proposer": record.proposer_raw,
              "number": None if record.number is None else str(record.number),
              **{f"japan {i + 1}": t.text for i, t in enumerate(record.japan)},
              **{f"partner {i + 1}": t.text for i, t in enumerate(record.partners)}}
    cut = OCR_SETTINGS.review_confidence
    rows = []
    for name, value in values.items():
        for page in sorted(set(record.pages) & set(ex.ocr_pages)):
            read = text_confidence(value or "", page, ex.ocr)
            if read and read[0] < cut:
                rows.append(ReviewRow(kind="low_confidence_ocr", document=ex.document, page=page,
                                      text=re.sub(r"\s+", "", value), candidates=[],
                                      detail=f"{name} read by OCR at confidence {read[0]:.0f} (below {cut:.0f}); "
                                             f"box {read[1]} on page {page}"))
                break
    return rows


def _mention_order(m: MentionRow) -> tuple:
    return (m.document, m.page, m.text, m.place_id or "", m.method, m.key or "", m.score)


def unique_sorted(rows: list, key) -> list:
    """Rows sorted by `key`, each key once."""
    seen, out = set(), []
    for row in sorted(rows, key=key):
        k = key(row)
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out


def unique_mentions(rows: list[MentionRow]) -> list[MentionRow]:
    """Mention rows sorted as the table is, each once."""
    return unique_sorted(rows, _mention_order)


class Resolver:
    """Resolves documents one at a time, with the gazetteer's answers remembered across them.

    Running text holding a name the gazetteer lacks goes to the NER model as it is found (each
    distinct text once, never one the proposal cache already answers); `proposals()` collects the
    answers at the end. Only a short entry per such span is kept, so memory does not grow with what
    the documents say.
    """

    def __init__(self, gazetteer, proposal_cache: dict | None = None, use_ner: bool = True,
                 log=lambda s: print(s, file=sys.stderr), settings: ResolveSettings = SETTINGS,
                 model: ModelProcess | None = None):
        self.gazetteer = MemoGazetteer(gazetteer)
        self.settings = settings
        self.proposal_cache = proposal_cache if proposal_cache is not None else {}
        self.use_ner = use_ner
        self.log = log
        self._needs_ner: list[tuple[str, int, str, tuple]] = []
        self._asked: set[str] = set()
        self._model = model if use_ner else None  # started early by the run, or on the first text asked
        self._model_name = ner_model_name()
        self.model_failed = False  # the model could not run: the proposals are missing, not empty

    def resolve(self, extraction: Extraction) -> Resolved:
        """One document's resolved records, its mention rows (sorted, each once) and review rows."""
        part, spans = resolve_document(extraction, self.gazetteer, self.settings)
        part.mentions = unique_mentions(part.mentions)
        if self.use_ner:
            for page, text, covered in spans:
                self._needs_ner.append((extraction.document, page, text, covered))
                key = _span_key(text, self._model_name)
                if key not in self.proposal_cache and key not in self._asked:
                    self._asked.add(key)
                    self._model = self._model or ModelProcess()
                    self._model.ask(text)
            if self._model is not None:
                self._model.flush()
        return part

    def proposals(self) -> list[ReviewRow]:
        """Review rows for the names the NER model proposes in every document resolved so far."""
        if self._model is not None:
            try:
                for text, found in self._model.answers():
                    self.proposal_cache[_span_key(text, self._model_name)] = found
            except Exception as e:  # a broken model install costs the proposals, never the run
                detail = str(e) if isinstance(e, ModelError) else f"{type(e).__name__}: {e}"
                self.log(f"c2c: warning: the NER model could not run ({detail}); "
                         "no place names were proposed for review")
                self.model_failed = True
                return []
            finally:
                self._model = None
        return _proposal_rows(self._needs_ner, self.gazetteer, self.proposal_cache, self._model_name, self.settings)

    def close(self) -> None:
        """Stop the model's process, if one is running (a run that ends early)."""
        if self._model is not None:
            self._model.close()
            self._model = None

"""Propose place names the gazetteer lacks, with spaCy + GiNZA named-entity recognition.

GiNZA is slow (seconds to load, milliseconds per sentence) and unreliable on foreign katakana names,
so it never resolves anything: it only suggests names for a person to add to the gazetteer. A cheap
regex first keeps the few sentences that can hold a foreign admin unit (a katakana run followed by an
admin suffix); the model is loaded lazily, once per process, with the components NER does not need
disabled, and runs over the kept sentences in batches.
"""
from __future__ import annotations

import re
from functools import lru_cache

from normalizers.text import join_lines
from pipeline.records import Proposal

# Place-like labels of GiNZA's extended named-entity set (Country is left out: countries are known).
PLACE_LABELS = frozenset({"City", "Province", "County", "GPE_Other", "Domestic_Region", "Region_Other",
                          "Location_Other"})
_ADMIN_SUFFIX = r"(?:特別市|特別州|首都圏|管区|地域|省|州|県|市|区|郡|都)"
# A katakana name followed by an administrative suffix: what a foreign place name missing from the
# gazetteer usually looks like. Only text holding one goes to the model.
CANDIDATE_NAME = re.compile(r"[ァ-ヺ][ァ-ヺー・]+" + _ADMIN_SUFFIX)
_SENTENCE_END = re.compile(r"(?<=[。！？])|\n{2,}")
BATCH_SIZE = 64
MAX_SENTENCE = 400


@lru_cache(maxsize=1)
def _nlp():
    import spacy  # imported here: loading the gazetteer or the resolver must not pay for spaCy

    return spacy.load("ja_ginza", disable=["parser", "morphologizer", "compound_splitter",
                                            "bunsetu_recognizer"])


def candidate_sentences(spans: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(page, sentence) pairs that may name a foreign admin unit; everything else skips the model."""
    out: list[tuple[int, str]] = []
    for page, text in spans:
        for sentence in _SENTENCE_END.split(join_lines(text or "")):
            sentence = sentence.strip()
            if sentence and CANDIDATE_NAME.search(sentence):
                out.append((page, sentence[:MAX_SENTENCE]))
    return out


def propose_place_names(spans: list[tuple[int, str]]) -> list[Proposal]:
    """Place-like entities in `spans` ((page, text) pairs), one Proposal per (page, text), in order."""
    sentences = candidate_sentences(spans)
    if not sentences:
        return []
    nlp = _nlp()
    seen: set[tuple[int, str]] = set()
    out: list[Proposal] = []
    docs = nlp.pipe((s for _, s in sentences), batch_size=BATCH_SIZE)
    for (page, _), doc in zip(sentences, docs):
        for ent in doc.ents:
            text = ent.text.strip()
            # GiNZA labels some admin units oddly (バクニン省 as Government): the suffix decides too.
            if ent.label_ not in PLACE_LABELS and not CANDIDATE_NAME.fullmatch(text):
                continue
            if (page, text) in seen:
                continue
            seen.add((page, text))
            out.append(Proposal(page=page, text=text, label=ent.label_))
    return out

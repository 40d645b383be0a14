"""Propose place names the gazetteer lacks, with spaCy + GiNZA named-entity recognition.

GiNZA is slow (seconds to load, milliseconds per sentence) and unreliable on foreign katakana names,
so it never resolves anything: it only suggests names for a person to add to the gazetteer. A cheap
regex first keeps the few sentences that can hold a foreign admin unit (a katakana run followed by an
admin suffix); the model is loaded lazily, once per process, with the components NER does not need
disabled, and runs over the kept sentences in batches.

A run keeps the model in a child process (`ModelProcess`): it loads and works on another core while
the run goes on resolving, and its memory, most of a run's, goes back to the system when it is done.
"""
from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterator
from functools import lru_cache

from normalizers.text import join_lines
from pipeline.records import Proposal
from pipeline.vocabulary import CANDIDATE_SUFFIXES, alternation

# Place-like labels of GiNZA's extended named-entity set (Country is left out: countries are known).
PLACE_LABELS = frozenset({"City", "Province", "County", "GPE_Other", "Domestic_Region", "Region_Other",
                          "Location_Other"})
# A katakana name followed by an administrative suffix: what a foreign place name missing from the
# gazetteer usually looks like. Only text holding one goes to the model.
CANDIDATE_NAME = re.compile(r"[ァ-ヺ][ァ-ヺー・]+" + alternation(CANDIDATE_SUFFIXES))
_SENTENCE_END = re.compile(r"(?<=[。！？])|\n{2,}")
BATCH_SIZE = 64
MAX_SENTENCE = 400


DEFAULT_MODEL = "ja_ginza"


def model_name() -> str:
    """The spaCy pipeline that proposes names: $C2C_NER_MODEL (e.g. ja_ginza_electra), else GiNZA's."""
    return os.environ.get("C2C_NER_MODEL") or DEFAULT_MODEL


def cache_fingerprint() -> list[str]:
    """The model's and GiNZA's installed versions, for the tables' cache key (pipeline/cachekey.py):
    an upgrade asks the model again. Read from the package metadata, never by loading spaCy."""
    from pipeline.cachekey import library_versions

    return library_versions({model_name(), "ginza"})


@lru_cache(maxsize=1)
def _nlp():
    import spacy  # imported here: loading the gazetteer or the resolver must not pay for spaCy
    from thinc.api import NumpyOps, set_current_ops

    # thinc multiplies matrices with BLIS by default. BLIS 1.3 has no kernels for recent CPUs (AMD
    # Zen 5 here: a generic one, about 6x slower than NumPy's OpenBLAS on the model's shapes);
    # the model's tok2vec through NumPy makes proposing about 1.7x faster. Set before loading:
    # a model's layers keep the ops current when they are built.
    set_current_ops(NumpyOps(use_blis=False))
    return spacy.load(model_name(), disable=["parser", "morphologizer", "compound_splitter",
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


def proposals_per_text(texts: list[str]) -> list[list[list[str]]]:
    """For each text, the [name, label] pairs the model proposes in it, sorted."""
    found: dict[int, list[list[str]]] = {}
    for p in propose_place_names(list(enumerate(texts))):
        found.setdefault(p.page, []).append([p.text, p.label])  # "page" carries the text's index
    return [sorted(found.get(i, [])) for i in range(len(texts))]


class ModelError(RuntimeError):
    """The model's process could not answer: the model would not load, it failed on a batch, or the
    process died. The message says which, with the child's own error."""


def _serve(conn) -> None:
    """The model's process: load the model at once (so a run can start it before it has texts),
    then answer each batch of texts received with `proposals_per_text`, until None or EOF."""
    # one BLAS thread: the model shares the machine with the document workers
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        _nlp()
        failed = None
    except Exception as e:  # a missing or broken model: said in answer to every batch
        failed = f"{type(e).__name__}: {e}"
    while True:
        try:
            texts = conn.recv()
        except EOFError:
            return
        if texts is None:
            return
        if failed is not None:
            conn.send(("error", failed))
            continue
        try:
            conn.send(("ok", proposals_per_text(texts)))
        except Exception as e:
            conn.send(("error", f"{type(e).__name__}: {e}"))


class ModelProcess:
    """The model in a child process, fed texts in batches as the run finds them.

    The child (a fresh interpreter, never a fork of a process holding threads and open outputs)
    starts on the first batch, so a run whose texts are all known never loads the model — or
    earlier, with `start()`, so that loading it (about 0.8 s of CPU) overlaps the reading of the
    documents.
    A child that was never asked anything is stopped at once by `close()`, loaded or not.
    """

    def __init__(self, batch_size: int = BATCH_SIZE, poll_seconds: float = 0.5):
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds  # how often a wait for an answer checks the child is alive
        self._process = None
        self._conn = None
        self._waiting: list[str] = []
        self._sent: list[list[str]] = []  # batches sent and not yet handed out, in order
        self._answered: list = []  # answers to the first of them, received early (see _send)
        self._idle = False  # every batch sent was answered: the child waits for the next
        self._batches = 0

    def start(self) -> None:
        """Start the child and its loading of the model now, in the background."""
        if self._process is None:
            context = multiprocessing.get_context("spawn")
            self._conn, child = context.Pipe()
            self._process = context.Process(target=_serve, args=(child,), daemon=True, name="c2c-ner")
            self._process.start()
            child.close()

    def ask(self, text: str) -> None:
        self._waiting.append(text)
        if len(self._waiting) >= self.batch_size:
            self._send()

    def flush(self) -> None:
        """Send the texts asked so far now (a document's worth), so the model works on them while
        the run goes on, instead of when a batch is full."""
        self._send()

    def _send(self) -> None:
        if not self._waiting:
            return
        self.start()
        # Answers waiting in the pipe are taken first: a child blocked on sending one would never
        # read the batch sent now, and that send would block in its turn.
        while self._sent and len(self._answered) < len(self._sent) and self._conn.poll(0):
            self._answered.append(self._receive())
        texts, self._waiting = self._waiting, []
        self._conn.send(texts)
        self._sent.append(texts)
        self._batches += 1

    def _receive(self):
        while not self._conn.poll(self.poll_seconds):
            if not self._process.is_alive():
                raise ModelError(f"the model's process ended (exit code {self._process.exitcode}) "
                                 "before it answered")
        try:
            status, value = self._conn.recv()
        except EOFError:
            raise ModelError("the model's process ended before it answered") from None
        if status != "ok":
            raise ModelError(value)
        return value

    def answers(self) -> Iterator[tuple[str, list[list[str]]]]:
        """(text, proposals) for every text asked, in the order asked; the child exits after the
        last. Raises ModelError when the child cannot answer."""
        self._send()
        try:
            while self._sent:
                texts = self._sent[0]
                found = self._answered.pop(0) if self._answered else self._receive()
                self._sent.pop(0)
                yield from zip(texts, found)
            self._idle = self._batches > 0  # a child never asked anything may still be loading
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child: asked to exit when it has answered everything, stopped otherwise."""
        idle, self._idle = self._idle, False
        self._sent, self._waiting, self._answered = [], [], []
        if self._process is None:
            return
        process, conn, self._process, self._conn = self._process, self._conn, None, None
        try:
            conn.send(None)
        except OSError:
            pass
        # waiting for a child that is idle costs nothing; one still loading is not worth waiting for
        process.join(timeout=5 if idle else 0)
        if process.is_alive():  # still loading the model, or busy with batches nobody will read
            process.kill()
            process.join()
        conn.close()

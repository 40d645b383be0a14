"""Declared settings: frozen, unknown keys rejected, and each one decides what its stage does."""
from __future__ import annotations

import dataclasses

import pytest

import pdfmaker
from pipeline import pdf
from pipeline.classify import ClassifierSettings, classify, evidence, score_kinds
from pipeline.dedupe import DedupeSettings
from pipeline.resolve import ResolveSettings


@pytest.mark.parametrize("cls", [ClassifierSettings, DedupeSettings, ResolveSettings])
def test_unknown_keys_are_rejected_and_settings_are_frozen(cls):
    name = dataclasses.fields(cls)[0].name
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: unknown setting 'treshold' \(known: {name}, "):
        cls.from_dict({"treshold": 1})
    with pytest.raises(ValueError, match="unknown settings 'a', 'b'"):
        cls().replace(a=1, b=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(cls(), name, None)
    assert cls.from_dict({}) == cls()


def test_the_classifier_weights_are_a_table_of_evidence_kind_and_weight(tmp_path):
    rows = [[str(i), f"株式会社{i}", "北九州市", "ダナン市", "ベトナム", f"脱炭素都市形成事業{i}"] for i in range(1, 7)]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧",
                                   ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名"], rows, rows_per_page=3)
    doc = pdf.open_pdf(path)
    texts, sizes = pdf.page_texts(doc), pdf.page_sizes(doc)
    found = evidence(texts, sizes)
    assert {"adoption_title_at_top", "project_header", "header_repeated"} <= set(found)
    scores = score_kinds(texts, sizes)
    defaults = ClassifierSettings()
    assert scores["adoption_table"] == sum(w * found[e] for e, k, w in defaults.evidence_weights
                                           if k == "adoption_table" and e in found)
    assert classify(texts, sizes) == "adoption_table"
    # Without the rows that weigh for a table, or under a higher threshold, the same pages are not one.
    others = tuple(row for row in defaults.evidence_weights if row[1] != "adoption_table")
    assert classify(texts, sizes, defaults.replace(evidence_weights=others)) != "adoption_table"
    assert classify(texts, sizes, defaults.replace(threshold=scores["adoption_table"] + 0.5)) == "other"
    with pytest.raises(ValueError, match="unknown evidence or kind in \\('title_wrds', 'slides'\\)"):
        defaults.replace(evidence_weights=(("title_wrds", "slides", 1.0),))

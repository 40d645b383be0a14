"""vocabulary.py: the shared word lists agree with one another."""
from __future__ import annotations

import re

from pipeline import vocabulary as v


def test_every_suffix_list_is_drawn_from_the_gazetteer_suffixes():
    assert list(v.SUFFIX_KINDS) == list(v.ADMIN_SUFFIXES)
    assert [len(s) for s in v.ADMIN_SUFFIXES] == sorted((len(s) for s in v.ADMIN_SUFFIXES), reverse=True)
    for subset in (v.FOREIGN_SUFFIXES, v.CANDIDATE_SUFFIXES, v.JAPAN_SUFFIXES):
        assert set(subset) - {"道"} <= set(v.ADMIN_SUFFIXES)  # 道 names only 北海道, a place itself


def test_the_classifier_looks_for_header_words_the_extractor_knows():
    known = {w.lower() for words in v.HEADER_WORDS.values() for w in words}
    assert {w for words in v.TABLE_SIGNAL_WORDS.values() for w in words} <= known


def test_patterns_built_from_the_lists():
    assert set(v.PLACE_NAME_ENDINGS) == set("都道府県市区町村州省郡域")
    text = "ヤンゴン管区とハノイ市、マニラ首都圏"
    unit = re.compile("[ァ-ヺ]+" + v.alternation(v.FOREIGN_SUFFIXES))
    assert [m.group() for m in unit.finditer(text)] == ["ヤンゴン管区", "ハノイ市"]
    candidate = re.compile("[ァ-ヺ]+" + v.alternation(v.CANDIDATE_SUFFIXES))
    assert [m.group() for m in candidate.finditer(text)] == ["ヤンゴン管区", "ハノイ市", "マニラ首都圏"]
    assert re.fullmatch(v.alternation(v.TITLE_HEADERS), "タイトル")
    assert v.alternation(["No."]) == r"(?:No\.)"

"""GiNZA proposes place names the gazetteer lacks; the regex pre-filter keeps it off most text."""
import sys

from pipeline.propose import candidate_sentences, propose_place_names
from pipeline.records import Proposal


def test_prefilter_keeps_only_sentences_with_a_katakana_admin_unit():
    spans = [(1, "本事業では、脱炭素計画を策定する。タイのチョンブリ県とソンクラー\n県で調査を行う。"),
             (2, "環境省が発表した。")]
    assert candidate_sentences(spans) == [(1, "タイのチョンブリ県とソンクラー県で調査を行う。")]


def test_no_candidates_means_no_model():
    assert propose_place_names([(1, "環境省が発表した。")]) == []


def test_proposes_place_like_entities():
    found = propose_place_names([(3, "タイのチョンブリ県とソンクラー県で調査を行う。"),
                                 (4, "ベトナムのバクニン省で調査を行う。")])
    assert "spacy" in sys.modules
    texts = [(p.page, p.text) for p in found]
    assert (3, "チョンブリ県") in texts and (3, "ソンクラー県") in texts
    assert (4, "バクニン省") in texts
    assert all(isinstance(p, Proposal) and p.label != "Country" for p in found)


def test_the_model_runs_in_a_process_of_its_own_and_answers_in_order():
    import json
    import subprocess
    from pathlib import Path

    probe = """
import json, sys
from pipeline.propose import ModelProcess
model = ModelProcess(batch_size=1)
for text in ["ベトナムのバクニン省で調査を行う。", "環境省が発表した。"]:
    model.ask(text)
answers = [[text, [name for name, _ in found]] for text, found in model.answers()]
print(json.dumps([answers, "spacy" in sys.modules], ensure_ascii=False))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    answers, spacy_here = json.loads(out)
    assert answers == [["ベトナムのバクニン省で調査を行う。", ["バクニン省"]], ["環境省が発表した。", []]]
    assert spacy_here is False  # the model's memory is another process's


def test_a_model_process_started_early_and_never_asked_is_stopped_not_waited_for():
    import signal
    from pipeline.propose import ModelProcess

    model = ModelProcess()
    model.start()  # loading the model takes the child most of a second
    process = model._process
    model.close()
    assert not process.is_alive()
    assert process.exitcode == -signal.SIGKILL  # killed while loading, not left to finish


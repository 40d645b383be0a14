"""Rows without a title (a notice listing number, proposer and places) join the projects they name."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import pdfmaker
from pipeline.dedupe import build_tables
from pipeline.discover import SourceFile
from pipeline.document import read_document
from pipeline.gazetteer import Gazetteer

LIST_HEADER = ["番号", "事業名", "代表事業者", "国内都市", "相手国・都市"]
LIST_ROWS = [
    ["1", "ダナン市の脱炭素都市形成支援事業", "日本工営株式会社", "横浜市", "ベトナム／ダナン市"],
    ["2", "バンコク都の省エネ推進事業", "株式会社アルファ", "大阪市", "タイ／バンコク都"],
    ["3", "バリ州の循環型社会構築事業", "株式会社ベータ", "富山市", "インドネシア／バリ州"],
]
NOTICE_HEADER = ["番号", "提案団体", "連携自治体", "相手国・都市"]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def _read(path: Path):
    data = path.read_bytes()
    return read_document(SourceFile(path.name, path, hashlib.sha256(data).hexdigest(), len(data)))


def _tables(tmp_path, gazetteer, notice_rows, list_rows=LIST_ROWS):
    listing = pdfmaker.make_table_pdf(tmp_path / "a_list.pdf", "令和4年度 都市間連携事業 採択案件一覧",
                                      LIST_HEADER, list_rows, col_widths=[40, 260, 160, 100, 180])
    notice = pdfmaker.make_table_pdf(tmp_path / "b_notice.pdf", "令和4年度 都市間連携事業 採択結果について",
                                     NOTICE_HEADER, notice_rows, col_widths=[40, 220, 120, 220])
    extractions = [_read(listing), _read(notice)]
    assert [(e.status, e.kind, e.fiscal_year) for e in extractions] == [
        ("ok", "adoption_table", 2022), ("ok", "adoption_table", 2022)]
    return build_tables(extractions, gazetteer)


def _rows(tables):
    return [(p.project_id, p.title, p.proposer, [s["document"] for s in p.sources]) for p in tables.projects]


def test_notice_rows_join_the_projects_they_name(tmp_path, gazetteer):
    notice_rows = [["２", "株式会社アルファ", "大阪市", "タイ・バンコク都"],
                   ["３", "株式会社ベータ", "富山市", "インドネシア・バリ州"]]
    tables = _tables(tmp_path, gazetteer, notice_rows)
    assert _rows(tables) == [
        ("FY2022-01", "ダナン市の脱炭素都市形成支援事業", "日本工営株式会社", ["a_list.pdf"]),
        ("FY2022-02", "バンコク都の省エネ推進事業", "株式会社アルファ", ["a_list.pdf", "b_notice.pdf"]),
        ("FY2022-03", "バリ州の循環型社会構築事業", "株式会社ベータ", ["a_list.pdf", "b_notice.pdf"]),
    ]
    assert [r for r in tables.review if r.kind in ("conflict", "possible_duplicate")] == []
    assert tables.documents[1].records["projects"] == 2


def test_a_row_without_number_joins_by_proposer_and_places(tmp_path, gazetteer):
    tables = _tables(tmp_path, gazetteer, [["", "株式会社ベータ", "富山市", "インドネシア・バリ州"]])
    assert [p.project_id for p in tables.projects] == ["FY2022-01", "FY2022-02", "FY2022-03"]
    assert [s["document"] for s in tables.projects[2].sources] == ["a_list.pdf", "b_notice.pdf"]


def test_a_row_that_disagrees_on_one_fact_joins_with_a_conflict(tmp_path, gazetteer):
    tables = _tables(tmp_path, gazetteer, [["２", "株式会社ガンマ", "大阪市", "タイ・バンコク都"]])
    assert _rows(tables)[1] == ("FY2022-02", "バンコク都の省エネ推進事業", "株式会社アルファ",
                                ["a_list.pdf", "b_notice.pdf"])
    assert [(r.kind, r.document, r.text) for r in tables.review if r.kind == "conflict"] == [
        ("conflict", "b_notice.pdf", "株式会社ガンマ")]


def test_a_row_that_names_a_project_by_number_only_is_kept_apart_with_a_conflict(tmp_path, gazetteer):
    tables = _tables(tmp_path, gazetteer, [["２", "株式会社ガンマ", "札幌市", "モンゴル・ウランバートル市"]])
    untitled = [p for p in tables.projects if not p.title]
    assert [(p.number, p.proposer, [s["document"] for s in p.sources]) for p in untitled] == [
        (2, "株式会社ガンマ", ["b_notice.pdf"])]
    (conflict,) = [r for r in tables.review if r.kind == "conflict"]
    assert (conflict.document, conflict.page, conflict.text) == (
        "b_notice.pdf", 1, "japan=札幌市 | partners=ウランバートル市 | proposer=株式会社ガンマ")
    assert conflict.detail == ("a row without a title has the number of «バンコク都の省エネ推進事業» (a_list.pdf) "
                                  "but disagrees on japan, partners, proposer; it is kept apart")


def test_an_unknown_untitled_row_stays_a_project(tmp_path, gazetteer):
    tables = _tables(tmp_path, gazetteer, [["７", "株式会社デルタ", "北九州市", "フィリピン・ダバオ市"]])
    assert [(p.project_id, p.title, p.proposer) for p in tables.projects][-1] == ("FY2022-07", "", "株式会社デルタ")
    assert [r for r in tables.review if r.kind == "conflict"] == []

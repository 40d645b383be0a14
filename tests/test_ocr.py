"""Scanned pages: a digital table rendered, rotated, noised and JPEG-compressed in the test is read by
OCR into the same records; a garbage text layer is OCR'd; a missing engine or a coarse scan leaves
the document `no_text_layer` with a message saying why."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

import pdfmaker
from pipeline import ocr, records
from pipeline.discover import SourceFile
from pipeline.document import read_document

REPO = Path(__file__).resolve().parent.parent
TITLE = "令和7年度 脱炭素社会実現のための都市間連携事業 1次公募 採択案件一覧"
HEADER = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名"]
ROWS = [
    ["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市における脱炭素\n都市形成支援事業"],
    ["2", "株式会社オリエンタル\nコンサルタンツ", "札幌市", "ウランバートル市", "モンゴル",
     "ウランバートル市の寒冷地\nにおける環境インフラ導入\n促進事業"],
    ["3", "公益財団法人地球環境\n戦略研究機関", "北九州市", "バンテン州", "インドネシア",
     "バンテン州におけるセメン\nト産業の脱炭素化事業"],
]
WIDTHS = [40, 150, 80, 110, 80, 200]
EXPECTED = [
    (1, "日本工営株式会社", ["横浜市"], ["ダナン市"], "VN", "ダナン市における脱炭素都市形成支援事業"),
    (2, "株式会社オリエンタルコンサルタンツ", ["札幌市"], ["ウランバートル市"], "MN",
     "ウランバートル市の寒冷地における環境インフラ導入促進事業"),
    (3, "公益財団法人地球環境戦略研究機関", ["北九州市"], ["バンテン州"], "ID", "バンテン州におけるセメント産業の脱炭素化事業"),
]


def scan_of(digital: Path, out: Path, dpi: int = 300, degrees: float = 0.6, garbage: str | None = None) -> Path:
    """`digital` as a scanner gives it back: each page rendered greyscale at `dpi`, turned by
    `degrees`, blurred, noised, dark specks added, JPEG at quality 55, one image per page; with
    `garbage`, that string also written as the page's (unreadable) text layer."""
    rng = np.random.default_rng(7)
    source, target = pymupdf.open(digital), pymupdf.open()
    for page in source:
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, :pix.width]
        h, w = img.shape
        img = cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0), (w, h),
                             borderValue=255)
        img = cv2.GaussianBlur(img, (3, 3), 0.6).astype(np.float32)
        img += rng.normal(0, 12, img.shape)
        for y, x in zip(rng.integers(0, h, 300), rng.integers(0, w, 300)):
            img[y:y + 2, x:x + 2] = 40
        ok, jpeg = cv2.imencode(".jpg", np.clip(img, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 55])
        assert ok
        new = target.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=jpeg.tobytes())
        if garbage:
            new.insert_text((40, 40), garbage, fontname="helv", fontsize=10)
    target.save(out)
    return out


def source(path: Path) -> SourceFile:
    data = path.read_bytes()
    import hashlib
    return SourceFile(path=path, document=path.name, sha256=hashlib.sha256(data).hexdigest(),
                      size_bytes=len(data), mtime_ns=0)


def summary(ex: records.Extraction):
    return [(p.number, p.proposer, [t.text for t in p.japan], [t.text for t in p.partners], p.country, p.title)
            for p in ex.parsed.projects]


@pytest.fixture(scope="module")
def digital(tmp_path_factory) -> Path:
    return pdfmaker.make_table_pdf(tmp_path_factory.mktemp("ocr") / "table.pdf", TITLE, HEADER, ROWS,
                                   col_widths=WIDTHS, fontsize=8)


def test_scanned_table_gives_the_digital_records(digital, tmp_path):
    want = read_document(source(digital))
    assert summary(want) == EXPECTED and want.ocr_pages == []
    ex = read_document(source(scan_of(digital, tmp_path / "scan.pdf")))
    assert (ex.status, ex.kind, ex.fiscal_year, ex.ocr_pages) == ("ok", "adoption_table", 2025, [1])
    assert summary(ex) == EXPECTED
    assert [p.round for p in ex.parsed.projects] == [1, 1, 1]
    assert all(0 <= line.confidence <= 100 and line.page == 1 for line in ex.ocr)


def test_garbage_text_layer_is_read_by_ocr(digital, tmp_path):
    # Control code points, as a font without a Unicode map gives its glyph ids.
    garbage = "".join(chr(i) for i in range(1, 9)) * 5
    path = scan_of(digital, tmp_path / "garbage.pdf", garbage=garbage)
    assert garbage[:5] in pymupdf.open(path)[0].get_text()
    assert not ocr.text_is_usable(pymupdf.open(path)[0].get_text())
    ex = read_document(source(path))
    assert ex.ocr_pages == [1]
    assert summary(ex) == EXPECTED


def test_no_ocr_leaves_a_scan_without_text(digital, tmp_path):
    ex = read_document(source(scan_of(digital, tmp_path / "scan.pdf")), ocr=False)
    assert (ex.status, ex.error_kind) == ("error", "no_text_layer")
    assert "OCR is off (--no-ocr)" in ex.error


def test_coarse_scan_stays_without_text_and_names_its_resolution(digital, tmp_path):
    ex = read_document(source(scan_of(digital, tmp_path / "coarse.pdf", dpi=150)))
    assert (ex.status, ex.error_kind) == ("error", "no_text_layer")
    assert "scanned at 150 dpi, below the 200 dpi OCR needs" in ex.error


def test_missing_engine_gives_the_hint_and_the_batch_goes_on(digital, tmp_path):
    # The engine's model folder pointed at an empty one: the models are really not there.
    raw = tmp_path / "raw"
    raw.mkdir()
    scan_of(digital, raw / "scan.pdf")
    (raw / "table.pdf").write_bytes(digital.read_bytes())
    empty = tmp_path / "no-models"
    empty.mkdir()
    env = {**os.environ, ocr.MODELS_ENV: str(empty), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(raw), "--out",
                           str(tmp_path / "out"), "--jobs", "1", "--no-ner"], capture_output=True, text=True,
                          cwd=REPO, env=env)
    assert proc.returncode == 3, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("c2c: ")]
    assert errors == [f"c2c: scan.pdf: no_text_layer: scanned pages without text, and the OCR model files are "
                      f"missing from {empty}: {ocr.INSTALL_HINT}"]
    assert "3 added" in proc.stdout


def test_clean_text_undoes_look_alikes():
    assert ocr.clean_text("再生可能工ネルギ一導入") == "再生可能エネルギー導入"
    assert ocr.clean_text("メト口セブ") == "メトロセブ"
    assert ocr.clean_text("セメン卜産業") == "セメント産業"
    assert ocr.clean_text("·制度構築支援") == "・制度構築支援"
    assert ocr.clean_text(":その他") == "・その他"
    # kanji that are kanji: 工 before a kanji, 力 after one
    assert ocr.clean_text("セメント工場") == "セメント工場"
    assert ocr.clean_text("協力センター") == "協力センター"


def test_cells_from_rules_merge_where_no_rule_separates():
    # Two columns, two rows; the rule between the rows is missing under the right column.
    horizontal = [(0.0, 0.0, 200.0), (50.0, 0.0, 100.0), (100.0, 0.0, 200.0)]
    vertical = [(0.0, 0.0, 100.0), (100.0, 0.0, 100.0), (200.0, 0.0, 100.0)]
    assert ocr.find_cells(horizontal, vertical) == [(0.0, 0.0, 100.0, 50.0), (100.0, 0.0, 200.0, 100.0),
                                                    (0.0, 50.0, 100.0, 100.0)]


def test_settings_reject_unknown_keys():
    with pytest.raises(TypeError):
        ocr.OcrSettings(min_dpi=150, resolution=3)


def test_a_scan_and_its_digital_table_merge_and_the_digital_values_win(tmp_path):
    import json

    from pipeline.run import RunOptions, run

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    pdfmaker.make_table_pdf(raw / "digital.pdf", TITLE, HEADER, ROWS, col_widths=WIDTHS, fontsize=8)
    # The scan prints another proposer on row 1: the digital table's is kept, the difference reviewed.
    variant = [row[:] for row in ROWS]
    variant[0][1] = "株式会社エックス都市研究所"
    scan_of(pdfmaker.make_table_pdf(tmp_path / "variant.pdf", TITLE, HEADER, variant, col_widths=WIDTHS,
                                    fontsize=8), raw / "scan.pdf")
    assert run(RunOptions(raw=raw, out=out, use_ner=False, jobs=1), log=lambda s: None).exit_code == 0

    def table(name):
        return [json.loads(line) for line in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]

    projects = table("projects")
    assert [(p["project_id"], p["proposer"]) for p in projects] == [
        ("FY2025-R1-01", "日本工営株式会社"), ("FY2025-R1-02", "株式会社オリエンタルコンサルタンツ"),
        ("FY2025-R1-03", "公益財団法人地球環境戦略研究機関")]
    assert all([(s["document"], s["ocr"]) for s in p["sources"]] == [("digital.pdf", False), ("scan.pdf", True)]
               for p in projects)
    conflicts = [r for r in table("review") if r["kind"] == "conflict"]
    assert [(r["document"], r["text"]) for r in conflicts] == [("scan.pdf", "株式会社エックス都市研究所")]
    assert not [r for r in table("review") if r["kind"] == "low_confidence_ocr"]  # a digital source states them
    mentions = table("mentions")
    assert {(m["document"], m["ocr"]) for m in mentions} == {("digital.pdf", False), ("scan.pdf", True)}
    assert all(m["confidence"] is None for m in mentions if not m["ocr"])
    assert all(0 <= m["confidence"] <= 100 for m in mentions if m["ocr"])


def test_the_timeout_is_per_scanned_page(digital, tmp_path):
    # Two scanned pages: the document gets the limit twice (and says so when it runs out).
    two = pymupdf.open()
    two.insert_pdf(pymupdf.open(digital))
    two.insert_pdf(pymupdf.open(digital))
    two.save(tmp_path / "two.pdf")
    ex = read_document(source(scan_of(tmp_path / "two.pdf", tmp_path / "scan.pdf")), timeout=0.3)
    assert (ex.status, ex.error_kind) == ("error", "timeout")
    assert ex.error == "reading took longer than the 0.6 s limit (--timeout 0.3 s for each of its 2 scanned page(s))"

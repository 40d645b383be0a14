"""pipeline.pdf: opening PDFs safely, every failure an exact error kind."""
import hashlib
from pathlib import Path

import pymupdf
import pytest

from pipeline import pdf, records
import pdfmaker


def error_kind(path) -> str:
    with pytest.raises(records.DocumentError) as info:
        pdf.open_pdf(path)
    assert "\n" not in info.value.message and str(path.name) not in info.value.message
    return info.value.kind


@pytest.mark.parametrize("name, kind", [
    ("empty.pdf", "empty"),
    ("not_a_pdf.pdf", "not_pdf"),
    ("encrypted.pdf", "encrypted"),
    ("truncated.pdf", "corrupt"),
    ("scanned_page.pdf", "no_text_layer"),
])
def test_corpus_bad_files(corpus, name, kind):
    assert error_kind(corpus / "bad" / name) == kind


@pytest.mark.parametrize("name, pages", [
    ("fy2025_r1_adoption_table.pdf", 4),
    ("c2c_pamphlet_2022.pdf", 19),
    ("c2c_overview_2026.pdf", 13),
])
def test_corpus_good_files_open(corpus, name, pages):
    doc = pdf.open_pdf(corpus / name)
    assert doc.page_count == pages
    texts = pdf.page_texts(doc)
    assert len(texts) == pages and all(t.strip() for t in texts)
    spans = pdf.page_spans(doc)
    assert {s.page for s in spans} == set(range(1, pages + 1))
    assert spans == pdf.page_spans(pdf.open_pdf(corpus / name))  # deterministic


def test_table_spans_keep_cell_line_breaks(corpus):
    spans = pdf.page_spans(pdf.open_pdf(corpus / "fy2025_r1_adoption_table.pdf"))
    assert any(s.page == 1 and s.text == "日本エヌ・ユー・\nエス株式会社" for s in spans)


def test_made_text_pdf(tmp_path):
    path = pdfmaker.make_text_pdf(tmp_path / "t.pdf", [["都市間連携事業", "second line"], ["二頁目"]])
    doc = pdf.open_pdf(path)
    assert pdf.page_texts(doc) == ["都市間連携事業\nsecond line\n", "二頁目\n"]
    assert [(s.page, s.text) for s in pdf.page_spans(doc)] == [
        (1, "都市間連携事業"), (1, "second line"), (2, "二頁目")]
    assert pdf.page_sizes(doc) == [(595.0, 842.0), (595.0, 842.0)]


def test_image_only_pdf_has_no_text_layer(tmp_path):
    assert error_kind(pdfmaker.make_image_pdf(tmp_path / "scan.pdf")) == "no_text_layer"


def test_empty_and_whitespace_pages_have_no_text_layer(tmp_path):
    assert error_kind(pdfmaker.make_text_pdf(tmp_path / "blank.pdf", [[], [" "]])) == "no_text_layer"


def test_zero_bytes(tmp_path):
    (tmp_path / "e.pdf").write_bytes(b"")
    assert error_kind(tmp_path / "e.pdf") == "empty"


@pytest.mark.parametrize("content", [
    b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>",
    b"PK\x03\x04 a zip file",
    b"plain text; the header comes too late" + b" " * 2000 + b"%PDF-1.7",
])
def test_not_pdf_whatever_the_extension(tmp_path, content):
    (tmp_path / "x.pdf").write_bytes(content)
    assert error_kind(tmp_path / "x.pdf") == "not_pdf"


def test_truncated_bytes_are_corrupt(tmp_path):
    good = pdfmaker.make_text_pdf(tmp_path / "good.pdf", [["脱炭素"]] * 3).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(good[: len(good) // 2])
    assert error_kind(tmp_path / "cut.pdf") == "corrupt"


def test_repaired_to_zero_pages_is_corrupt(corpus, tmp_path):
    # an end marker glued onto a cut file: MuPDF "repairs" it into a document with no pages
    cut = (corpus / "bad" / "truncated.pdf").read_bytes()
    (tmp_path / "glued.pdf").write_bytes(cut + b"\n%%EOF\n")
    assert error_kind(tmp_path / "glued.pdf") == "corrupt"


def test_garbage_with_header_and_trailer_is_corrupt(tmp_path):
    (tmp_path / "g.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00\xff garbage " * 200 + b"\n%%EOF\n")
    assert error_kind(tmp_path / "g.pdf") == "corrupt"


def test_trailing_padding_after_eof_is_accepted(tmp_path):
    path = pdfmaker.make_text_pdf(tmp_path / "p.pdf", [["脱炭素"]])
    path.write_bytes(path.read_bytes() + b"\r\n\x00\x00\n")
    assert pdf.open_pdf(path).page_count == 1


def test_password_protected_is_encrypted(tmp_path):
    doc = pymupdf.open()
    doc.new_page().insert_text((50, 50), "secret", fontname="helv")
    doc.save(tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    assert error_kind(tmp_path / "locked.pdf") == "encrypted"


def test_owner_password_only_opens(tmp_path):
    # permissions-only encryption: readers open it without a password, and so do we
    doc = pymupdf.open()
    doc.new_page().insert_text((50, 50), "readable", fontname="helv")
    doc.save(tmp_path / "perm.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o",
             permissions=pymupdf.PDF_PERM_PRINT)
    assert pdf.page_texts(pdf.open_pdf(tmp_path / "perm.pdf")) == ["readable\n"]


def test_opening_writes_nothing(corpus, tmp_path):
    path = pdfmaker.make_text_pdf(tmp_path / "t.pdf", [["脱炭素"]])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    pdf.open_pdf(path)
    with pytest.raises(records.DocumentError):
        pdf.open_pdf(corpus / "bad" / "truncated.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.pdf"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


_BOXES = """
import json, sys
{first}
import pymupdf
from pipeline import pdf
doc = pdf.open_pdf(sys.argv[1])
boxes = [c["bbox"] for b in pdf.page_text(doc[0], "rawdict")["blocks"] if b["type"] == 0
         for line in b["lines"] for span in line["spans"] for c in span["chars"]]
print(json.dumps({{"boxes": boxes, "layout": sys.modules.get("pymupdf.layout") is not None,
                  "onnxruntime": "onnxruntime" in sys.modules}}))
"""


def test_character_boxes_do_not_depend_on_what_imported_pymupdf_first(tmp_path):
    # PyMuPDF 2's `import pymupdf` imports pymupdf4llm (which turns quad corrections off, changing
    # every character box) and the layout model (onnxruntime). The pipeline keeps both out and says
    # the setting itself: the same boxes whether or not they were loaded first.
    import json
    import subprocess
    import sys

    font = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")  # .ci/run installs it
    if not font.is_file():
        pytest.skip("needs IPAexGothic (fonts-ipaexfont-gothic): boxes of the base fonts are the same either way")
    path = tmp_path / "t.pdf"
    with pymupdf.open() as made:  # an embedded TrueType face, as PyMuPDF- and browser-drawn PDFs have
        made.new_page().insert_text((40, 60), "都市間連携事業 Yangon (gy)", fontname="ipag", fontfile=str(font),
                                    fontsize=11)
        made.save(path)

    def read(first: str) -> dict:
        out = subprocess.run([sys.executable, "-c", _BOXES.format(first=first), str(path)], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)

    ours = read("import pipeline")
    theirs = read("import pymupdf")  # whatever PyMuPDF loads on its own
    assert ours["layout"] is False and ours["onnxruntime"] is False
    assert ours["boxes"] == theirs["boxes"] and len(ours["boxes"]) == 19


def test_the_table_finder_prints_nothing_to_stdout(tmp_path):
    """PyMuPDF's table finder recommends PyMuPDF Layout on stdout, once per process, when the layout
    model is not loaded (c2c keeps it out): stdout carries the run's summary, so c2c turns it off."""
    import subprocess
    import sys

    path = pdfmaker.make_table_pdf(tmp_path / "table.pdf", "採択案件一覧", ["番号", "事業名"], [["1", "ダナン市脱炭素事業"]])
    code = ("import pipeline.pdf, pymupdf, sys; page = pymupdf.open(sys.argv[1])[0]; "
            "tables = page.find_tables(use_layout=False).tables; print(len(tables), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr.split()[-1:]) == (0, "", ["1"])

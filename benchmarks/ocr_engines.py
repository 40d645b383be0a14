"""Compare OCR engines on the cells of a scanned table whose digital original is at hand.

    python benchmarks/ocr_engines.py --scan SCAN.pdf --digital ORIGINAL.pdf [--engines ...]

Both PDFs must have the same pages at the same size (the scan made from the original). Each scanned
page is levelled and cut into cells and text lines by pipeline.ocr (the same geometry for every
engine); each engine recognises the same line images. A cell's truth is the original's text whose
characters' centres fall in the cell. Prints, per engine: character accuracy over all cells
(1 - edit distance / truth length, whitespace removed) and seconds of recognition per page.
Tesseract (`tesseract-ocr-jpn`, through pytesseract) reads each line image with --psm 7.
"""
from __future__ import annotations

import argparse
import time

import pymupdf
from rapidfuzz.distance import Levenshtein

from pipeline import ocr


def _tesseract(lang: str):
    import pytesseract

    def recognize(images):
        out = []
        for img in images:
            text = pytesseract.image_to_string(img, lang=lang, config="--psm 7")
            out.append((ocr.clean_text("".join(text.split())), 100.0))
        return out
    return recognize


def _ppocr(model: str):
    settings = ocr.OcrSettings(model=model)

    def recognize(images):
        return [(ocr.clean_text(t.strip()), c) for t, c in ocr.recognize(images, settings)]
    return recognize


ENGINES = {"ppocrv6-small": lambda: _ppocr("ppocrv6-small"), "ppocrv5": lambda: _ppocr("ppocrv5"),
           "tesseract-jpn": lambda: _tesseract("jpn"), "tesseract-jpn+jpn_vert": lambda: _tesseract("jpn+jpn_vert")}


def _cell_truth(page: pymupdf.Page, cell) -> str:
    x0, y0, x1, y1 = cell
    chars = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                for ch in span["chars"]:
                    bx0, by0, bx1, by1 = ch["bbox"]
                    if x0 <= (bx0 + bx1) / 2 <= x1 and y0 <= (by0 + by1) / 2 <= y1:
                        chars.append(ch["c"])
    return "".join("".join(chars).split())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scan", required=True)
    parser.add_argument("--digital", required=True)
    parser.add_argument("--engines", nargs="*", default=list(ENGINES))
    args = parser.parse_args()
    scan, digital = pymupdf.open(args.scan), pymupdf.open(args.digital)
    pages = []
    t0 = time.perf_counter()
    for page in scan:
        image = ocr.page_image(page)
        pages.append((page.number, image, ocr.line_crops(image)))
    geometry = (time.perf_counter() - t0) / len(pages)
    cells = sum(len(image.cells) for _n, image, _c in pages)
    print(f"{len(pages)} pages, {cells} cells, {sum(len(c) for *_x, c in pages)} text lines; "
          f"render + deskew + rules + cells + lines: {geometry:.2f} s/page")
    print("| engine | character accuracy | recognition s/page |")
    print("|---|---:|---:|")
    for name in args.engines:
        recognize = ENGINES[name]()
        recognize(pages[0][2][:1])  # load the model outside the timing
        errors = length = 0
        seconds = 0.0
        for number, image, crops in pages:
            t0 = time.perf_counter()
            read = recognize(crops)
            seconds += time.perf_counter() - t0
            for cell in image.cells:
                inside = [text for (x0, y0, x1, y1), (text, _c) in zip(image.boxes, read)
                          if cell[0] <= (x0 + x1) / 2 / image.scale <= cell[2]
                          and cell[1] <= (y0 + y1) / 2 / image.scale <= cell[3]]
                truth = _cell_truth(digital[number], cell)
                errors += Levenshtein.distance("".join("".join(inside).split()), truth)
                length += len(truth)
        print(f"| {name} | {1 - errors / max(1, length):.3f} | {seconds / len(pages):.1f} |", flush=True)


if __name__ == "__main__":
    main()

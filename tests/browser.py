"""PDFs printed by a real browser, for tests of what browsers' PDFs hold (Type3 glyphs, fonts whose
map gives radicals, borders drawn as clipped fills, rowspans cut by page breaks)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def print_html(html: str, pdf: Path) -> Path:
    """`html` written beside `pdf` (same name, .html) and printed to `pdf` by headless Chromium, with
    no header or footer; its profile in a folder beside them. Raises CalledProcessError when the
    browser fails."""
    page = pdf.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={pdf.parent / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return pdf

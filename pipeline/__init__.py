"""c2c: the City-to-City Collaboration PDF pipeline (都市間連携事業)."""
import sys

__version__ = "0.1.0"

# PyMuPDF 2 imports its layout model and pymupdf4llm whenever `pymupdf` is imported, if they are
# installed (they are its dependencies): onnxruntime and an ONNX session, about 0.3 s of CPU in each
# process that reads a PDF (the run and every worker). c2c calls neither (`find_tables` runs with
# `use_layout=False`), so they are kept out unless something imported them first. To use the
# model: `del sys.modules["pymupdf.layout"]; import pymupdf.layout` (it activates itself).
if "pymupdf" not in sys.modules:
    for _name in ("pymupdf.layout", "pymupdf4llm"):
        sys.modules.setdefault(_name, None)

"""The link tables: each many-to-many fact of the deduplicated rows as a row of its own.

`project_places` (a project's Japanese local governments and partner places), `project_sources`,
`pair_sources` and `jcm_sources` (the documents stating a row, with sha256 and pages) are made from
the rows' nested lists, in the rows' order; `field_sources` (where a project field is printed) from the
boxes `provenance.py` found. Row types and columns: `records.py`.
"""
from __future__ import annotations

from .records import (FieldSourceRow, JcmSourceRow, PairSourceRow, ProjectPlaceRow, ProjectSourceRow,
                      row_dict)


def _dicts(rows: list) -> list[dict]:
    return [r if isinstance(r, dict) else row_dict(r) for r in rows]


def link_rows(tables) -> dict[str, list]:
    """{link table: rows} from `tables` (attributes `projects`, `city_pairs`, `jcm_projects`, rows as
    the records.py dataclasses or their dicts; `field_sources`, the boxes dedupe kept, if any)."""
    project_places, project_sources = [], []
    for p in _dicts(tables.projects):
        for role, refs in (("japan", p["japan_municipalities"]), ("partner", p["partner_places"])):
            project_places += [ProjectPlaceRow(project_id=p["project_id"], role=role, position=i,
                                               place_id=ref.get("place_id"), name_ja=ref.get("name_ja"))
                               for i, ref in enumerate(refs, 1)]
        project_sources += [ProjectSourceRow(project_id=p["project_id"], document=s["document"],
                                             sha256=s["sha256"], pages=list(s["pages"]), ocr=s["ocr"])
                            for s in p["sources"]]
    pair_sources = [PairSourceRow(pair_id=r["pair_id"], document=s["document"], sha256=s["sha256"],
                                  pages=list(s["pages"]), ocr=s["ocr"])
                    for r in _dicts(tables.city_pairs) for s in r["sources"]]
    jcm_sources = [JcmSourceRow(jcm_id=r["jcm_id"], document=s["document"], sha256=s["sha256"],
                                pages=list(s["pages"]), ocr=s["ocr"])
                   for r in _dicts(tables.jcm_projects) for s in r["sources"]]
    boxes = {}  # one row per key: a name printed twice in a record (a title naming its partner) is one box
    for b in getattr(tables, "field_sources", None) or []:
        boxes.setdefault((b.project_id, b.field, b.document, b.page, b.x0, b.y0), b)
    return {"project_places": project_places, "project_sources": project_sources, "pair_sources": pair_sources,
            "jcm_sources": jcm_sources, "field_sources": [boxes[k] for k in sorted(boxes)]}

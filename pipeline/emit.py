"""The emit stage: every table as JSONL, CSV (UTF-8 with BOM), Parquet and one SQLite file.

The only stage that writes outputs. Files are built beside their final place and renamed in, so a
reader never sees half a file; same tables in, same bytes out.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path

from .dedupe import Tables
from .state import atomic_write_bytes

TABLE_ORDER = ("documents", "projects", "city_pairs", "jcm_projects", "places", "mentions", "review")

# Column order and types per table (SCHEMA.md); "json" columns hold lists or objects.
COLUMNS: dict[str, dict[str, str]] = {
    "documents": {"document": "string", "sha256": "string", "size_bytes": "integer", "kind": "string",
                  "title": "string", "fiscal_year": "integer", "pages": "integer", "status": "string",
                  "error_kind": "string", "error": "string", "records": "json"},
    "projects": {"project_id": "string", "fiscal_year": "integer", "round": "integer", "number": "integer",
                 "title": "string", "proposer": "string", "co_implementers": "json",
                 "japan_municipalities": "json", "partner_places": "json", "country": "string",
                 "fields": "json", "summary": "string", "sources": "json"},
    "city_pairs": {"pair_id": "string", "japan_place_id": "string", "partner_place_id": "string",
                   "country": "string", "fiscal_years": "json", "sources": "json"},
    "jcm_projects": {"jcm_id": "string", "title": "string", "country": "string", "japan_place_id": "string",
                     "partner_place_id": "string", "fiscal_year": "integer", "sources": "json"},
    "places": {"place_id": "string", "name_ja": "string", "name_en": "string", "kind": "string",
               "country": "string", "parent_id": "string", "jis_code": "string", "variants": "json"},
    "mentions": {"document": "string", "page": "integer", "text": "string", "key": "string",
                 "place_id": "string", "method": "string", "score": "number"},
    "review": {"kind": "string", "document": "string", "page": "integer", "text": "string",
               "candidates": "json", "detail": "string"},
}
OBJECT_COLUMNS = {"records"}  # the other json columns hold lists
PRIMARY_KEYS = {"documents": "document", "projects": "project_id", "city_pairs": "pair_id",
                "jcm_projects": "jcm_id", "places": "place_id"}


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows).encode("utf-8")


def _flat(value) -> str:
    """A nested value as one CSV cell: lists joined with ' | ', objects by their id."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " | ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        for key in ("place_id", "document"):
            if key in value:
                return str(value[key] or "")
        return " | ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _csv(table: str, rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = list(COLUMNS[table])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_flat(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _parquet(table: str, rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = COLUMNS[table]
    scalar = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64()}
    data = {}
    for name, kind in columns.items():
        values = [row.get(name) for row in rows]
        if kind == "json":
            try:
                data[name] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                data[name] = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in values])
        else:
            data[name] = pa.array(values, type=scalar[kind])
    sink = io.BytesIO()
    pq.write_table(pa.table(data), sink, compression="zstd")
    return sink.getvalue()


def _sqlite(tables: Tables, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".c2c.sqlite.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    affinity = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "json": "TEXT"}
    try:
        con = sqlite3.connect(tmp)
        with con:
            for table in TABLE_ORDER:
                columns = COLUMNS[table]
                pk = PRIMARY_KEYS.get(table)
                ddl = ", ".join(f'"{c}" {affinity[k]}{" PRIMARY KEY" if c == pk else ""}'
                                for c, k in columns.items())
                con.execute(f'CREATE TABLE "{table}" ({ddl})')
                marks = ", ".join("?" for _ in columns)
                con.executemany(
                    f'INSERT INTO "{table}" VALUES ({marks})',
                    [[json.dumps(r.get(c), ensure_ascii=False) if k == "json" and r.get(c) is not None
                      else r.get(c) for c, k in columns.items()] for r in getattr(tables, table)])
        con.close()
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _frictionless_type(column: str, kind: str) -> str:
    if kind != "json":
        return kind
    return "object" if column in OBJECT_COLUMNS else "array"


def _datapackage() -> bytes:
    resources = []
    for table in TABLE_ORDER:
        schema = {"fields": [{"name": c, "type": _frictionless_type(c, k)} for c, k in COLUMNS[table].items()]}
        if table in PRIMARY_KEYS:
            schema["primaryKey"] = PRIMARY_KEYS[table]
        resources.append({"name": table, "path": f"{table}.csv", "format": "csv", "encoding": "utf-8-sig",
                          "mediatype": "text/csv", "schema": schema,
                          "alternates": [f"{table}.jsonl", f"{table}.parquet", f"c2c.sqlite#{table}"]})
    package = {"profile": "tabular-data-package", "name": "c2c-city-to-city",
               "title": "City-to-City Collaboration for Zero Carbon Society: projects, city pairs and places",
               "resources": resources}
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def emit(tables: Tables, out: Path) -> list[str]:
    """Write every table in every format; returns the file names written (relative to out)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLE_ORDER:
        rows = getattr(tables, table)
        for suffix, data in ((".jsonl", _jsonl(rows)), (".csv", _csv(table, rows)),
                             (".parquet", _parquet(table, rows))):
            atomic_write_bytes(out / f"{table}{suffix}", data)
            written.append(f"{table}{suffix}")
    _sqlite(tables, out / "c2c.sqlite")
    written.append("c2c.sqlite")
    atomic_write_bytes(out / "datapackage.json", _datapackage())
    written.append("datapackage.json")
    return written

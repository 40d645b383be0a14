"""`datapackage.json`: a Frictionless (Table Schema) description of the CSV tables.

Derived from the row dataclasses in `records.py`: every column with the type its CSV cell holds,
primary and foreign keys, the table's description from the row type's docstring. CSV cells flatten
nested values (emit's `_flat`): a list of scalars is joined with ` | ` (a `list` field with that
delimiter), a list of objects gives their ids (place_id, else document) joined the same way, and
an object (a document's `records`) is written `key=value | …` (a string). The JSONL, Parquet and
SQLite forms of each table are listed as its alternates.
"""
from __future__ import annotations

import inspect
import json
import typing
from importlib import metadata

from gazetteer import SOURCES as GAZETTEER_SOURCES  # the datasets the place data comes from

from .records import (OUTPUT_TABLES, columns, foreign_keys, is_typed_dict, primary_key, primary_keys,
                      unwrap_optional)

NAME = "c2c-city-to-city"
TITLE = "City-to-City Collaboration for Zero Carbon Society: projects, city pairs and places"
DESCRIPTION = ("Projects, city pairs, JCM projects and places of the Ministry of the Environment's "
               "City-to-City Collaboration for Zero Carbon Society programme (脱炭素社会実現のための"
               "都市間連携事業), extracted by c2c from the Ministry's documents; every row names its source "
               "documents, their sha256 and pages.")
LICENSES = [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
             "path": "https://creativecommons.org/licenses/by/4.0/"}]
LIST_DELIMITER = " | "
_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}




def field(name: str, hint) -> dict:
    """The Table Schema field for a column of type `hint`, as its CSV cell is written."""
    hint = unwrap_optional(hint)
    if hint in _SCALARS:
        return {"name": name, "type": _SCALARS[hint]}
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        item = unwrap_optional(item)
        if item in _SCALARS:
            return {"name": name, "type": "list", "delimiter": LIST_DELIMITER, "itemType": _SCALARS[item]}
        if is_typed_dict(item):
            key = next(k for k in ("place_id", "document") if k in typing.get_type_hints(item))
            return {"name": name, "type": "list", "delimiter": LIST_DELIMITER, "itemType": "string",
                    "description": f"the {key} of each item, joined with '{LIST_DELIMITER}' (all fields in the "
                                   f"JSONL and Parquet forms)"}
    if is_typed_dict(hint):
        return {"name": name, "type": "string",
                "description": f"key=value pairs joined with '{LIST_DELIMITER}' (an object in the JSONL and "
                               f"Parquet forms)"}
    raise TypeError(f"no Table Schema type for {hint!r}")


def schema(row_type: type) -> dict:
    result = {"fields": [field(name, hint) for name, hint in columns(row_type)]}
    pk = primary_keys(row_type)
    if pk:
        result["primaryKey"] = list(pk)
        for f in result["fields"]:
            if f["name"] in pk:
                f["constraints"] = {"required": True}
    fks = [{"fields": [column], "reference": {"resource": "" if target_type is row_type else table,
                                               "fields": [primary_key(target_type)]}}
           for column, table in foreign_keys(row_type) for target_type in [OUTPUT_TABLES[table]]]
    if fks:
        result["foreignKeys"] = fks
    return result


def _version() -> str:
    try:
        return metadata.version("c2c")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def table_descriptions() -> dict[str, str]:
    """{table: its row type's docstring on one line}, in table order."""
    return {table: " ".join(inspect.getdoc(row_type).split()) for table, row_type in OUTPUT_TABLES.items()}


def datapackage(documents: list[dict]) -> dict:
    """The descriptor for the tables, with `documents` (rows of the documents table) as sources."""
    resources = []
    descriptions = table_descriptions()
    for table, row_type in OUTPUT_TABLES.items():
        resources.append({
            "name": table, "path": f"{table}.csv", "profile": "tabular-data-resource",
            "description": descriptions[table],
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n"},
            "schema": schema(row_type),
            "alternates": [f"{table}.jsonl", f"{table}.parquet", f"c2c.sqlite#{table}"],
        })
    sources = [{"title": f"Ministry of the Environment, Japan (環境省): {d.get('title') or d['document']}",
                "path": d["document"], "sha256": d["sha256"]}
               for d in documents if d.get("status") == "ok"]
    return {"profile": "tabular-data-package", "name": NAME, "title": TITLE, "description": DESCRIPTION,
            "version": _version(), "licenses": LICENSES, "sources": sources + GAZETTEER_SOURCES,
            "resources": resources}


def datapackage_bytes(documents: list[dict]) -> bytes:
    return (json.dumps(datapackage(documents), ensure_ascii=False, indent=2) + "\n").encode("utf-8")

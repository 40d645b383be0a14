"""Datasette over `c2c.sqlite`: the metadata file written beside it, and `c2c browse`.

Datasette is an optional extra (`pip install -e '.[browse]'`): the pipeline only writes the metadata
(titles, descriptions, licence, source, facets, label columns), which any Datasette reads with
`datasette c2c.sqlite -m metadata.json`.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .database import DATABASE_FILE
from .datapackage import DESCRIPTION, LICENSES, TITLE

METADATA_FILE = "metadata.json"
HOST = "127.0.0.1"  # never on another interface: the data is browsed on this machine

SOURCE = "Ministry of the Environment, Japan (環境省)"

# Per table: facets a person starts from, and the column that names a row when another table points
# at it (Datasette shows it beside a foreign key).
FACETS = {"projects": ["fiscal_year", "country"], "city_pairs": ["country"], "jcm_projects": ["fiscal_year", "country"],
          "places": ["kind", "country"], "mentions": ["method"], "review": ["kind"], "documents": ["kind", "status"]}
LABEL_COLUMNS = {"projects": "title", "places": "name_ja", "jcm_projects": "title", "documents": "document"}
SORT = {"projects": "project_id", "city_pairs": "pair_id", "jcm_projects": "jcm_id", "places": "place_id",
        "documents": "document"}


def metadata(descriptions: dict[str, str], database: str = "c2c") -> dict:
    """Datasette's metadata for the database: `descriptions` gives each table's description (and
    which tables there are)."""
    tables = {}
    for table, description in descriptions.items():
        entry = {"description": description}
        if table in FACETS:
            entry["facets"] = FACETS[table]
        if table in LABEL_COLUMNS:
            entry["label_column"] = LABEL_COLUMNS[table]
        if table in SORT:
            entry["sort"] = SORT[table]
        tables[table] = entry
    return {"title": TITLE, "description": DESCRIPTION, "license": LICENSES[0]["title"],
            "license_url": LICENSES[0]["path"], "source": SOURCE,
            "databases": {database: {"tables": tables}}}


def metadata_bytes(descriptions: dict[str, str]) -> bytes:
    return (json.dumps(metadata(descriptions), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class BrowseError(Exception):
    """`c2c browse` cannot start: Datasette missing, or no database in the folder."""


def command(out: Path, port: int) -> list[str]:
    """The Datasette command line serving `out`'s database on 127.0.0.1:`port`.
    Raises BrowseError when Datasette is not installed or `out` holds no database."""
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise BrowseError("Datasette is not installed: pip install -e '.[browse]'")
    database = out / DATABASE_FILE
    if not database.is_file():
        raise BrowseError(f"{database} does not exist; run `c2c run --out {out}` first")
    args = [sys.executable, "-m", "datasette", "serve", str(database), "--host", HOST, "--port", str(port),
            "--setting", "default_facet_size", "50"]
    if (out / METADATA_FILE).is_file():
        args += ["--metadata", str(out / METADATA_FILE)]
    return args


def serve(out: Path, port: int) -> int:
    """Run Datasette in the foreground until it is stopped, in place of this process, so that a
    signal that stops `c2c browse` stops the server too (a child would outlive it). Does not return
    unless the exec fails (OSError)."""
    args = command(out, port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(args[0], args)
    return 1  # not reached

"""`c2c.sqlite`: every table in one SQLite database, written with sqlite-utils.

Tables, columns, primary keys (composite where the row type has several) and foreign keys come from
the row dataclasses in `records.py`; every foreign-key column gets an index; titles, summaries and
names get an FTS5 full-text index with the `trigram` tokenizer, which finds any run of three or more
characters and so works for Japanese (unicode61 does not segment it). List and object columns hold
JSON text (`json_extract`, `json_each` and Datasette read it).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .records import OUTPUT_TABLES, columns, foreign_keys, primary_key, primary_keys, unwrap_optional

# Lists and objects are stored as JSON text, as json.dumps(value, ensure_ascii=False) writes it (one
# encoder for all rows: json.dumps with options makes one per call).
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)

DATABASE_FILE = "c2c.sqlite"

# Columns searched by full-text search, per table (`<table>_fts`).
FULL_TEXT = {"projects": ("title", "summary", "proposer"), "jcm_projects": ("title",),
             "places": ("name_ja", "name_en", "variants")}
FTS_TOKENIZER = "trigram"  # SQLite ≥ 3.34



def _is_json(hint) -> bool:
    return unwrap_optional(hint) not in (str, int, float)


def _creation_order() -> list[str]:
    """Tables in an order where every referenced table exists before the tables referring to it."""
    order: list[str] = []

    def visit(table: str, path: tuple[str, ...] = ()) -> None:
        if table in order or table in path:
            return
        for _, target in foreign_keys(OUTPUT_TABLES[table]):
            if target != table:
                visit(target, path + (table,))
        order.append(table)

    for table in OUTPUT_TABLES:
        visit(table)
    return order


def _sqlite_utils():
    """sqlite-utils, imported without pandas when nothing has loaded pandas yet: sqlite-utils
    imports it, when installed, only to store pandas' Timestamp as TEXT (c2c's rows hold none),
    and that import is a quarter of a second of every run that writes the tables."""
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        import sqlite_utils

        return sqlite_utils
    sys.modules["pandas"] = None  # `import pandas` raises ImportError; sqlite-utils then skips it
    try:
        import sqlite_utils
    finally:
        del sys.modules["pandas"]
    return sqlite_utils


class DatabaseWriter:
    """Creates every table in a new database at `path`; rows are added table by table with
    `insert` (in the order the tables' files are written) and `finish` adds the indexes and full-text
    search. Tables, keys, indexes and full-text tables are sqlite-utils'; rows go in through one
    prepared statement per table. Same rows in, same bytes out."""

    def __init__(self, path: Path):
        sqlite_utils = _sqlite_utils()
        self.db = sqlite_utils.Database(path)
        # The file is built privately and fsynced by emit before it is renamed into place: no
        # journal or sync per statement is needed while it is written.
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.json_columns: dict[str, list[str]] = {}
        self.statements: dict[str, tuple[str, tuple[str, ...]]] = {}  # table → (INSERT, its columns)
        for table in _creation_order():
            row_type = OUTPUT_TABLES[table]
            hints = dict(columns(row_type))
            types_ = {name: (str if _is_json(hint) else unwrap_optional(hint)) for name, hint in hints.items()}
            pk = primary_keys(row_type)
            self.db[table].create(
                types_, pk=(pk[0] if len(pk) == 1 else pk) or None,
                foreign_keys=[(c, target, primary_key(OUTPUT_TABLES[target]))
                              for c, target in foreign_keys(row_type)])
            self.json_columns[table] = [name for name, hint in hints.items() if _is_json(hint)]
            names = ", ".join(f"[{name}]" for name in hints)
            self.statements[table] = (f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(hints))})",
                                      tuple(hints))

    def insert(self, table: str, rows: list[dict]) -> None:
        """Add rows (dicts of the table's columns); lists and objects are stored as JSON text."""
        # One prepared statement in one transaction (committed by `finish`): sqlite-utils'
        # insert_all commits, and so syncs, once per call, which costs more than the rows do.
        sql, names = self.statements[table]
        json_columns = set(self.json_columns[table])
        encode = _JSON_ENCODER.encode
        self.db.conn.executemany(sql, [
            [encode(r[c]) if c in json_columns and r.get(c) is not None else r.get(c)
             for c in names] for r in rows])

    def finish(self) -> None:
        """Index every foreign-key column (unless it leads the primary key, which is indexed
        already), build the full-text indexes, and close the file."""
        for table, row_type in OUTPUT_TABLES.items():
            pk = primary_keys(row_type)
            for column, _ in foreign_keys(row_type):
                if not pk or pk[0] != column:
                    self.db[table].create_index([column])
        for table, fields in FULL_TEXT.items():
            self.db[table].enable_fts(list(fields), fts_version="FTS5", tokenize=FTS_TOKENIZER,
                                      create_triggers=False)
        self.db.conn.commit()
        self.close()

    def close(self) -> None:
        self.db.conn.close()

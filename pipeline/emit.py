"""The emit stage: every table as JSONL, CSV (UTF-8 with BOM), Parquet and one SQLite file.

The only stage that writes outputs. Files are built beside their final place and renamed in, so a
reader never sees half a file; same tables in, same bytes out.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import typing
from pathlib import Path

from .dedupe import Tables
from .browse import METADATA_FILE, metadata_bytes
from .database import DATABASE_FILE, DatabaseWriter
from .datapackage import datapackage_bytes, table_descriptions
from .links import link_rows
from .records import LINK_TABLES, OUTPUT_TABLES, columns, is_typed_dict, row_dict, unwrap_optional

TABLE_ORDER = tuple(OUTPUT_TABLES)




_SCALAR_KINDS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _kind(hint) -> str:
    """A column's type as SCHEMA.md names it: string, integer, number, boolean, or json (lists and
    objects)."""
    return _SCALAR_KINDS.get(unwrap_optional(hint), "json")


# Column order and types per table, from the row dataclasses in records.py.
COLUMNS: dict[str, dict[str, str]] = {
    table: {name: _kind(hint) for name, hint in columns(row_type)} for table, row_type in OUTPUT_TABLES.items()}


# One encoder for every row: json.dumps with options makes a new one per call, which costs more
# than a short row's encoding.
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json_line(row: dict) -> str:
    return _ROW_ENCODER.encode(row) + "\n"


def _flat(value) -> str:
    """A nested value as one CSV cell: lists joined with ' | ', objects by their id."""
    if value is None:
        return ""
    if isinstance(value, bool):  # as Table Schema and spreadsheets spell them
        return "true" if value else "false"
    if isinstance(value, list):
        return " | ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        for key in ("place_id", "document"):
            if key in value:
                return str(value[key] or "")
        return " | ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


# A CSV cell starting with one of these runs as a formula in a spreadsheet (OWASP's CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    """A value as a CSV cell, text that a spreadsheet would run as a formula behind an apostrophe
    (OWASP's rule). Numbers stay as they are; JSONL, Parquet and SQLite keep the exact text."""
    if type(value) is str:  # most cells
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    text = _flat(value)
    if text.startswith(_FORMULA_STARTS) and not isinstance(value, (int, float)):
        return "'" + text
    return text


def _arrow_type(hint):
    import pyarrow as pa

    hint = unwrap_optional(hint)
    if hint in _SCALAR_KINDS:
        return {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}[hint]
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return pa.list_(_arrow_type(item))
    if is_typed_dict(hint):
        return pa.struct([(name, _arrow_type(h)) for name, h in typing.get_type_hints(hint).items()])
    raise TypeError(f"no Parquet type for {hint!r}")


def _arrow_schema(table: str):
    """The Parquet schema, fixed per table by its row type: never guessed from the rows, so an empty
    table or a batch of empty lists has the same types as any other."""
    import pyarrow as pa

    return pa.schema([(name, _arrow_type(hint)) for name, hint in columns(OUTPUT_TABLES[table])])


class _TableFiles:
    """One table's JSONL, CSV and Parquet files. JSONL and CSV are written as rows arrive; Parquet
    is made from the JSONL file when the table is complete, in bounded row groups, so the Arrow
    machinery is loaded (and its memory taken) only at the end of a run, and a table never has to
    be held whole."""

    # Rows per Parquet row group, and the JSON bytes that end a group early (rows with long source
    # lists): both fixed, so the file's bytes depend on the rows only.
    BATCH_ROWS = 10_000
    BATCH_BYTES = 8 << 20

    def __init__(self, folder: Path, table: str):
        self.table = table
        self.columns = list(COLUMNS[table])
        self.jsonl_path = folder / f"{table}.jsonl"
        self.jsonl = open(self.jsonl_path, "w", encoding="utf-8", newline="")
        self.csv_file = open(folder / f"{table}.csv", "w", encoding="utf-8-sig", newline="")
        self.csv = csv.writer(self.csv_file, lineterminator="\r\n")
        self.csv.writerow(self.columns)
        self.parquet_path = folder / f"{table}.parquet"

    def write(self, rows: list[dict]) -> None:
        """Append rows given as dicts (`records.row_dict`)."""
        self.jsonl.writelines(_json_line(r) for r in rows)
        self.csv.writerows([_csv_cell(r.get(c)) for c in self.columns] for r in rows)

    def _row_groups(self):
        """The JSONL file in slices of whole lines, one per row group."""
        with open(self.jsonl_path, "rb") as f:
            lines, size = [], 0
            for line in f:
                lines.append(line)
                size += len(line)
                if len(lines) >= self.BATCH_ROWS or size >= self.BATCH_BYTES:
                    yield b"".join(lines)
                    lines, size = [], 0
            if lines:
                yield b"".join(lines)

    def _write_parquet(self) -> None:
        # Arrow parses the JSON itself (its types fixed by the schema): no Python object per value.
        import pyarrow as pa
        import pyarrow.json as pa_json
        import pyarrow.parquet as pq

        schema = _arrow_schema(self.table)
        options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
        with pq.ParquetWriter(self.parquet_path, schema, compression="zstd") as writer:
            empty = True
            for chunk in self._row_groups():
                # One block for the whole slice: a line must never straddle two.
                reading = pa_json.ReadOptions(use_threads=False, block_size=len(chunk) + 1)
                rows = pa_json.read_json(io.BytesIO(chunk), read_options=reading, parse_options=options)
                writer.write_table(rows.select(schema.names).cast(schema))
                empty = False
            if empty:  # one empty row group, as a table with rows has, rather than none
                writer.write_table(schema.empty_table())
        pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed memory otherwise

    def discard(self) -> None:
        """Close every handle without finishing the files (they are about to be deleted)."""
        for handle in (self.jsonl, self.csv_file):
            handle.close()

    def close(self) -> None:
        self.jsonl.close()
        self.csv_file.close()
        self._write_parquet()


class Emitter:
    """Builds every output in a private folder inside `out`, then renames each file into place.

    Large tables (mentions) can be streamed with `stream()` as each document is resolved, so the
    run never holds them whole; the rest arrive with `finish()`. A reader never sees half a file,
    and an aborted emit leaves the previous outputs untouched.
    """

    def __init__(self, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob(".emit-*"):  # left by a run that was killed while emitting
            shutil.rmtree(stale, ignore_errors=True)
        self.out = out
        self.folder = Path(tempfile.mkdtemp(prefix=".emit-", dir=out))
        self.db = DatabaseWriter(self.folder / DATABASE_FILE)
        self.files: dict[str, _TableFiles] = {}

    def stream(self, table: str, rows: list) -> None:
        """Append rows (of the table's row type in records.py), already in the table's sort order."""
        rows = [row_dict(r) for r in rows]
        if table not in self.files:
            self.files[table] = _TableFiles(self.folder, table)
        self.files[table].write(rows)
        self.db.insert(table, rows)

    def finish(self, tables: Tables, extra: tuple[str, ...] = ()) -> list[str]:
        """Write the tables not streamed, then move every file into `out`; returns their names.
        `extra` names files another stage wrote into `self.folder` (the report) to publish with them."""
        try:
            links = link_rows(tables)
            for table in TABLE_ORDER:
                if table not in self.files:
                    self.stream(table, links[table] if table in LINK_TABLES else getattr(tables, table))
                self.files[table].close()
            self.db.finish()
            (self.folder / "datapackage.json").write_bytes(
                datapackage_bytes([row_dict(d) for d in tables.documents]))
            (self.folder / METADATA_FILE).write_bytes(metadata_bytes(table_descriptions()))
            written = [f"{t}{suffix}" for t in TABLE_ORDER for suffix in (".jsonl", ".csv", ".parquet")]
            written += [DATABASE_FILE, "datapackage.json", METADATA_FILE, *extra]
            for name in written:
                with open(self.folder / name, "rb+") as f:
                    os.fsync(f.fileno())
                os.replace(self.folder / name, self.out / name)
            return written
        finally:
            self.abort()

    def abort(self) -> None:
        for files in self.files.values():
            files.discard()
        try:
            self.db.close()
        except Exception:  # closed already, or never opened
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def emit(tables: Tables, out: Path) -> list[str]:
    """Write every table in every format; returns the file names written (relative to out)."""
    return Emitter(out).finish(tables)

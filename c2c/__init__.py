"""The Python API for researchers: run the pipeline and load its tables as pandas DataFrames.

    >>> import c2c
    >>> result = c2c.run("raw", "extracted")        # the same run as `c2c run`
    >>> tables = c2c.load("extracted")              # {table name: DataFrame}
    >>> tables["projects"].dtypes                   # fiscal_year Int64, jis codes as text, ...

`load` reads the Parquet files a run wrote (the JSONL files are the canonical form; Parquet holds
the same rows with fixed types). Column types in the DataFrames:

- integers → pandas' nullable `Int64` (a missing fiscal year is `<NA>`, not a float NaN);
- numbers → nullable `Float64`; text and codes → `string` (`jis_code` stays `010006`);
- lists and nested objects → Python lists and dicts (`co_implementers`, `sources`, `partner_places`),
  never joined strings.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["load", "run", "tables"]


def tables(out: str | os.PathLike = "extracted") -> list[str]:
    """The names of the tables written in `out`, in the order the pipeline writes them (every
    `<table>.parquet` there; tables this version does not know come after, by name)."""
    from pipeline.emit import TABLE_ORDER

    folder = Path(out)
    present = {p.stem for p in folder.glob("*.parquet")}
    return [t for t in TABLE_ORDER if t in present] + sorted(present - set(TABLE_ORDER))


def load(out: str | os.PathLike = "extracted", names: list[str] | None = None) -> dict:
    """Every table of a run's output folder as a pandas DataFrame, keyed by table name.

    `names` picks some tables only. Raises FileNotFoundError when `out` holds no tables (or a
    named table is missing)."""
    import pyarrow.parquet as pq

    folder = Path(out)
    wanted = names if names is not None else tables(folder)
    if not wanted:
        raise FileNotFoundError(f"{folder}: no tables (*.parquet) here; run `c2c run --out {folder}` first")
    result = {}
    for name in wanted:
        path = folder / f"{name}.parquet"
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such table")
        result[name] = _frame(pq.read_table(path))
    return result


def _frame(table):
    """An Arrow table as a DataFrame with nullable scalar columns and Python lists/dicts."""
    import pandas as pd
    import pyarrow as pa

    columns = {}
    for field, column in zip(table.schema, table.columns):
        kind = field.type
        if pa.types.is_integer(kind):
            columns[field.name] = pd.array(column.to_pylist(), dtype="Int64")
        elif pa.types.is_floating(kind):
            columns[field.name] = pd.array(column.to_pylist(), dtype="Float64")
        elif pa.types.is_boolean(kind):
            columns[field.name] = pd.array(column.to_pylist(), dtype="boolean")
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            columns[field.name] = pd.array(column.to_pylist(), dtype=pd.StringDtype("python"))
        else:  # lists and structs: the values as Python lists and dicts
            values = column.to_pylist()
            series = pd.Series([None] * len(values), dtype=object)
            for i, value in enumerate(values):
                series.iat[i] = value
            columns[field.name] = series.array
    return pd.DataFrame(columns, columns=table.schema.names)


def run(raw: str | os.PathLike = "raw", out: str | os.PathLike = "extracted", **options):
    """Run the pipeline as `c2c run` does and return its `pipeline.run.RunResult`: `exit_code`
    (0, or 3 when some documents failed), `counts` (new / changed / unchanged / removed / failed
    documents), `actions` (per document: parsed / reused / removed / failed and why), `failed`,
    `project_changes` ({added, changed: {id: [fields]}, removed}) and `review_size`.

    `options` are those of `pipeline.run.RunOptions`: `jobs` (default: all cores), `timeout`
    (seconds per document, None for no limit), `force`, `executor` ("local" or "dask"),
    `scheduler`, `use_ner`. Raises `pipeline.run.UsageError` for bad folders."""
    from pipeline.run import RunOptions, run as run_pipeline

    options.setdefault("jobs", os.cpu_count() or 1)
    return run_pipeline(RunOptions(raw=Path(raw), out=Path(out), **options))

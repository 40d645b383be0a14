"""The gazetteer and the place resolver: printed place names → one canonical place, or a person.

One room per job:
  data.py      the place files (gazetteer/*.csv) read into `Place` records; accepting a variant
  index.py     the lookup tables built once from the places
  settings.py  the resolver's declared cut-offs (`ResolverSettings`)
  resolver.py  one printed name → a `Resolution` (exact, variant, context, fuzzy or unresolved)
  cells.py     a table cell naming several places → one resolution each
  scan.py      place names in running text → `Match`es with offsets
  check.py     validation of the data (`c2c gazetteer check`)
`Gazetteer` puts them together; the data lives in plain CSV files in gazetteer/ (see
gazetteer/README.md).
"""
from __future__ import annotations

from pathlib import Path

from . import cache as _cache
from .cells import CellSplitter
from .check import CheckResult, check
from .data import (CURATED_FILE, DEFAULT_FOLDER, FIELDS, KINDS, VARIANTS_FILE, Place, PlaceData,
                   accept_variant, content_version, data_files, load_data)
from .index import PlaceIndex
from .resolver import NameResolver, Resolution
from .scan import Match, TextScanner
from .settings import DEFAULT_SETTINGS, ResolverSettings

MAX_CANDIDATES = DEFAULT_SETTINGS.max_candidates

__all__ = ["CURATED_FILE", "DEFAULT_FOLDER", "FIELDS", "KINDS", "MAX_CANDIDATES", "VARIANTS_FILE",
           "Gazetteer", "Match", "Place", "PlaceData", "PlaceIndex", "Resolution", "ResolverSettings",
           "accept_variant", "content_version", "data_files", "load_data"]


class Gazetteer:
    """Every place, with the resolver, the cell splitter and the text scanner over one index."""

    def __init__(self, data: PlaceData, settings: ResolverSettings | dict | None = None,
                 index: PlaceIndex | None = None):
        self.data = data
        self.places = data.places
        self.version = data.version
        self.index = index or PlaceIndex(data.places, data.world_places())
        self.names = NameResolver(self.index, settings)
        self.cells = CellSplitter(self.names)
        self.scanner = TextScanner(self.index, self.names)

    @classmethod
    def load(cls, folder: Path | None = None, settings: ResolverSettings | dict | None = None) -> "Gazetteer":
        """The gazetteer of `folder` (default: $C2C_GAZETTEER or the shipped one), from the cached
        copy of an earlier load when the data and the code are the same (cache.py)."""
        cached = _cache.read(content_version(folder))
        if cached:
            return cls(cached[0], settings, cached[1])
        gazetteer = cls(load_data(folder), settings)
        _cache.write(gazetteer.data, gazetteer.index)
        return gazetteer

    def resolve(self, text: str, country: str | None = None, side: str | None = None,
                running_text: bool = False) -> Resolution:
        """One printed name; see resolver.py for the order of the rules. A name from running text
        names a generated world place only within `country`."""
        return self.names.resolve(text, country, side, running_text=running_text)

    def resolve_cell(self, text: str, country: str | None = None, side: str | None = None) -> list[Resolution]:
        """Every place a table cell names."""
        return self.cells.resolve_cell(text, country, side)

    def scan(self, text: str, country: str | None = None) -> list[Match]:
        """Place names in running text."""
        return self.scanner.scan(text, country)

    def ancestors(self, place_id: str) -> list[str]:
        return self.index.ancestors(place_id)

    def check(self) -> list[str]:
        """Errors in the data (see check.py): [] when it is sound."""
        return self.check_all().errors

    def check_all(self) -> CheckResult:
        """Errors and warnings (homonyms) about the data."""
        return check(self.data, self.index)

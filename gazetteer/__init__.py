"""The place data (CSV files beside this module); see README.md in this folder."""
from pathlib import Path

FOLDER = Path(__file__).resolve().parent

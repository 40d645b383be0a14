"""Shared test fixtures: where the development corpus lives."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    return CORPUS


@pytest.fixture(scope="session")
def hostile() -> Path:
    folder = SHARED / "hostile"
    if not folder.exists():
        pytest.skip("../shared/hostile is not beside this checkout")
    return folder

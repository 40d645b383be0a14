"""Each extractor's tolerances are one frozen settings dataclass that rejects unknown keys, and a
setting given to an extractor is the one it decides with."""
import dataclasses

import pymupdf
import pytest

from pipeline.extract.adoption_table import TableSettings
from pipeline.extract.layout import LayoutSettings
from pipeline.extract.pamphlet import PamphletSettings
from pipeline.extract.slides import SlideSettings, extract_slides
from pipeline.extract.textlines import TextLineSettings

CLASSES = [LayoutSettings, TableSettings, PamphletSettings, SlideSettings, TextLineSettings]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_settings_reject_an_unknown_key(cls):
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: unknown setting 'tolerence' \(known: "):
        cls.from_dict({"tolerence": 1.0})
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: unknown setting 'tolerence' "):
        cls().replace(tolerence=1.0)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_settings_are_frozen_and_every_field_has_a_default(cls):
    settings = cls()
    first = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(settings, first, 0)
    assert cls.from_dict({first: getattr(settings, first)}) == settings


def _deck(tmp_path):
    """A two-slide deck whose second slide has one pair bullet near the top edge: its line runs
    from about y=9 to y=23 pt on a 405 pt slide, inside a 10 % margin (40.5 pt), outside a 4 % one
    (16.2 pt)."""
    doc = pymupdf.open()
    cover = doc.new_page(width=720, height=405)
    cover.insert_text((100, 200), "都市間連携事業", fontname="japan", fontsize=28)
    slide = doc.new_page(width=720, height=405)
    slide.insert_text((40, 20), "• タイ : バンコク都ー横浜市", fontname="japan", fontsize=14)
    path = tmp_path / "deck.pdf"
    doc.save(path)
    doc.close()
    return path


def test_the_margin_setting_decides_which_lines_slides_read(tmp_path):
    with pymupdf.open(_deck(tmp_path)) as doc:
        default = extract_slides(doc)
        wide_margin = extract_slides(doc, SlideSettings().replace(margin_share=0.1))
    assert [(p.page, p.country, p.japan.text, p.partner.text) for p in default.pairs] == [(2, "TH", "横浜市", "バンコク都")]
    assert wide_margin.pairs == []

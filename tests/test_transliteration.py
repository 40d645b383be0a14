"""Transliteration as evidence: katakana names no gazetteer lists, romanized (pykakasi) and compared
with the Latin names of the context country's places of a compatible kind."""
import pytest

from pipeline.gazetteer import Gazetteer
from pipeline.gazetteer.transliterate import sound_key


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def _listed(gaz, name, country):
    """Whether any place of the country lists this spelling (then transliteration is not needed)."""
    from normalizers.places import fold
    return any(gaz.places[i].country == country for i in gaz.index.spelled(fold(name)))


@pytest.mark.parametrize("name, country, name_en", [
    ("バグマティ州", "NP", "Bagmati"),              # Nepal: pycountry has no Japanese name
    ("ガンダキ州", "NP", "Gandaki"),
    ("カルナリ州", "NP", "Karnali"),
    ("キスム郡", "KE", "Kisumu"),                   # Kenya's counties
    ("ナクル郡", "KE", "Nakuru"),
    ("チャットグラム管区", "BD", "Chattogram"),      # Bangladesh's divisions
    ("ランガプール管区", "BD", "Rangpur"),
    ("サバラガムワ州", "LK", "Sabaragamuwa Province"),  # Sri Lanka's provinces
    ("ウバ州", "LK", "Uva Province"),
    ("ルアンプラバン県", "LA", "Luang Prabang"),      # a second transliteration of a curated province
    ("ウブス県", "MN", "Uvs"),
    ("ナコンパトン県", "TH", "Nakhon Pathom"),
])
def test_unlisted_katakana_names_resolve_by_transliteration(gaz, name, country, name_en):
    assert not _listed(gaz, name, country)
    r = gaz.resolve(name, country=country)
    assert (r.method, r.evidence) == ("fuzzy", "transliteration"), r
    assert gaz.places[r.place_id].name_en == name_en


@pytest.mark.parametrize("a, b, country", [
    ("ナコンパトム県", "ナコンパノム県", "TH"),
    ("クアンナム省", "クアンニン省", "VN"),
    ("クアンニン省", "クアンガイ省", "VN"),
    ("クアンナム省", "クアンガイ省", "VN"),
    ("東ジャワ州", "西ジャワ州", "ID"),
    ("マディヤ・プラデーシュ州", "アーンドラ・プラデーシュ州", "IN"),
    ("ヤンゴン地域", "ヤンゴン市", "MM"),
    ("セブ州", "セブ市", "PH"),
    ("ダッカ管区", "ダッカ市", "BD"),
])
def test_look_alikes_stay_apart(gaz, a, b, country):
    ra, rb = gaz.resolve(a, country=country), gaz.resolve(b, country=country)
    assert ra.place_id and rb.place_id and ra.place_id != rb.place_id


def test_myanmar_regions_answer_to_both_suffixes(gaz):
    assert gaz.resolve("ヤンゴン管区", country="MM").place_id == gaz.resolve("ヤンゴン地域", country="MM").place_id
    assert gaz.places[gaz.resolve("マンダレー地域", country="MM").place_id].kind == "region"
    assert gaz.places[gaz.resolve("ヤンゴン市", country="MM").place_id].kind == "city"


def test_the_kind_must_fit_the_suffix(gaz):
    # Bagmati is a province: as a city it is nothing the gazetteer knows
    r = gaz.resolve("バグマティ市", country="NP")
    assert r.place_id is None or gaz.places[r.place_id].kind == "city"


def test_a_close_runner_up_sends_the_name_to_review_with_both_candidates(gaz):
    r = gaz.resolve("オムノゴビ県", country="MN")  # Ömnögovi, but Dornogovi sounds close
    assert r.place_id is None
    names = [gaz.places[pid].name_en for pid, _ in r.candidates[:2]]
    assert names[0] == "Omnogovi" and "Dornogovi" in names


def test_transliteration_needs_the_country(gaz):
    assert gaz.resolve("バグマティ州").place_id is None


def test_a_name_that_sounds_like_nothing_stays_unresolved(gaz):
    r = gaz.resolve("ポンポコリン州", country="LK")
    assert r.place_id is None


def test_sound_key_folds_what_japanese_cannot_write():
    assert sound_key("Nakhon Pathom") == sound_key("nakonpatomu")
    assert sound_key("Colombo") == sound_key("koronbo")
    assert sound_key("Luang Prabang") != sound_key("Luang Namtha")

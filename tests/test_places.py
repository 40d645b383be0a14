"""The place match key and the resolver's rules for single names and compound cells."""
import pytest
from hypothesis import given, settings, strategies as st

from normalizers.places import fold, match_key, to_romaji
from pipeline.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


# --- the key ------------------------------------------------------------------------------------

@given(st.text())
@settings(max_examples=500)
def test_key_never_raises_and_fold_is_idempotent(text):
    stem, suffix = match_key(text)
    assert fold(fold(text)) == fold(text)
    assert match_key(fold(text)) == (stem, suffix)
    assert match_key(stem + (suffix or "")) == (stem, suffix)


@given(st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30FC), min_size=1))
def test_katakana_key_is_idempotent(text):
    assert match_key(match_key(text)[0] + "省") == (match_key(text)[0], "省") or not match_key(text)[0]


@pytest.mark.parametrize("a, b", [
    ("ヴィエンチャン特別市", "ビエンチャン特別市"),
    ("ラヨーン県", "ラヨン県"),
    ("トゥブ県", "トウブ県"),
    ("アーンドラ・プラデーシュ州", "アンドラプラデーシュ州"),
    ("マカッサル市", "マカサル市"),
    ("ｳﾗﾝﾊﾞｰﾄﾙ市", "ウランバートル市"),
    ("ヴォ ヴェ ヴァ", "ボベバ"),
])
def test_spelling_variants_share_a_key(a, b):
    assert match_key(a) == match_key(b)


def test_suffix_is_kept_as_the_kind():
    assert match_key("ラヨン県") == ("ラヨン", "県")
    assert match_key("ラヨーン市") == ("ラヨン", "市")
    assert match_key("ビエンチャン特別市") == ("ビエンチヤン", "特別市")  # small kana folded
    assert match_key("ヤンゴン管区") == ("ヤンゴン", "管区")
    assert match_key("ダナン") == ("ダナン", None)
    assert match_key("市") == ("市", None)


def test_romaji():
    assert to_romaji("クアラ Lumpur") == "kuaralumpur"
    assert to_romaji("マカッサル") == "makassaru"
    assert to_romaji("チェンマイ") == "chenmai"


# --- one name -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, country, place_id", [
    ("ダナン市", None, "vn-da-nang"),
    ("ダバオ市", None, "ph-davao-city"),
    ("ダナオ市", None, "ph-danao"),
    ("ハノイ市", None, "vn-hanoi"),
    ("ハイフォン市", None, "vn-hai-phong"),
    ("ラヨン県", None, "th-rayong"),
    ("ラヨーン市", None, "th-rayong-city"),
    ("ラヨン市", None, "th-rayong-city"),
    ("ヤンゴン市", None, "mm-yangon"),
    ("ヤンゴン管区", None, "mm-yangon-region"),
    ("バンドン市", None, "id-bandung-city"),
    ("西ジャワ州バンドン県", None, "id-bandung-regency"),
    ("バリ州", None, "id-bali"),
    ("バドゥン県", None, "id-badung"),
    ("ジョホール州", None, "my-johor"),
    ("イスカンダル開発地域", None, "my-iskandar-malaysia"),
    ("マレ市", None, "mv-male"),
    ("マレーシア", None, "country-my"),
    ("ヴィエンチャン特別市", "LA", "la-vientiane-capital"),
    ("テランガーナー州", "IN", "in-telangana"),
    ("マハーラーシュトラ州", "IN", "in-maharashtra"),
    ("サンティアゴ市レンカ区", None, "cl-renca"),
    ("バリ州ギャンヤール県", None, "id-gianyar"),
    ("インドネシア共和国バリ州", None, "id-bali"),
    ("ウランバートル(UB)市", None, "mn-ulaanbaatar"),
    ("北海道庁", None, "jp-010006"),
    ("東京一組", None, "jp-tokyo-23-city-clean-association"),
    ("東京都府中市", None, "jp-132063"),
])
def test_resolves(gaz, text, country, place_id):
    assert gaz.resolve(text, country=country).place_id == place_id


def test_look_alikes_stay_apart_under_fuzzy(gaz):
    # Each look-alike, given its country, resolves to itself and never to its neighbour.
    assert gaz.resolve("ダナン市", country="VN").place_id == "vn-da-nang"
    assert gaz.resolve("ダナオ市", country="VN").place_id is None
    assert gaz.resolve("ダバオ市", country="PH").place_id == "ph-davao-city"
    assert gaz.resolve("ハノイ市", country="VN").place_id != gaz.resolve("ハイフォン市", country="VN").place_id
    assert gaz.resolve("マレ市", country="MY").place_id is None


def test_fuzzy_needs_country_and_reports_score(gaz):
    res = gaz.resolve("ピブンマンサーン市", country="TH")
    assert (res.place_id, res.method) == ("th-phibun-mangsahan", "variant")
    res = gaz.resolve("ピブンマンサハーン町", country="TH")
    assert res.place_id is None  # 町 names no Thai kind
    res = gaz.resolve("バリアブンタオ省", country="VN")
    assert (res.place_id, res.method) == ("vn-ba-ria-vung-tau", "fuzzy")
    assert res.score >= 85
    unresolved = gaz.resolve("バリアブンタオ省")
    assert unresolved.place_id is None and unresolved.method == "unresolved"
    assert unresolved.candidates[0][0] == "vn-ba-ria-vung-tau"


def test_mixed_script_name_matches_by_romaji(gaz):
    res = gaz.resolve("Kuala ルンプール市", country="MY")
    assert (res.place_id, res.method) == ("my-kuala-lumpur", "fuzzy")


def test_homonymous_municipalities_are_unresolved_with_candidates(gaz):
    res = gaz.resolve("府中市")
    assert res.place_id is None and res.method == "unresolved"
    assert [c for c, _ in res.candidates] == ["jp-132063", "jp-342084"]
    assert gaz.resolve("伊達市", side="japan").place_id is None


def test_bare_stems_of_municipalities_do_not_resolve(gaz):
    assert gaz.resolve("大阪").place_id is None
    assert gaz.resolve("札幌").place_id is None


def test_side_restricts_the_country(gaz):
    assert gaz.resolve("ハノイ市", side="japan").place_id is None
    assert gaz.resolve("堺市", side="partner").place_id is None
    assert gaz.resolve("堺市", side="japan").place_id == "jp-271403"


# --- compound cells -----------------------------------------------------------------------------

def ids(resolutions):
    return [(r.text, r.place_id) for r in resolutions]


@pytest.mark.parametrize("cell, expected", [
    ("堺市・大阪市", [("堺市", "jp-271403"), ("大阪市", "jp-271004")]),
    ("パタヤ市、ラヨーン市", [("パタヤ市", "th-pattaya"), ("ラヨーン市", "th-rayong-city")]),
    ("メトロセブ地域(セブ市、マンダウエ\n市、ダナオ市)",
     [("メトロセブ地域", "ph-metro-cebu"), ("セブ市", "ph-cebu-city"), ("マンダウエ市", "ph-mandaue"),
      ("ダナオ市", "ph-danao")]),
    ("アーンドラ・プラデーシュ州", [("アーンドラ・プラデーシュ州", "in-andhra-pradesh")]),
    ("タミル・ナドゥ州・テランガナ州", [("タミル・ナドゥ州", "in-tamil-nadu"), ("テランガナ州", "in-telangana")]),
    ("バリアブンタウ省・ベト\nナム南部地域",
     [("バリアブンタウ省", "vn-ba-ria-vung-tau"), ("ベトナム南部地域", "vn-southern-vietnam")]),
    ("バリ州ギャンヤール県", [("バリ州ギャンヤール県", "id-gianyar")]),
    ("ジョホール州イスカンダル開発地域", [("ジョホール州イスカンダル開発地域", "my-iskandar-malaysia")]),
    ("バンテン州（チレゴン市）", [("バンテン州", "id-banten"), ("チレゴン市", "id-cilegon")]),
    ("札幌市、北海道庁", [("札幌市", "jp-011002"), ("北海道庁", "jp-010006")]),
    ("タイ東部地域(EEC及びバンコク都)",
     [("タイ東部地域", "th-eastern-economic-corridor"), ("バンコク都", "th-bangkok")]),
    ("リアウ州ローカンウル県・プカンバル市", [("リアウ州ローカンウル県", "id-rokan-hulu"), ("プカンバル市", "id-pekanbaru")]),
    ("スマラン市※", [("スマラン市※", "id-semarang")]),
])
def test_compound_cells(gaz, cell, expected):
    assert ids(gaz.resolve_cell(cell)) == expected


def test_cell_country_name_is_context_not_an_atom(gaz):
    res = gaz.resolve_cell("ベトナム・バリアブンタオ省", side="partner")
    assert ids(res) == [("バリアブンタオ省", "vn-ba-ria-vung-tau")]
    assert res[0].method == "fuzzy"


def test_unknown_atom_is_unresolved_not_dropped(gaz):
    res = gaz.resolve_cell("ハノイ市・フエ地域", country="VN")
    assert ids(res) == [("ハノイ市", "vn-hanoi"), ("フエ地域", None)]
    assert res[1].method == "unresolved"


# --- running text -------------------------------------------------------------------------------

def spans(matches):
    return [(m.start, m.end, m.text, m.resolution.place_id) for m in matches]


def test_scan_leftmost_longest(gaz):
    text = "東大阪市と大阪市"
    assert spans(gaz.scan(text)) == [(0, 4, "東大阪市", "jp-272272"), (5, 8, "大阪市", "jp-271004")]


def test_scan_bare_short_forms_need_word_boundaries(gaz):
    assert spans(gaz.scan("バンコク気候変動マスタープラン")) == [(0, 4, "バンコク", "th-bangkok")]
    assert gaz.scan("バンコクフード") == []
    assert gaz.scan("大阪で開催") == []
    assert spans(gaz.scan("UB市とPUB")) == [(0, 2, "UB", "mn-ulaanbaatar")]


def test_scan_line_breaks_and_spaces(gaz):
    text = "ハノイ市- 福岡県、ラヨー\nン市、クアラ Lumpur 市"
    assert spans(gaz.scan(text)) == [
        (0, 4, "ハノイ市", "vn-hanoi"), (6, 9, "福岡県", "jp-400009"),
        (10, 16, "ラヨーン市", "th-rayong-city"), (17, 29, "クアラ Lumpur 市", "my-kuala-lumpur")]


def test_scan_nested_names(gaz):
    text = "サンティアゴ市レンカ区"
    assert spans(gaz.scan(text)) == [
        (0, 11, "サンティアゴ市レンカ区", "cl-renca"), (0, 7, "サンティアゴ市", "cl-santiago"),
        (7, 11, "レンカ区", "cl-renca")]
    listed = spans(gaz.scan("ホーチミン市・トゥードック市"))
    assert listed == [(0, 6, "ホーチミン市", "vn-ho-chi-minh-city"), (7, 14, "トゥードック市", "vn-thu-duc")]


def test_scan_homonyms(gaz):
    (m,) = gaz.scan("府中市では")
    assert m.resolution.place_id is None
    assert [c for c, _ in m.resolution.candidates] == ["jp-132063", "jp-342084"]
    nested = gaz.scan("北海道伊達市")
    assert ("伊達市", "jp-012335") in [(m.text, m.resolution.place_id) for m in nested]


def test_scan_country_written_before_a_name(gaz):
    assert [(m.text, m.resolution.place_id) for m in gaz.scan("インドネシアデンパサル市")] == \
        [("デンパサル市", "id-denpasar")]


def test_scan_alias_in_brackets(gaz):
    found = [(m.text, m.resolution.place_id) for m in gaz.scan("ウランバートル(UB)市の")]
    assert ("ウランバートル(UB)市", "mn-ulaanbaatar") in found


def test_radical_code_points_from_broken_font_maps_resolve(gaz):
    # ⻑ (CJK radical, left alone by NFKC) and ⾧ (Kangxi radical) both stand for 長.
    assert gaz.resolve("\u2ed1野県").place_id == gaz.resolve("長野県").place_id == "jp-200000"
    assert [(m.text, m.resolution.place_id) for m in gaz.scan("\u2fa7崎市")] == [("\u2fa7崎市", "jp-422011")]
    # Kangxi radicals whose NFKC form is a non-Japanese variant (⼾ → 戶, ⿊ → 黑), as browsers' PDFs print them
    got = [(gaz.resolve(name).place_id, gaz.resolve(name).method) for name in ("神\u2f3e市", "\u2f3e田市", "\u2fca部市")]
    assert got == [("jp-281000", "exact"), ("jp-112241", "exact"), ("jp-162078", "exact")]


@pytest.mark.parametrize("printed, country, place_id", [
    ("ビエンチャン市", "LA", "la-vientiane-capital"),  # the capital is a city; the province is ビエンチャン県
    ("ヴィエンチャン都", "LA", "la-vientiane-capital"),
    ("ビエンチャン県", "LA", "la-vientiane-province"),
    ("ケソン・シティ", "PH", "ph-quezon-city"),  # a suffix spelled out in katakana
    ("ヤンゴン地域", "MM", "mm-yangon-region"),  # the region's post-2008 name, not the city
])
def test_other_suffixes_of_the_same_kind(gaz, printed, country, place_id):
    assert gaz.resolve(printed, country=country).place_id == place_id


@pytest.mark.parametrize("printed, country, place_id", [
    ("サンチアゴ市", "CL", "cl-santiago"),  # ティ written チ
    ("ハイホン市", "VN", "vn-hai-phong"),  # フォ written ホ
    ("ハイフオン市", "VN", "vn-hai-phong"),  # ... and its small kana written large
    ("エーヤワジ管区", "MM", "mm-ayeyarwady-region"),  # ディ written ジ
])
def test_foreign_sounds_written_in_native_kana(gaz, printed, country, place_id):
    found = gaz.resolve(printed, country=country)
    assert (found.place_id, found.method) == (place_id, "variant")


def test_native_kana_is_only_a_second_try():
    from normalizers.places import match_key, native_kana

    assert match_key("サンティアゴ市") != match_key("サンチアゴ市")  # the key keeps テイ and チ apart
    assert native_kana(match_key("サンティアゴ市")[0]) == native_kana(match_key("サンチアゴ市")[0]) == "サンチアゴ"


@pytest.mark.parametrize("printed, place_id", [
    ("ベトナム：ダナン市", "vn-da-nang"),
    ("【ベトナム】ダナン市", "vn-da-nang"),
    ("(タイ)バンコク都", "th-bangkok"),
    ("ベトナム南部地域", "vn-southern-vietnam"),  # a name that begins with a country's name stays whole
])
def test_a_country_written_before_the_place_is_context(gaz, printed, place_id):
    assert [r.place_id for r in gaz.resolve_cell(printed, side="partner")] == [place_id]

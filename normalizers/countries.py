"""Country names in Japanese (short and long forms) to ISO 3166-1 alpha-2 codes.

The names are the gazetteer's country entries (`generated/countries.csv` of the gazetteer in use, made from
pycountry's Japanese translations by `gazetteer/build.py`): short form, long form and the form with
国 (ベトナム, ベトナム社会主義共和国, ベトナム国), because Ministry documents use all three; and the
spellings of countries that staff added to that gazetteer's `variants.csv` (official names pycountry
lacks, such as ミャンマー連邦共和国), so that the country normalizer and the gazetteer agree.
"""
from __future__ import annotations

import csv
import functools
import re

from .text import fold

_SEPARATORS = "・:：･ 　/／|｜-－"


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    from gazetteer import countries_file, variants_file

    names: dict[str, str] = {}
    codes: dict[str, str] = {}  # place_id → country
    with countries_file().open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            codes[row["place_id"]] = row["country"]
            for name in [row["name_ja"], *filter(None, (row["variants"] or "").split("|"))]:
                names[fold(name).replace(" ", "")] = row["country"]
    extra = variants_file()
    if extra is not None:
        with extra.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                code = codes.get(row.get("place_id") or "")
                if code and (row.get("variant") or "").strip():
                    names.setdefault(fold(row["variant"]).replace(" ", ""), code)
    return names


@functools.lru_cache(maxsize=1)
def names_by_code() -> dict[str, list[str]]:
    """ISO code → every name the countries table gives it (folded, spaces removed), longest first:
    what `country_code` recognises, the other way round."""
    out: dict[str, list[str]] = {}
    for name, code in _names().items():
        out.setdefault(code, []).append(name)
    return {code: sorted(names, key=lambda n: (-len(n), n)) for code, names in out.items()}


def country_code(name: str | None) -> str | None:
    """ベトナム / ベトナム国 / ベトナム社会主義共和国 → "VN"; None when the text is not a country name."""
    key = re.sub(r"\s+", "", fold(name or "")).strip(_SEPARATORS)
    return _names().get(key)


def is_long_form(name: str) -> bool:
    return name.endswith(("国", "連邦"))


def split_country_prefix(text: str) -> tuple[str | None, str]:
    """インドネシア共和国バリ州 → ("ID", "バリ州").

    A short name is a prefix only when a separator follows (ベトナム・ソクチャン省), so that place
    names which begin with a country's name (タイ東部地域, ベトナム南部地域) stay whole.
    """
    s = re.sub(r"\s+", "", fold(text))
    names = _names()
    for end in range(min(len(s), 16), 1, -1):
        prefix = s[:end]
        code = names.get(prefix)
        if not code:
            continue
        rest = s[end:]
        if rest[:1] and rest[0] in _SEPARATORS:
            return code, rest.lstrip(_SEPARATORS)
        if is_long_form(prefix) and rest:
            return code, rest
    return None, s


def cache_fingerprint() -> list[str]:
    """What the names come from, for the cache keys of the stages that import this module
    (pipeline/cachekey.py): the country names table in use."""
    from gazetteer import countries_file, variants_file
    from pipeline.cachekey import file_digest

    extra = variants_file()
    return [file_digest(countries_file())] + ([file_digest(extra)] if extra is not None else [])


_TRAILING_COUNTRY = re.compile(r"(?P<place>.+?)\s*[(（](?P<country>[^()（）]+)[)）]\s*")


def split_country(text: str | None) -> tuple[str | None, str]:
    """(country, place as printed) from one cell that may name both; line breaks inside the place kept.

    Forms: "ベトナム／ダナン市", "マレーシア・クアラルンプール市", "インドネシア共和国バリ州", the country
    alone on the first line or before a space ("インドネシア スラバヤ市"), "バドゥン県（インドネシア）",
    "ダナン市／ベトナム". (None, text) when the cell names no country, or nothing but a country."""
    raw = (text or "").strip()
    if not raw:
        return None, ""
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    if len(lines) > 1 and country_code(lines[0]):
        return country_code(lines[0]), "\n".join(lines[1:])
    head, _space, tail = re.sub(r"\s", " ", raw).partition(" ")  # the country alone before a space
    if tail.strip() and country_code(head):
        return country_code(head), raw[len(head):].strip()
    code, rest = split_country_prefix(raw)
    if code and rest:
        return code, _drop_chars(raw, len(re.sub(r"\s+", "", fold(raw))) - len(rest))
    flat = re.sub(r"\s+", "", fold(raw))
    m = _TRAILING_COUNTRY.fullmatch(flat)
    if m and country_code(m["country"]):
        return country_code(m["country"]), _keep_chars(raw, len(m["place"]))
    for sep in "/|":  # the country last, after a separator that never joins two places
        head, _, tail = flat.rpartition(sep)
        if head and country_code(tail):
            return country_code(tail), _keep_chars(raw, len(head))
    return None, raw


def _folded_length(raw: str) -> int:
    return len(re.sub(r"\s+", "", fold(raw)))


def _drop_chars(raw: str, n: int) -> str:
    """`raw` without the start that folds to `n` non-space characters (line breaks after it kept).
    Folding the growing prefix whole, not character by character: half-width kana and their voicing
    marks fold to one character together."""
    for i in range(len(raw) + 1):
        if _folded_length(raw[:i]) >= n:
            return raw[i:].strip()
    return ""


def _keep_chars(raw: str, n: int) -> str:
    """The start of `raw` that folds to `n` non-space characters."""
    for i in range(len(raw) + 1):
        if _folded_length(raw[:i]) >= n:
            return raw[:i].strip()
    return raw.strip()

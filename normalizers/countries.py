"""Country names in Japanese (short and long forms) to ISO 3166-1 alpha-2 codes.

The names come from pycountry's Japanese translations (name and official name); the short form
(ベトナム) and the form with 国 (ベトナム国, モンゴル国) are derived from them, because Ministry
documents use all three.
"""
from __future__ import annotations

import functools
import gettext
import re

from .text import fold

# Endings of long country names: stripping them gives the short form.
_LONG_ENDINGS = ("社会主義共和国", "人民民主共和国", "民主共和国", "連邦共和国", "共和国", "首長国連邦",
                 "連邦", "王国", "首長国", "合衆国", "公国", "国")
_SEPARATORS = "・:：･ 　"


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    import pycountry

    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"], fallback=True)
    found: dict[str, set[str]] = {}
    for country in pycountry.countries:
        forms = set()
        for attr in ("name", "official_name", "common_name"):
            english = getattr(country, attr, None)
            if not english:
                continue
            name = fold(ja.gettext(english)).replace(" ", "")
            if name == english or not re.search(r"[\u30a0-\u30ff\u4e00-\u9fff]", name):
                continue  # no Japanese translation
            forms.add(name)
            for ending in _LONG_ENDINGS:
                if name.endswith(ending) and len(name) - len(ending) >= 2:
                    short = name[: -len(ending)]
                    if "、" not in short and "(" not in short:
                        forms.update({short, short + "国"})
                    break
            else:
                forms.add(name + "国")
        for form in forms:
            found.setdefault(form, set()).add(country.alpha_2)
    # A short form shared by two countries (コンゴ) names neither.
    return {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}


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

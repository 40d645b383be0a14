"""The resolver's declared cut-offs, as one frozen settings object (pdfplumber's TableSettings style):
`ResolverSettings.resolve(None | ResolverSettings | dict)`; a dict with an unknown key is an error.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class ResolverSettings:
    # Fuzzy spelling match (rapidfuzz ratio, 0–100, of match keys), only within the context's country:
    fuzzy_cutoff: float = 85.0        # the best candidate's score must reach this
    fuzzy_margin: float = 8.0         # ... and beat the runner-up by this much
    fuzzy_min_stem: int = 3           # folded characters: shorter names are never guessed
    max_candidates: int = 5           # candidates kept for review
    nested_max_length: int = 60       # characters: longer text is not tried as X+Y nesting
    # Transliteration (a katakana name romanized and compared with Latin names, 0–100), only within
    # the context's country and compatible kinds. Measured on the 1,244 katakana names of partner
    # countries' generated places, against their own English names: 85 / 10 accepts 942, 8 wrong.
    transliteration_cutoff: float = 85.0
    transliteration_margin: float = 10.0
    transliteration_min_key: int = 3  # letters of the sound key: shorter names are never guessed
    # Context from the same page (pipeline/resolve.py): an uncertain name is taken when exactly one
    # place the page names with confidence has a spelling this similar (ratio of match keys, 0–100).
    context_cutoff: float = 75.0

    @classmethod
    def resolve(cls, settings: "ResolverSettings | dict | None" = None) -> "ResolverSettings":
        """Settings from None (the defaults), an instance, or a dict of overrides.
        Raises ValueError naming an unknown key, TypeError for another type."""
        if settings is None:
            return cls()
        if isinstance(settings, cls):
            return settings
        if isinstance(settings, dict):
            known = {f.name for f in fields(cls)}
            unknown = sorted(set(settings) - known)
            if unknown:
                raise ValueError(f"unknown {cls.__name__} key(s): {', '.join(unknown)}")
            return replace(cls(), **settings)
        raise TypeError(f"{cls.__name__}: expected a dict or {cls.__name__}, not {type(settings).__name__}")


DEFAULT_SETTINGS = ResolverSettings()

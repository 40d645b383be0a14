"""Declared settings: each stage's tolerances, cut-offs and weights in one frozen dataclass.

A stage's settings class subclasses `Settings` and is a `@dataclass(frozen=True)` whose fields have
defaults; the stage takes an instance (the defaults unless told otherwise). A typo fails loudly:

    ClassifierSettings.from_dict({"threshhold": 2.5})
    → ValueError: ClassifierSettings: unknown setting 'threshhold' (known: evidence_weights, ...)

so a caller can tune one run or one document without touching code, and a reviewer can read every
number a stage decides with in one place.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping


@dataclasses.dataclass(frozen=True)
class Settings:
    """Base of the settings classes: construction from a mapping and replacement that reject
    unknown keys with a ValueError naming them."""

    @classmethod
    def from_dict(cls, values: Mapping[str, object]):
        """An instance with `values` in place of the defaults; ValueError for an unknown key."""
        cls._check(values)
        return cls(**values)

    def replace(self, **changes):
        """A copy with `changes`; ValueError for an unknown key."""
        self._check(changes)
        return dataclasses.replace(self, **changes)

    @classmethod
    def _check(cls, keys) -> None:
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(keys) - set(known))
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown setting{'s' if len(unknown) > 1 else ''} "
                             f"{', '.join(repr(k) for k in unknown)} (known: {', '.join(known)})")

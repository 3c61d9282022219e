"""A published result beside the same measurement made live on this data and seed ("reproduced here").

Each lesson builds its `Reproduction`s from its own run: the claim in words, the paper's number (as
the paper states it), ours (measured on screen), and whether ours bears the claim out. A result that
does not reproduce says so, with the reason where it is known.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reproduction:
    source: str  # "He et al. 2015, §2.2" — author(s), year, where in the paper
    claim: str  # what the paper found, in one sentence
    published: str  # the paper's number or observation, as it states it
    measured: str  # ours, with the setting it was measured in
    reproduces: bool | None  # True: ours bears the claim out; False: it does not; None: not measured yet
    note: str = ""  # why ours differs, or what to do to measure it
    url: str = ""  # where to read the source

    @property
    def verdict(self) -> str:
        return {True: "reproduced here", False: "not reproduced here", None: "not measured yet"}[self.reproduces]

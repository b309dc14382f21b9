"""Spot-check draws (随机抽查, 双随机): random subjects per town and random inspectors for them.

Pure and deterministic: the same seed and the same candidate lists always give the same draw, so a
stored draw can be reproduced and audited by anyone holding its seed and snapshot.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass


class DrawError(ValueError):
    def __init__(self, town_id: int, message: str) -> None:
        super().__init__(message)
        self.town_id = town_id


@dataclass(frozen=True)
class Sample:
    town_id: int
    subject_id: int
    inspector_id: int


def draw(
    *,
    seed: int,
    candidates: Mapping[int, list[int]],
    inspectors: Mapping[int, frozenset[int]],
    per_town: int,
) -> list[Sample]:
    """``candidates``: town id → subject ids; ``inspectors``: inspector id → towns they are bound to.

    Each town gets ``min(per_town, len(candidates))`` subjects and, for each, an inspector drawn from
    those not bound to that town (an inspector never checks their own town's work).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducibility is the point; the seed itself is random
    samples: list[Sample] = []
    for town_id in sorted(candidates):
        population = sorted(candidates[town_id])
        chosen = rng.sample(population, min(per_town, len(population)))
        eligible = sorted(i for i, bound in inspectors.items() if town_id not in bound)
        if chosen and not eligible:
            raise DrawError(town_id, "没有可派往该区镇的检查员（检查员不得抽查本区镇）")
        samples.extend(Sample(town_id, subject, rng.choice(eligible)) for subject in sorted(chosen))
    return samples

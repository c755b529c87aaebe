"""Independent random streams derived from one seed.

Each part of the generator draws from its own stream so that changing one part (or switching
defects off) does not shift the numbers every other part sees. Stream keys are fixed integers,
not hash() of names: string hashing is salted per process and would break reproducibility.
"""

from __future__ import annotations

import numpy as np

_STREAM_KEYS: dict[str, int] = {
    "customers": 1,
    "agents": 2,
    "tickets": 3,
    "surveys": 4,
    "reviews": 5,
    "texts": 6,
    "defects": 7,
    "ids": 8,
    "zones": 9,
    "suggestions": 10,
    "follow_ups": 11,
}


def stream(seed: int, name: str, chunk: int = 0) -> np.random.Generator:
    """The stream of `name`; a long range is generated in chunks of days (see core.py),
    the first on the same streams as a range that fits one chunk, each later one on its own."""
    if chunk == 0:
        return np.random.default_rng([int(seed), _STREAM_KEYS[name]])
    return np.random.default_rng([int(seed), _STREAM_KEYS[name], int(chunk)])

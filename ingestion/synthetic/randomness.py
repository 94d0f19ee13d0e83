"""Seeded random streams: one ``random.Random`` per (seed, family, name), so adding a stream, or drawing more from
one, never changes another stream's numbers."""

from __future__ import annotations

import random
import zlib

# The multiple of the seed each family of streams starts from. They differ because each generator once chose its
# own; they stay as they are, since changing one changes every number drawn from that family (and the sample's
# bytes). A new family may take any unused value.
SEED_MULTIPLIERS = {
    "fred": 1_000_003,  # one stream per series (also the scale's extra series, and "vintages-<ID>")
    "equities": 1_000_033,  # per ticker: "<TICKER>", "chart-", "sec-", "accepted-<TICKER>"
    "auctions": 7_919,
    "dts": 31,
    "nyfed-rates": 17,
    "nyfed-rrp": 23,
    "nyfed-srf": 29,
}


def stream(seed: int, family: str, name: str | None = None) -> random.Random:
    """The random stream ``name`` of ``family`` (a family with a single stream names it by the family's name)."""
    name = family if name is None else name
    return random.Random(seed * SEED_MULTIPLIERS[family] + zlib.crc32(name.encode()))

"""How the generators write their JSON files: one writer for all of them."""

from pathlib import Path

import orjson


def write_json(path: Path, payload: object) -> None:
    """Compact JSON, as the APIs answer. Through orjson: the bundled sample's 1,700 files (200k bars) dump in 0.2 s,
    against 1.3 s with the json module, and a cold `faultlines run --mode sample` waits on them."""
    path.write_bytes(orjson.dumps(payload))

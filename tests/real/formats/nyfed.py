"""NY Fed reference rates JSON."""

from __future__ import annotations


def is_nyfed_rates(payload: object) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("refRates"), list)


def nyfed_rates(payload: dict) -> dict[str, list[dict]]:
    """NY Fed reference rates (newest first, possibly re-serialized with spaces) by rate type in lower case;
    each row's keys keep the API's order."""
    by_type: dict[str, list[dict]] = {}
    for row in payload["refRates"]:
        by_type.setdefault(row["type"].lower(), []).append(row)
    return by_type

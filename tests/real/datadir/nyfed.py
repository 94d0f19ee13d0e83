"""NY Fed: the real reference-rate days replace the sample's; the rest stays sample."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.real.datadir.inventory import Inventory
from tests.real.datadir.report import RealDataDir, _ranges

NYFED_GROUPS = {"sofr": "secured", "bgcr": "secured", "tgcr": "secured", "effr": "unsecured", "obfr": "unsecured"}


def _nyfed(inventory: Inventory, out: Path, report: RealDataDir) -> None:
    for rel, by_type in inventory.rates:
        for rate_type, rows in by_type.items():
            group = NYFED_GROUPS.get(rate_type)
            if group is None:
                inventory.unused[rel] = f"rate type {rate_type} is not one the emulator serves"
                continue
            name = f"nyfed/rates/{group}/{rate_type}"
            path = out / "nyfed" / "rates" / group / f"{rate_type}.json"
            existing = json.loads(path.read_text())["refRates"] if path.is_file() else []
            real = {r["effectiveDate"]: r for r in rows}
            merged = {r["effectiveDate"]: r for r in existing}
            merged.update(real)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"refRates": [merged[d] for d in sorted(merged, reverse=True)]},
                                       separators=(",", ":")))
            report.use(rel, name)
            entry = report.dataset(name)
            days = sorted(merged)
            entry.real = _ranges([dt.date.fromisoformat(d) for d in real],
                                 [dt.date.fromisoformat(d) for d in days])
            entry.sample_fill = _ranges([dt.date.fromisoformat(d) for d in days if d not in real],
                                        [dt.date.fromisoformat(d) for d in days])
            entry.notes.append(f"{len(real)} real days replace the sample's rows; file kept newest first")

"""SEC EDGAR as the emulator serves it, from ``sec/companyfacts/CIK##########.json`` and ``sec/submissions/...``.

Like EDGAR it refuses (403, with EDGAR's wording) requests whose User-Agent does not declare a contact.
"""

from __future__ import annotations

from pathlib import Path

from ingestion.emulator.common import USER_AGENT_PARAM, Params, Reply, Route

UNDECLARED = ("<html><body><h1>Your Request Originates from an Undeclared Automated Tool</h1>"
              "<p>Please declare your traffic by updating your user agent to include company specific "
              "information.</p></body></html>")


def _document(data_dir: Path, params: Params, folder: str, cik: str) -> Reply:
    if "@" not in params.get(USER_AGENT_PARAM, ""):
        return Reply.text(UNDECLARED, 403, "text/html")
    path = data_dir / "sec" / folder / f"CIK{cik}.json"
    if not path.is_file():
        return Reply.text("<Error><Code>NoSuchKey</Code></Error>", 404, "application/xml")
    return Reply(200, path.read_bytes(), "application/json")


def companyfacts(data_dir: Path, params: Params, cik: str) -> Reply:
    return _document(data_dir, params, "companyfacts", cik)


def submissions(data_dir: Path, params: Params, cik: str) -> Reply:
    return _document(data_dir, params, "submissions", cik)


ROUTES: list[tuple[str, Route]] = [
    (r"/api/xbrl/companyfacts/CIK(?P<cik>\d{10})\.json", companyfacts),
    (r"/submissions/CIK(?P<cik>\d{10})\.json", submissions),
]

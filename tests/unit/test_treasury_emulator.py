"""The emulator speaks Fiscal Data's protocol: filter, sort, fields, paging and the meta/links envelope."""

import requests

BASE = "/services/api/fiscal_service/v1/accounting/od/auctions_query"


def _get(emulator, **params):
    return requests.get(f"{emulator.base_url}{BASE}", params=params, timeout=10)


def test_filter_sort_and_fields(emulator):
    body = _get(emulator, **{"filter": "auction_date:gte:2025-12-01,auction_date:lte:2025-12-05,security_type:eq:Bill",
                             "sort": "-auction_date,cusip", "fields": "cusip,auction_date,security_type",
                             "page[size]": "1000"}).json()
    rows = body["data"]
    assert rows and all(set(r) == {"cusip", "auction_date", "security_type"} for r in rows)
    assert all(r["security_type"] == "Bill" and "2025-12-01" <= r["auction_date"] <= "2025-12-05" for r in rows)
    keys = [(r["auction_date"], r["cusip"]) for r in rows]
    assert keys == sorted(keys, key=lambda k: (_neg(k[0]), k[1]))


def _neg(date):
    return tuple(-ord(c) for c in date)


def test_in_operator(emulator):
    rows = _get(emulator, **{"filter": "auction_date:gte:2025-06-01,security_type:in:(Note,Bond)",
                             "page[size]": "10000"}).json()["data"]
    assert rows and {r["security_type"] for r in rows} == {"Note", "Bond"}


def test_paging_envelope_and_every_row_once(emulator):
    first = _get(emulator, **{"filter": "auction_date:gte:2026-01-01", "sort": "auction_date,cusip",
                              "page[size]": "50"}).json()
    meta, links = first["meta"], first["links"]
    assert meta["count"] == 50 and meta["total-pages"] == -(-meta["total-count"] // 50)
    assert links["next"] == "&page%5Bnumber%5D=2&page%5Bsize%5D=50" and links["prev"] is None
    seen = []
    for number in range(1, meta["total-pages"] + 1):
        page = _get(emulator, **{"filter": "auction_date:gte:2026-01-01", "sort": "auction_date,cusip",
                                 "page[size]": "50", "page[number]": str(number)}).json()
        seen += [(r["cusip"], r["auction_date"]) for r in page["data"]]
    assert len(seen) == len(set(seen)) == meta["total-count"]
    assert page["links"]["next"] is None


def test_page_size_limit(emulator):
    response = _get(emulator, **{"page[size]": "10001"})
    assert response.status_code == 400 and "between 1 and 10000" in response.json()["message"]


def test_unknown_filter_field(emulator):
    assert _get(emulator, **{"filter": "no_such_field:eq:1"}).status_code == 400


def test_announced_auctions_carry_null_strings(emulator):
    rows = _get(emulator, **{"filter": "auction_date:gt:2026-06-30", "page[size]": "100"}).json()["data"]
    assert rows, "the sample has next week's announced auctions"
    assert all(r["bid_to_cover_ratio"] == "null" and r["soma_accepted"] == "null" for r in rows)


def test_unknown_endpoint(emulator):
    url = f"{emulator.base_url}/services/api/fiscal_service/v1/no/such_table"
    assert requests.get(url, timeout=5).status_code == 404

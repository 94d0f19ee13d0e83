"""FRED as the emulator serves it: the keyless graph CSV and the JSON API, over ``fred/<ID>.csv``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

from ingestion.emulator.common import DataFileError, Params, Reply, Route, valid_date

FRED_DATE_HEADERS = ("observation_date", "DATE")  # today's fredgraph.csv, and older downloads
# ALFRED's limit on vintage dates per request, and its error text (checked against FRED's answers, 2022-2025).
VINTAGE_DATES_CAP = 2000


def read_fred_csv(path: Path, check: bool = True) -> list[tuple[str, str]]:
    """(date, raw value) pairs from ``fred/<ID>.csv``: the header ``observation_date,<ID>`` (or ``DATE,<ID>``), then
    ``date,value`` rows, missing as ``.`` or empty; CRLF, a UTF-8 BOM and blank lines are fine.

    Anything else is refused with the file and the line: the emulator writes its own header and columns, so a
    wrong header, an extra column or an empty file would otherwise reach the client as a well-formed answer.
    ``check=False`` reads a file found readable before (served_rows): its rows only, the same ones.
    """
    name = f"fred/{path.name}"
    series_id = path.stem
    expected = f"'observation_date,{series_id}' (or 'DATE,{series_id}', the series id being the file's name)"
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        raise DataFileError(f"{name} is empty: a FRED file starts with the header {expected}")
    reader = csv.reader(io.StringIO(text))
    header = [field.strip() for field in next(reader)]
    if len(header) != 2 or header[0] not in FRED_DATE_HEADERS or header[1] != series_id:
        raise DataFileError(f"{name} line 1: the header is {','.join(header)!r}, not {expected}")
    rows = []
    for record in reader:
        if not check:  # every record is a row of two fields or a blank line
            if len(record) == 2 and (record[0].strip() or record[1].strip()):
                rows.append((record[0].strip(), record[1].strip()))
            continue
        if not any(field.strip() for field in record):
            continue
        line = reader.line_num
        if len(record) != 2:
            raise DataFileError(f"{name} line {line}: {len(record)} fields ({','.join(record)!r}); a FRED row is "
                                "date,value")
        date, value = record[0].strip(), record[1].strip()
        if not valid_date(date):
            raise DataFileError(f"{name} line {line}: {date!r} is not a date (YYYY-MM-DD)")
        if value not in ("", "."):
            try:
                float(value)
            except ValueError:
                raise DataFileError(f"{name} line {line}: the value {value!r} is not a number ('.' or empty when "
                                    "missing)") from None
        rows.append((date, value))
    return rows


# Files already found readable, with the stamp they had: 1.3 s a pass for 200 series at bench scale 10, and a run
# checked its data dir once more than needed (before it started the emulator) and then every run again. The record
# is kept in this process and in the home (`cache/fred-files-checked.json`), so the next run reads only the files
# that changed since. The stamp has the inode and ctime besides size and mtime: a copy that keeps mtimes (`cp -p`,
# `rsync -a`, a restored backup) is still a new file. A new CHECK_VERSION (a stricter check) starts a new record.
CHECK_VERSION = 1
_CHECKED: dict[str, list[int]] = {}


def _record() -> Path:
    from ingestion import settings

    return settings.home() / "cache" / "fred-files-checked.json"


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]


_RECORD_READ: set[Path] = set()  # records this process read (once: without one, every request would look again)


def _load_record(record: Path) -> None:
    if record in _RECORD_READ:
        return
    _RECORD_READ.add(record)
    if not _CHECKED and record.is_file():
        try:
            saved = json.loads(record.read_text())
            if isinstance(saved, dict) and saved.get("check_version") == CHECK_VERSION:
                _CHECKED.update(saved["files"])
        except (OSError, ValueError, TypeError, KeyError):
            pass  # an unreadable record: every file is read again, and the record rewritten


def check_files(data_dir: Path) -> None:
    """Every ``fred/<ID>.csv`` of a data dir is readable as FRED serves it (raises DataFileError)."""
    record = _record()
    _load_record(record)
    newly_checked = False
    try:
        for path in sorted((data_dir / "fred").glob("*.csv")):
            stamp = _stamp(path)
            if _CHECKED.get(str(path)) != stamp:
                read_fred_csv(path)
                _CHECKED[str(path)] = stamp
                newly_checked = True
    finally:  # the files found readable before a broken one count too
        if newly_checked:
            _save(record)


def _save(record: Path) -> None:
    partial = record.with_name(f".{record.name}.{os.getpid()}")
    try:  # written whole, then renamed: a reader never sees half of it
        record.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"check_version": CHECK_VERSION, "files": _CHECKED}))
        os.replace(partial, record)
    except OSError:
        partial.unlink(missing_ok=True)  # a read-only home: the next run checks the files again, nothing worse


def served_rows(path: Path) -> list[tuple[str, str]]:
    """read_fred_csv's rows, not checked line by line again when check_files found the file readable and it has not
    changed since (the emulator's process reads the record the run's process wrote): a 21-year daily series in
    about 2.5 ms instead of 10, for every FRED request of a run."""
    _load_record(_record())
    return read_fred_csv(path, check=_CHECKED.get(str(path)) != _stamp(path))


def _fred_series_file(data_dir: Path, series_id: str) -> Path | None:
    if not series_id or not series_id.replace("_", "").isalnum():
        return None
    path = data_dir / "fred" / f"{series_id}.csv"
    return path if path.is_file() else None


def _in_window(date: str, start: str | None, end: str | None) -> bool:
    return (not start or date >= start) and (not end or date <= end)


def fredgraph_csv(data_dir: Path, params: Params) -> Reply:
    """``/graph/fredgraph.csv?id=X&cosd=..&coed=..``: today's format (observation_date, empty = missing)."""
    series_id = params.get("id", "")
    path = _fred_series_file(data_dir, series_id)
    if path is None:
        return Reply.text(f"<html><body>Series {series_id!r} not found</body></html>", 404, "text/html")
    start, end = params.get("cosd"), params.get("coed")
    if not (valid_date(start) and valid_date(end)):
        return Reply.text("<html><body>Bad date</body></html>", 400, "text/html")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["observation_date", series_id])
    for date, value in served_rows(path):
        if _in_window(date, start, end):
            writer.writerow([date, "" if value == "." else value])
    return Reply.text(out.getvalue(), content_type="application/csv")


def _fred_api_error(message: str, status: int = 400) -> Reply:
    return Reply.json({"error_code": status, "error_message": message}, status)


def _fred_api_checks(params: Params) -> Reply | None:
    if not params.get("api_key"):
        return _fred_api_error("Bad Request.  Variable api_key is not set.")
    if params.get("file_type") != "json":
        return _fred_api_error("Bad Request.  The emulator speaks file_type=json only.")
    return None


def fred_series_observations(data_dir: Path, params: Params) -> Reply:
    """``/fred/series/observations``: JSON, values as strings, ``.`` for missing, paged by offset/limit."""
    if error := _fred_api_checks(params):
        return error
    series_id = params.get("series_id", "")
    path = _fred_series_file(data_dir, series_id)
    if path is None:
        return _fred_api_error("Bad Request.  The series does not exist.")
    start, end = params.get("observation_start"), params.get("observation_end")
    if not (valid_date(start) and valid_date(end)):
        return _fred_api_error("Bad Request.  Variable observation_start is not a valid date.")
    try:
        limit = int(params.get("limit", 100000))
        offset = int(params.get("offset", 0))
    except ValueError:
        return _fred_api_error("Bad Request.  Variable limit or offset is not an integer.")
    if not 1 <= limit <= 100000 or offset < 0:
        return _fred_api_error("Bad Request.  Variable limit is not between 1 and 100000.")
    today = dt.date.today().isoformat()
    vintages = data_dir / "fred" / "vintages" / f"{series_id}.json"
    if ("realtime_start" in params or "realtime_end" in params) and vintages.is_file():
        # ALFRED: every vintage whose validity window meets [realtime_start, realtime_end], its window clipped to
        # that period (as ALFRED answers); more than VINTAGE_DATES_CAP vintage dates in the period is refused.
        real_start, real_end = params.get("realtime_start", today), params.get("realtime_end", today)
        if not (valid_date(real_start) and valid_date(real_end)):
            return _fred_api_error("Bad Request.  Variable realtime_start is not a YYYY-MM-DD formatted date.")
        observations = _vintages(vintages)
        dates = [d for d in _vintage_dates(observations) if real_start <= d <= real_end]
        if len(dates) > VINTAGE_DATES_CAP:
            return _fred_api_error(f"Bad Request.  There are {len(dates)} vintage dates in the specified real-time "
                                   f"period: {real_start} to {real_end}.  This exceeds the maximum number of vintage "
                                   f"dates allowed ({VINTAGE_DATES_CAP}).")
        rows = [(o["date"], o["value"], max(o["realtime_start"], real_start), min(o["realtime_end"], real_end))
                for o in observations
                if _in_window(o["date"], start, end) and o["realtime_start"] <= real_end
                and o["realtime_end"] >= real_start]
    else:
        rows = [(d, v, today, today) for d, v in served_rows(path) if _in_window(d, start, end)]
    if params.get("sort_order") == "desc":
        rows.reverse()
    page = rows[offset:offset + limit]
    return Reply.json({
        "realtime_start": today, "realtime_end": today,
        "observation_start": start or "1776-07-04", "observation_end": end or "9999-12-31",
        "units": "lin", "output_type": 1, "file_type": "json", "order_by": "observation_date",
        "sort_order": params.get("sort_order", "asc"), "count": len(rows), "offset": offset, "limit": limit,
        "observations": [{"realtime_start": rs, "realtime_end": re_, "date": d, "value": v or "."}
                         for d, v, rs, re_ in page],
    })


def _vintages(path: Path) -> list[dict]:
    return json.loads(path.read_text())["observations"]


def _vintage_dates(observations: list[dict]) -> list[str]:
    return sorted({o["realtime_start"] for o in observations})


def fred_series_vintagedates(data_dir: Path, params: Params) -> Reply:
    """``/fred/series/vintagedates``: the days the series changed, from ``fred/vintages/<ID>.json`` (none without
    it: the data dir does not know when its values were published)."""
    if error := _fred_api_checks(params):
        return error
    series_id = params.get("series_id", "")
    if _fred_series_file(data_dir, series_id) is None:
        return _fred_api_error("Bad Request.  The series does not exist.")
    vintages = data_dir / "fred" / "vintages" / f"{series_id}.json"
    dates = _vintage_dates(_vintages(vintages)) if vintages.is_file() else []
    try:
        limit, offset = int(params.get("limit", 10000)), int(params.get("offset", 0))
    except ValueError:
        return _fred_api_error("Bad Request.  Variable limit or offset is not an integer.")
    return Reply.json({"realtime_start": params.get("realtime_start", "1776-07-04"),
                       "realtime_end": params.get("realtime_end", "9999-12-31"), "order_by": "vintage_date",
                       "sort_order": "asc", "count": len(dates), "offset": offset, "limit": limit,
                       "vintage_dates": dates[offset:offset + limit]})


def fred_series(data_dir: Path, params: Params) -> Reply:
    """``/fred/series``: metadata from ``fred/series/<ID>.json`` when the data dir has it."""
    if error := _fred_api_checks(params):
        return error
    series_id = params.get("series_id", "")
    if _fred_series_file(data_dir, series_id) is None:
        return _fred_api_error("Bad Request.  The series does not exist.")
    meta_path = data_dir / "fred" / "series" / f"{series_id}.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {"id": series_id}
    return Reply.json({"seriess": [meta]})


ROUTES: list[tuple[str, Route]] = [
    (r"/graph/fredgraph\.csv", fredgraph_csv),
    (r"/fred/series/observations", fred_series_observations),
    (r"/fred/series/vintagedates", fred_series_vintagedates),
    (r"/fred/series", fred_series),
]

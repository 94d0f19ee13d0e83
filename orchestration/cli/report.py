"""`faultlines report`: one self-contained HTML report from the published copy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ingestion import settings
from orchestration.cli.app import (
    ReaderModeOption,
    _published,
    _sample_banner,
    app,
    err,
    fail,
    out,
)


@app.command()
def report(
    mode: ReaderModeOption = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="the HTML file to write "
                                                  "(default: FAULTLINES_HOME/report/<mode>.html)")] = None,
) -> None:
    """Write one self-contained HTML report (charts and claims) from the published warehouse; works offline."""
    from orchestration.readers.report import build_report

    mode, path = _published(mode)
    target = out_path or settings.home() / "report" / f"{mode}.html"
    try:
        with err.status("drawing the report…"):
            result = build_report(path, target, mode)
    except OSError as exc:
        raise fail(f"cannot write the report to {target}: {exc.strerror}") from None
    if mode == "sample":
        out.print(_sample_banner(None))
    for line in result["headlines"]:  # the answers the report leads with
        out.print(f"  {line}", highlight=False)
    out.print(f"report written to {result['path']} ({result['bytes'] / 1e6:.1f} MB, {result['charts']} charts, "
              "self-contained: open it in any browser, offline)")

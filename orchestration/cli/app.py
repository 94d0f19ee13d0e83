"""The CLI's shared parts: the Typer app, the two consoles, one-line failures, the option types, and the published
copy every reader command opens."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingestion import settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="faultlines: a local-first warehouse for today's market questions.")


# Wide enough for the summary table when output goes to a file or a pipe (rich would assume 80 columns).
out = Console(highlight=False, soft_wrap=True, width=shutil.get_terminal_size((120, 24)).columns)


err = Console(stderr=True, highlight=False, soft_wrap=True)


ModeOption = Annotated[str, typer.Option("--mode", "-m", help="auto, live, sample or replay")]


def fail(message: str, code: int = 2) -> typer.Exit:
    """One line on stderr, then exit non-zero."""
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


def _first_line(exc_or_text: object) -> str:
    text = str(exc_or_text).strip()
    return text.splitlines()[-1] if text.startswith("Traceback") else (text.splitlines() or [""])[0]


def _sample_banner(reason: str | None) -> str:
    why = f" ({reason})" if reason else ""
    return f"[bold black on yellow] SAMPLE MODE: SYNTHETIC DATA, NOT REAL FIGURES{why} [/]"


def _published(mode: str | None) -> tuple[str, Path]:
    """The published (read-only) copy readers use: of `mode`, or live if it was ever published, else sample."""
    try:
        if mode is None:
            mode = "live" if settings.published_path("live").exists() else "sample"
        path = settings.published_path(mode)
    except settings.SettingsError as exc:
        raise fail(str(exc)) from None
    if not path.exists():
        built = settings.warehouse_path(mode).exists()
        raise fail(f"no published {mode} warehouse at {path}: "
                   + ("the last build did not finish green; see `faultlines status`" if built else
                      f"build it with `faultlines run --mode {mode}` (or `make run`)"))
    return mode, path


ReaderModeOption = Annotated[str | None, typer.Option("--mode", "-m", help="which warehouse: live, sample or "
                                                      "replay (default: live if published, else sample)")]

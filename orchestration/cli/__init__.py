"""``faultlines``: build the warehouse, query it, generate sample data, run the API emulator.

``faultlines run`` executes the same Dagster job the UI and the schedules run, in this process. One module per
group of commands; each registers its commands on the one Typer app (`app.py`).
"""

from __future__ import annotations

import importlib
import sys

from ingestion import settings
from orchestration import environment
from orchestration.cli.app import _first_line, app, err

# Each module registers its commands on `app` when imported; `faultlines --help` lists them in this order.
for _module in ("run", "query", "status", "report", "serve", "data"):
    importlib.import_module(f"orchestration.cli.{_module}")


def main() -> None:
    """The `faultlines` command: every error is one line on stderr and a non-zero exit, unless --debug."""
    import signal
    import warnings

    from rich.markup import escape
    from typer._click.exceptions import NoArgsIsHelpError, UsageError  # Typer's own Click (not the `click` package)

    # A process started in the background (or by a test runner) can inherit SIGINT/SIGTERM as ignored: restore the
    # defaults, so Ctrl-C and `kill` stop every faultlines command, servers included.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv.remove("--debug")
    else:  # Dagster's notes about its own beta APIs are not the user's business
        warnings.filterwarnings("ignore", message=r".*(beta|preview).*", category=Warning)
    try:
        environment.configure()
        code = app(standalone_mode=False)
    except NoArgsIsHelpError:
        sys.exit(0)  # Typer has printed the help
    except UsageError as exc:
        command = f"faultlines {exc.ctx.info_name} --help" if exc.ctx and exc.ctx.parent else "faultlines --help"
        err.print(f"[bold red]error:[/] {exc.format_message()} (see `{command}`)", soft_wrap=True, markup=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except settings.SettingsError as exc:  # a setting the user gave (FAULTLINES_*): the message says what to do
        if debug:
            raise
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        sys.exit(2)
    except Exception as exc:
        if debug:
            raise
        err.print(f"[bold red]error:[/] {type(exc).__name__}: {_first_line(exc)} (run again with --debug for the "
                  "traceback)", soft_wrap=True, markup=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()

"""The run's terminal: library log lines go to the run's log file (and the terminal only with --verbose); the
progress line says what runs."""

import io
import logging
import sys

from orchestration.cli.progress import RunDisplay, terminal_and_log_file


def _library_logger() -> logging.Logger:
    """A logger set up the way dlt sets its own: apart from the root, a stream handler on stderr."""
    logger = logging.getLogger("dlt")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.handlers[:] = [logging.StreamHandler(sys.stderr)]
    return logger


def test_library_warnings_go_to_the_log_file_not_the_terminal(capsys):
    library, log_file = _library_logger(), io.StringIO()
    with terminal_and_log_file(log_file):
        library.warning("column hints were different")
        logging.getLogger("ingestion.http").warning("FRED: retry 1 of 5")
    terminal = capsys.readouterr().err
    assert "column hints were different" in log_file.getvalue()
    assert "column hints" not in terminal
    assert "faultlines: FRED: retry 1 of 5 (Ctrl-C stops the run)" in terminal
    library.warning("after the run")  # the library's own handler is back
    assert "after the run" in capsys.readouterr().err


def test_verbose_shows_library_lines_too(capsys):
    library, log_file = _library_logger(), io.StringIO()
    with terminal_and_log_file(log_file, verbose=True):
        library.info("Extract: 3 resources")
        logging.getLogger("ingestion.http").warning("FRED: retry 1 of 5")
    terminal = capsys.readouterr().err
    assert "Extract: 3 resources" in terminal and "Extract: 3 resources" in log_file.getvalue()
    assert terminal.count("FRED: retry 1 of 5") == 1, "faultlines' own line once, not again as a library's"


def test_dbt_node_under_way_is_shown():
    display = RunDisplay(providers=frozenset({"fred"}))
    display.dbt_line("13:19:03  12 of 261 START sql table model marts.mart_claims ........ [RUN]")
    assert display.dbt_node == "12/261 marts.mart_claims"
    display.dbt_line("13:19:04  13 of 261 START test not_null_stg_sec__filings_cik ........ [RUN]")
    assert display.dbt_node == "13/261 not_null_stg_sec__filings_cik"

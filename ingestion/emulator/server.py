"""The API emulator: a small HTTP server on 127.0.0.1 that answers like the public APIs, from a data dir.

It implements each API's real URL paths and parameters over files in the API's own format (see README.md
beside this file), so the ingestion code cannot tell it from the real thing. It is the test boundary: tests
and sample mode talk to it over real HTTP.
"""

from __future__ import annotations

import logging
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ingestion.emulator import fred, nyfed, prices, sec, treasury
from ingestion.emulator.common import USER_AGENT_PARAM, DataFileError, Reply, Route
from ingestion.emulator.faults import Fault, alter, transport_reply

__all__ = ["Emulator", "EmulatorError", "EmulatorProcess", "Fault", "check_data_dir", "find_route"]

log = logging.getLogger(__name__)

# Every emulated endpoint: a full-match path pattern and the function that answers it.
ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (re.compile(pattern), route) for pattern, route in [
        *fred.ROUTES, *treasury.ROUTES, *nyfed.ROUTES, *prices.ROUTES, *sec.ROUTES]
]


PROVIDER_FOLDERS = ("fred", "treasury", "nyfed", "sec", "prices")
# EmulatorProcess: how long its child may take to start serving (it imports the routes: 0.2 s here).
CHILD_START_TIMEOUT_SECONDS = 30


def find_route(path: str) -> tuple[Route, dict[str, str]] | None:
    for pattern, route in ROUTES:
        if match := pattern.fullmatch(path):
            return route, match.groupdict()
    return None


class EmulatorError(RuntimeError):
    """The emulator cannot serve the data dir it was given."""


# --- the server ---------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    server: _EmulatorHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle's algorithm on, each small reply on a kept-alive
    # connection waited ~40 ms for the client's delayed ACK (242 NY Fed requests took 10 s instead of 1).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        params[USER_AGENT_PARAM] = self.headers.get("User-Agent", "")
        self.server.requests.append(url.path)
        found = find_route(url.path)
        fault = self.server.take_fault(url.path, params) if found else None
        if fault and fault.kind == "reset":
            self._reset()
            return
        if fault and fault.kind == "timeout":
            time.sleep(fault.delay_seconds)  # the client has given up by now; answer to nobody
        if fault and (replacement := transport_reply(fault)):
            reply = replacement
        elif found is None:
            reply = Reply.text(f"no such endpoint: {url.path}", HTTPStatus.NOT_FOUND)
        else:
            route, groups = found
            try:
                reply = route(self.server.data_dir, params, **groups)
            except Exception as exc:  # a broken data file must answer 500, not hang the client
                log.exception("emulator: %s failed", url.path)
                reply = Reply.text(f"emulator error: {type(exc).__name__}: {exc}", 500)
            if fault:
                reply = alter(fault, reply)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for key, value in (reply.headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if fault and fault.kind == "truncated":
                # The connection drops half-way through the body the headers announced.
                self.wfile.write(reply.body[: len(reply.body) // 2])
                self.wfile.flush()
                self._reset()
                return
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):  # the client hung up (it timed out)
            self.close_connection = True

    def _reset(self) -> None:
        """Close the TCP connection with a reset, as a crashed load balancer does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        log.debug("emulator: " + format, *args)


class _EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], data_dir: Path, listening: socket.socket | None = None) -> None:
        self.data_dir = data_dir
        self.faults: list[Fault] = []
        self.requests: list[str] = []  # paths served, in order (for tests and the record mode)
        self._faults_lock = threading.Lock()
        super().__init__(address, _Handler, bind_and_activate=listening is None)
        if listening is not None:  # a socket bound and listening already (EmulatorProcess)
            self.socket.close()
            self.socket = listening
            self.server_address = listening.getsockname()

    def take_fault(self, path: str, params: dict[str, str]) -> Fault | None:
        with self._faults_lock:
            for fault in self.faults:
                if fault.matches(path, params):
                    return fault
        return None


def check_data_dir(data_dir: Path) -> Path:
    """The data dir, resolved, once it is known to be servable. FRED's files are checked line by line (0.07 s for
    the sample's 62,000 rows): what the emulator would make of a broken one looks well-formed to the client."""
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise EmulatorError(f"data dir {data_dir} does not exist or is not a directory")
    try:
        next(data_dir.iterdir(), None)
    except PermissionError as exc:
        raise EmulatorError(f"data dir {data_dir} is not readable: {exc.strerror}") from exc
    if not any((data_dir / provider).is_dir() for provider in PROVIDER_FOLDERS):
        raise EmulatorError(f"data dir {data_dir} has none of the folders {', '.join(PROVIDER_FOLDERS)}: is it in "
                            "the emulator layout (see ingestion/emulator/README.md)?")
    try:
        fred.check_files(data_dir)
    except DataFileError as exc:
        raise EmulatorError(f"data dir {data_dir}: {exc}. Fix the file (the layout is in ingestion/emulator/"
                            "README.md), or remove it: the series then answers 404") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EmulatorError(f"data dir {data_dir}: cannot read a FRED file ({exc})") from None
    return data_dir


class Emulator:
    """A running emulator. Use as a context manager, or call :meth:`start` and :meth:`stop`."""

    def __init__(self, data_dir: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self.data_dir = check_data_dir(data_dir)
        try:
            self._server = _EmulatorHTTPServer((host, port), self.data_dir)
        except OSError as exc:
            raise EmulatorError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, fault: Fault) -> None:
        """Make the emulator misbehave like the real APIs do (see ingestion/emulator/faults.py)."""
        self._server.faults.append(fault)

    @property
    def requests(self) -> list[str]:
        return self._server.requests

    def start(self) -> Emulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class EmulatorProcess:
    """The emulator serving from a process of its own: how sample and replay runs use it (``open_endpoints``).

    Why: in the run's process its request threads shared the GIL with the run's own work (the clients parsing
    answers, dlt): py-spy on a run with nothing new at scale 10 found 6.3 s of its 26 s in them, taking turns with
    the rest. In a process of its own it works on the other core, as a remote API does. This process checks the
    data dir (its errors are raised here, as Emulator's are) and binds the socket, so the base URL is known at once
    and connections wait in the socket's queue until the child serves them; the child serves until its stdin, a
    pipe from here, closes: when this process stops it or ends, however it ends.
    """

    def __init__(self, data_dir: Path, host: str = "127.0.0.1") -> None:
        self.data_dir = check_data_dir(data_dir)
        try:
            self._socket = socket.create_server((host, 0), backlog=128)
        except OSError as exc:
            raise EmulatorError(f"cannot listen on {host}: {exc.strerror}") from exc
        self._address = self._socket.getsockname()[:2]
        self._child: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        host, port = self._address
        return f"http://{host}:{port}"

    def start(self) -> EmulatorProcess:
        fd = self._socket.fileno()
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "ingestion.emulator.server", str(fd), str(self.data_dir)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(fd,))
        finally:
            # The child's now: were it to die, connections are refused at once instead of waiting in a queue here.
            self._socket.close()
        # What the child says goes to this process's log (the run's log file), as the emulator's lines did when it
        # ran in this process; the last lines explain a child that could not start.
        self._said: list[str] = []
        threading.Thread(target=self._relay_stderr, name="emulator-stderr", daemon=True).start()
        ready, _, _ = select.select([self._child.stdout], [], [], CHILD_START_TIMEOUT_SECONDS)
        if not ready or self._child.stdout.read(1) != b"1":
            self._child.kill()
            self._child.wait()
            raise EmulatorError(f"the emulator's process did not start (exit code {self._child.returncode}): "
                                + (" / ".join(self._said[-3:]) or "it said nothing"))
        return self

    def _relay_stderr(self) -> None:
        for raw in self._child.stderr:
            line = raw.decode(errors="replace").rstrip()
            self._said.append(line)
            log.warning("emulator: %s", line)

    def stop(self) -> None:
        self._socket.close()
        if self._child is not None:
            self._child.stdin.close()
            try:
                self._child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._child.kill()
                self._child.wait()
            if self._child.returncode not in (0, -signal.SIGKILL):
                log.warning("the emulator's process ended with exit code %s", self._child.returncode)

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _serve_for_parent(fd: int, data_dir: Path) -> None:
    """EmulatorProcess's child: serve on the inherited socket until stdin closes."""
    # Ctrl-C in the terminal reaches the whole process group: the run handles it and then closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")  # to stderr, which the parent logs
    listening = socket.socket(fileno=fd)
    server = _EmulatorHTTPServer(listening.getsockname(), data_dir, listening=listening)
    threading.Thread(target=server.serve_forever, name="emulator", daemon=True).start()
    sys.stdout.buffer.write(b"1")  # serving: EmulatorProcess.start waits for this
    sys.stdout.buffer.flush()
    sys.stdin.buffer.read()  # until the parent closes the pipe (or ends)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    _serve_for_parent(int(sys.argv[1]), Path(sys.argv[2]))

"""The relay that stands in for ``tc netem`` in the national rehearsal (bench/_delay.c,
built by bench/_delay.py): it passes every byte on intact and in order, each way after
the delay asked for, pipelined, and ends a connection whose target is down."""

import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.servers import free_port

BENCH = Path(__file__).resolve().parents[1] / "bench"
DELAY_MS = 20


def _load_delay():
    spec = importlib.util.spec_from_file_location("bench_delay", BENCH / "_delay.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Echo:
    """A TCP server on 127.0.0.1 that sends back what it receives."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn):
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)


@pytest.fixture(scope="module")
def relay_binary(tmp_path_factory):
    if shutil.which("cc") is None:  # a failure under CI (tests/conftest.py)
        pytest.skip("no C compiler: apt-get install -y gcc")
    return _load_delay().build(tmp_path_factory.mktemp("relay"))


@pytest.fixture
def relay(relay_binary):
    """Start the relay on a free port to ``target_port``; yields a function that does."""
    started = []

    def start(target_port):
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 - the relay just built
            [str(relay_binary), str(DELAY_MS), "127.0.0.1", f"{port}:127.0.0.1:{target_port}"],
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        started.append(process)
        assert b"relaying 1 routes" in process.stdout.readline()
        return port

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)


def _read(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "the relay ended the connection early"
        data += chunk
    return bytes(data)


def test_bytes_arrive_intact_and_in_order(relay):
    port = relay(Echo().port)
    payload = secrets.token_bytes(3_000_000)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sender = threading.Thread(target=sock.sendall, args=(payload,))
        sender.start()
        assert _read(sock, len(payload)) == payload
        sender.join()


def test_a_round_trip_takes_the_delay_each_way(relay):
    port = relay(Echo().port)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        started = time.perf_counter()
        sock.sendall(b"ping")
        assert _read(sock, 4) == b"ping"
        elapsed_ms = (time.perf_counter() - started) * 1000
    assert 2 * DELAY_MS <= elapsed_ms < 2 * DELAY_MS + 200


def test_messages_are_pipelined_not_queued_behind_each_others_delay(relay):
    port = relay(Echo().port)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        started = time.perf_counter()
        for i in range(10):
            sock.sendall(bytes([i]))
            time.sleep(0.002)
        assert _read(sock, 10) == bytes(range(10))
        elapsed_ms = (time.perf_counter() - started) * 1000
    # One after the other, ten round trips would take 400 ms.
    assert elapsed_ms < 2 * DELAY_MS + 20 + 150


def test_the_end_of_a_stream_is_passed_on(relay):
    port = relay(Echo().port)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"last words")
        sock.shutdown(socket.SHUT_WR)
        assert _read(sock, 10) == b"last words"
        assert sock.recv(1) == b""  # the echo server closed after our end reached it


def test_a_connection_to_a_target_that_is_down_ends_at_once(relay):
    port = relay(free_port())  # nothing listens there
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        assert sock.recv(1) == b""

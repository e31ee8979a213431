#!/usr/bin/env python3
"""Live-reload latency of `quire serve`, and of `mdbook serve` when installed.

A benchmark, not a test: it prints numbers and asserts nothing.

For each tool: start its dev server on a copy of this repository's essay, connect as the
browser does (quire: Server-Sent Events; mdBook: its live-reload WebSocket), then
50 times: write the essay with a new last paragraph and measure the time from the write to
the reload message arriving at the client. Prints p50, p95, min and max, in milliseconds.

    cargo build --release
    python3 bench/serve_latency.py                         # quire (target/release/quire)
    cargo install mdbook --locked
    python3 bench/serve_latency.py --mdbook "$(command -v mdbook)"

Only the Python standard library is used.
"""

import argparse
import base64
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import queue

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


class SseClient:
    """Reads a Server-Sent Events stream; puts (event name, arrival time) on a queue."""

    def __init__(self, port, path):
        self.events = queue.Queue()
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        threading.Thread(target=self._read, daemon=True).start()

    def close(self):
        self.sock.close()

    def _read(self):
        buffer = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            buffer += data
            # Chunk-size lines never look like "event: ...", so the chunked framing
            # can be ignored.
            for name in re.findall(rb"event: ?(\w+)", buffer):
                self.events.put((name.decode(), now))
            buffer = buffer[buffer.rfind(b"\n") + 1 :]


class WebSocketClient:
    """A minimal WebSocket client: puts (text message, arrival time) on a queue."""

    def __init__(self, port, path):
        self.events = queue.Queue()
        self.sock = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("WebSocket handshake failed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"WebSocket handshake refused: {head!r}")
        threading.Thread(target=self._read, daemon=True).start()

    def close(self):
        self.sock.close()

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _read(self):
        try:
            while True:
                b0, b1 = self._exact(2)
                length = b1 & 0x7F
                if length == 126:
                    length = int.from_bytes(self._exact(2), "big")
                elif length == 127:
                    length = int.from_bytes(self._exact(8), "big")
                payload = self._exact(length)
                if b0 & 0x0F == 1:
                    self.events.put((payload.decode(errors="replace"), time.perf_counter()))
        except (EOFError, OSError):
            return


def measure(name, connect, edit, is_reload, edits, settle):
    """`edit(i)` writes the i-th version; returns latencies in ms.

    A page reloads on the message and connects again, so each edit gets a new client (as
    with a browser), connected `settle` seconds before the write."""
    latencies = []
    for i in range(edits):
        client = connect()
        # Drop anything left over (e.g. a second reload from a slow watcher).
        time.sleep(settle)
        while not client.events.empty():
            client.events.get_nowait()
        start = time.perf_counter()
        edit(i)
        deadline = start + 30
        while True:
            try:
                message, at = client.events.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                raise RuntimeError(f"{name}: no reload within 30 s of edit {i}")
            if is_reload(message):
                latencies.append((at - start) * 1000)
                break
        client.close()
    return latencies


def report(name, latencies):
    ordered = sorted(latencies)

    def pct(p):  # nearest rank
        return ordered[max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1)]

    print(
        f"{name:8} n={len(ordered):3}  p50 {pct(50):7.1f} ms  p95 {pct(95):7.1f} ms  "
        f"min {ordered[0]:7.1f}  max {ordered[-1]:7.1f}  mean {statistics.mean(ordered):7.1f}"
    )


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def bench_quire(binary, edits):
    with tempfile.TemporaryDirectory(prefix="quire-bench-") as tmp:
        for sub in ("content", "themes"):
            shutil.copytree(os.path.join(REPO, sub), os.path.join(tmp, sub))
        server = subprocess.Popen(
            [binary, "serve", "--port", "0", "--root", tmp],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            line = server.stdout.readline()
            match = re.search(r"serving http://[^:]+:(\d+)/", line)
            if not match:
                raise RuntimeError(f"quire serve printed {line!r}")
            port = int(match.group(1))
            essay = os.path.join(tmp, "content", "essay.md")
            original = open(essay, encoding="utf-8").read()
            return measure(
                "quire",
                lambda: SseClient(port, "/__quire/events"),
                lambda i: write(essay, f"{original}\n\nEdit number {i}.\n"),
                lambda name: name == "reload",
                edits,
                settle=0.1,
            )
        finally:
            server.kill()
            server.wait()


def bench_mdbook(binary, edits):
    with tempfile.TemporaryDirectory(prefix="mdbook-bench-") as tmp:
        os.makedirs(os.path.join(tmp, "src"))
        write(os.path.join(tmp, "book.toml"), '[book]\ntitle = "bench"\n')
        write(os.path.join(tmp, "src", "SUMMARY.md"), "# Summary\n\n- [Essay](essay.md)\n")
        body = open(os.path.join(REPO, "content", "essay.md"), encoding="utf-8").read()
        body = body.split("+++", 2)[-1]  # drop quire's front matter
        chapter = os.path.join(tmp, "src", "essay.md")
        write(chapter, body)
        port = free_port()
        server = subprocess.Popen(
            [binary, "serve", "-p", str(port), "-n", "127.0.0.1"],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            return measure(
                "mdbook",
                lambda: WebSocketClient(port, "/__livereload"),
                lambda i: write(chapter, f"{body}\n\nEdit number {i}.\n"),
                lambda message: "reload" in message,
                edits,
                settle=0.3,
            )
        finally:
            server.kill()
            server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quire", default=os.path.join(REPO, "target", "release", "quire"))
    parser.add_argument("--mdbook", default=shutil.which("mdbook"))
    parser.add_argument("--edits", type=int, default=50)
    args = parser.parse_args()

    print(f"{args.edits} edits each; latency = file written -> reload message at the client")
    for name, binary, bench in (
        ("quire", args.quire, bench_quire),
        ("mdbook", args.mdbook, bench_mdbook),
    ):
        if not binary or not os.path.exists(binary):
            print(f"{name:8} not installed; skipped")
            continue
        binary = os.path.abspath(binary)
        try:
            report(name, bench(binary, args.edits))
        except Exception as e:  # a benchmark reports and goes on
            print(f"{name:8} failed: {e}")
    # Zola is published neither on crates.io nor in Debian, the only registries this
    # project may install from; its live reload is therefore not measured here.
    print(f"{'zola':8} not installable from crates.io or Debian; not measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Test helpers: a real ``tiktoktoe serve`` and a scripted local HTTP server."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[3]
BIN = REPO / "dist" / "cli" / "bin.js"
# run-tests.sh sets this: in CI a missing server is a failure, not a skip.
REQUIRE_SERVER = os.environ.get("TIKTOKTOE_REQUIRE_SERVER") == "1"


def server_unavailable() -> Optional[str]:
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not BIN.exists():
        return "{} is missing (run npm run build)".format(BIN)
    return None


class Serve:
    """``node dist/cli/bin.js serve --port 0 --clock event`` in a temporary data directory."""

    def __init__(self, clock: str = "event") -> None:
        self.dir = tempfile.mkdtemp(prefix="tiktoktoe-py-")
        self.process = subprocess.Popen(
            ["node", str(BIN), "serve", "--data-dir", os.path.join(self.dir, "data"), "--port", "0", "--clock", clock],
            cwd=str(REPO),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: "queue.Queue[Optional[str]]" = queue.Queue()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        self.url = ""
        try:
            while True:
                line = lines.get(timeout=30)
                if line is None:
                    break
                if "listening on " in line:
                    self.url = line.strip().split("listening on ", 1)[1]
                    break
        except queue.Empty:
            pass
        if not self.url:
            self.stop()
            raise RuntimeError("tiktoktoe serve did not start: {}".format(self.process.stderr.read() if self.process.stderr else ""))

    def request(self, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def register(self, name: str, features: List[Dict[str, str]], task: str = "regression", **extra: Any) -> None:
        status, body = self.request("POST", "/v1/models", dict(name=name, task=task, features=features, **extra))
        assert status == 201, body
        status, body = self.request("POST", "/v1/models/{}/versions".format(name), {"version": "1"})
        assert status == 201, body

    def totals(self, model: str) -> Dict[str, int]:
        status, body = self.request("GET", "/v1/models/{}/windows".format(model))
        assert status == 200, body
        return {
            "events": sum(w["events"] for w in body["windows"]),
            "labels": sum(w["labels"] for w in body["windows"]),
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_serve(case: unittest.TestCase, clock: str = "event") -> Serve:
    reason = server_unavailable()
    if reason is not None:
        if REQUIRE_SERVER:
            case.fail(reason)
        raise unittest.SkipTest(reason)
    return Serve(clock)


class Request:
    def __init__(self, path: str, headers: Dict[str, str], body: bytes, at: float) -> None:
        self.path = path
        self.headers = headers
        self.body = body
        self.at = at

    @property
    def lines(self) -> List[Dict[str, Any]]:
        import gzip

        data = gzip.decompress(self.body) if self.headers.get("content-encoding") == "gzip" else self.body
        return [json.loads(line) for line in data.decode().split("\n") if line]


# A reply: (status, headers, body dict or None)
Reply = Tuple[int, Dict[str, str], Optional[Dict[str, Any]]]


class Scripted:
    """A local http.server answering each POST with the next scripted reply (then ``default``)."""

    def __init__(self, replies: List[Reply], default: Optional[Callable[[Request], Reply]] = None) -> None:
        import time

        self.replies = list(replies)
        self.requests: List[Request] = []
        self.default = default or (lambda req: (200, {}, {"accepted": len(req.lines), "duplicates": 0}))
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                owner.requests.append(request)
                status, headers, payload = owner.replies.pop(0) if owner.replies else owner.default(request)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:{}".format(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def dead_url() -> str:
    """A URL where nothing listens (a port just freed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return "http://127.0.0.1:{}".format(port)

"""One persistent HTTP/1.1 connection to the server (http.client, standard library)."""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import Dict, NamedTuple, Optional
from urllib.parse import urlsplit


class Answer(NamedTuple):
    status: int
    retry_after: Optional[str]
    text: str


class Failure(NamedTuple):
    timed_out: bool
    error: BaseException


class Transport:
    """POSTs bodies to paths below a base URL, keeping the connection open between requests.

    Proxy environment variables are not used: the monitoring server is usually on the same network.
    """

    def __init__(self, url: str, timeout: float) -> None:
        self.timeout = timeout
        self._conn: Optional[http.client.HTTPConnection] = None
        self._error: Optional[str] = None
        parts = urlsplit(url.strip())
        self._scheme = parts.scheme.lower()
        self._host = parts.hostname or ""
        try:
            self._port = parts.port
        except ValueError:
            self._port = None
            self._error = "the url {!r} has an invalid port".format(url)
        self.prefix = parts.path.rstrip("/")
        if self._scheme not in ("http", "https") or self._host == "":
            self._error = "the url {!r} is not http(s)://host[:port][/path]".format(url)

    def post(self, path: str, body: bytes, headers: Dict[str, str]):
        """Returns an :class:`Answer` (any HTTP status) or a :class:`Failure` (no answer); never raises."""
        if self._error is not None:
            return Failure(False, ValueError(self._error))
        # A kept-alive connection the server closed while idle fails at once: retried on a new one.
        for attempt in (1, 2):
            reused = self._conn is not None
            try:
                conn = self._connection()
                conn.request("POST", self.prefix + path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                if response.will_close:
                    self.close()
                return Answer(response.status, response.getheader("Retry-After"), text)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self.close()
                if reused and attempt == 1:
                    continue
                return Failure(False, error)
            except (socket.timeout, TimeoutError) as error:
                self.close()
                return Failure(True, error)
            except Exception as error:  # refused, DNS, TLS, anything: the caller retries
                self.close()
                return Failure(False, error)
        return Failure(False, RuntimeError("unreachable"))

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

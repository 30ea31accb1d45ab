"""The client: buffers, batches and sends predictions and labels to ``tiktoktoe serve``."""

from __future__ import annotations

import atexit
import gzip
import json
import logging
import math
import os
import random as _random
import threading
import time as _time
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional
from urllib.parse import quote

from . import _encode
from ._backoff import backoff_delay, parse_retry_after
from ._transport import Answer, Transport

__all__ = ["Client", "ErrorInfo"]

logger = logging.getLogger("tiktoktoe")

VERSION = "0.1.0"
KEEP_PROBLEMS = 10
# Seconds between two log lines of the same type when no on_error is given (the rest are counted).
LOG_EVERY = 10.0

_DEFAULTS = {
    "batch_size": 1000,
    "flush_interval": 1.0,
    "max_queue": 100_000,
    "timeout": 30.0,
    "max_attempts": 10,
    "initial_delay": 0.5,
    "max_delay": 30.0,
    "max_retry_after": 300.0,
    "close_timeout": 10.0,
    "exit_timeout": 5.0,
    "compress_above": 64 * 1024,
}


@dataclass(frozen=True)
class ErrorInfo:
    """What went wrong, as given to ``on_error`` (the client never raises; this is how it speaks).

    ``type`` is one of:

    - ``invalid_input``: a record that cannot be sent (dropped), e.g. a naive datetime;
    - ``buffer_full``: ``max_queue`` records were queued or in flight; new records are dropped until
      it drains (reported once per episode);
    - ``rejected_records``: the server listed bad records (``INGEST_INVALID``); those were dropped and
      the rest of the batch resent;
    - ``refused``: the server refused a whole batch (401, 403, 404, 413 for one record, other 4xx);
    - ``retry``: a transient failure (network, timeout, 408, 429, 5xx); retried after ``retry_in`` s;
    - ``gave_up``: the attempts ran out; the batch was dropped;
    - ``closed``: records dropped because the client was closed (or its deadline passed);
    - ``internal``: a bug in the client, caught before it could reach the host.
    """

    type: str
    message: str
    kind: Optional[str] = None  # "events" or "labels"
    status: Optional[int] = None  # the HTTP status, when there was an answer
    code: Optional[str] = None  # the server's error code (docs/errors.md), e.g. UNAUTHORIZED
    records: Optional[int] = None  # how many records this concerns
    retry_in: Optional[float] = None  # for "retry": seconds before the next attempt
    error: Optional[BaseException] = None  # the exception, for network failures


class _Queue:
    """One stream (events or labels): a FIFO of encoded records and the counters flush waits on."""

    __slots__ = ("kind", "path", "entries", "enqueued", "settled", "due")

    def __init__(self, kind: str, path: str) -> None:
        self.kind = kind
        self.path = path
        self.entries: Deque[_encode.Encoded] = deque()
        self.enqueued = 0  # records ever queued; a record's sequence number is its position here
        self.settled = 0  # records taken out and finished (answered or dropped), in order
        self.due = 0  # records with a sequence number below this go even as a partial batch


class Client:
    """Sends predictions and labels to ``tiktoktoe serve`` from a background thread.

    No method raises into the caller: bad input, a full buffer, an unreachable or refusing server
    are counted in :meth:`stats` and reported to ``on_error`` (or, without it, logged as warnings on
    the ``tiktoktoe`` logger). Durations are in seconds.

    >>> monitor = Client("http://127.0.0.1:8080", "churn", "1")
    >>> monitor.log_prediction("req-1", {"tenure": 12, "plan": "pro"}, "yes", scores=0.8, latency_ms=4.2)
    >>> monitor.log_label("req-1", "no")
    >>> monitor.close()
    """

    def __init__(
        self,
        url: str,
        model: str,
        version: str,
        token: Optional[str] = None,
        *,
        batch_size: int = 1000,
        flush_interval: float = 1.0,
        max_queue: int = 100_000,
        timeout: float = 30.0,
        max_attempts: int = 10,
        initial_delay: float = 0.5,
        max_delay: float = 30.0,
        max_retry_after: float = 300.0,
        close_timeout: float = 10.0,
        exit_timeout: Optional[float] = 5.0,
        compress_above: Optional[int] = 64 * 1024,
        on_error: Optional[Callable[[ErrorInfo], Any]] = None,
        random: Optional[Callable[[], float]] = None,
    ) -> None:
        self._on_error = on_error
        self._logged_at: Dict[str, float] = {}
        self._suppressed: Dict[str, int] = {}
        self._counts = dict.fromkeys(
            (
                "logged sent accepted duplicates unmatched requests retries failed_requests buffer_full "
                "invalid rejected refused retries_exhausted after_close closed_in_flight"
            ).split(),
            0,
        )
        self._rejected_by_code: Dict[str, int] = {}
        self._dropped_by_reason: Dict[str, int] = {}
        self._last_problems: List[Dict[str, str]] = []
        self._in_flight = 0
        self._buffer_full_episode = False
        self._closed = False
        self._aborted = False
        self._stopped = False
        self._close_done: Optional[bool] = None
        self._thread: Optional[threading.Thread] = None
        self._pending: List[ErrorInfo] = []
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        try:
            # A bad option must not raise from the constructor either: it falls back to the default.
            self._batch_size = _positive(batch_size, "batch_size", integer=True, report=self._config)
            self._flush_interval = _positive(flush_interval, "flush_interval", report=self._config)
            self._max_queue = _positive(max_queue, "max_queue", integer=True, report=self._config)
            self._max_attempts = _positive(max_attempts, "max_attempts", integer=True, report=self._config)
            self._initial_delay = _positive(initial_delay, "initial_delay", report=self._config)
            self._max_delay = _positive(max_delay, "max_delay", report=self._config)
            self._max_retry_after = _positive(max_retry_after, "max_retry_after", report=self._config)
            self._close_timeout = _positive(close_timeout, "close_timeout", report=self._config)
            timeout = _positive(timeout, "timeout", report=self._config)
            self._compress_above = (
                None if compress_above is None else _positive(compress_above, "compress_above", True, self._config)
            )
            self._random = random if callable(random) else _random.random
            self._version = version if isinstance(version, str) else str(version)
            self._headers = {
                "Content-Type": "application/x-ndjson",
                "User-Agent": "tiktoktoe-python/{}".format(VERSION),
            }
            if isinstance(token, str) and token != "":
                self._headers["Authorization"] = "Bearer " + token
            self._transport = Transport(str(url), timeout)
            base = "/v1/models/" + quote(str(model), safe="")
            self._events = _Queue("events", base + "/events")
            self._labels = _Queue("labels", base + "/labels")
            if exit_timeout is not None:
                exit_after = _positive(exit_timeout, "exit_timeout", report=self._config)
                # A weak reference: the hook does not keep an abandoned client alive.
                ref = weakref.ref(self)
                self._atexit = lambda: _close_at_exit(ref, exit_after)
                atexit.register(self._atexit)
        except Exception as error:  # pragma: no cover - defensive
            self._internal(error)

    # ---- the public API ------------------------------------------------------------------------

    def log_prediction(
        self,
        id: Any,
        features: Any,
        prediction: Any,
        scores: Any = None,
        latency_ms: Any = None,
        time: Any = None,
        version: Optional[str] = None,
    ) -> bool:
        """Queues a prediction; returns at once. False when the record was dropped (invalid, buffer
        full, client closed). ``time`` defaults to now; ``version`` to the client's."""
        try:
            return self._enqueue(
                "events",
                lambda: _encode.encode_prediction(
                    id,
                    features,
                    prediction,
                    scores,
                    latency_ms,
                    time,
                    self._version if version is None else version,
                    int(_time.time() * 1000),
                ),
            )
        except Exception as error:
            self._internal(error)
            return False

    def log_predictions(self, records: Any) -> int:
        """Queues many predictions: an iterable of dicts or a pandas DataFrame, one record per row.

        Keys (columns) ``id``, ``time``, ``version``, ``features``, ``prediction``, ``scores`` and
        ``latency_ms`` are the arguments of :meth:`log_prediction`; without a ``features`` key every
        other key is a feature. Returns how many were queued.
        """
        return self._log_many(records, "events")

    def log_label(self, id: Any, value: Any, time: Any = None) -> bool:
        """Queues the true value of an earlier prediction. ``time`` defaults to the server's clock."""
        try:
            return self._enqueue("labels", lambda: _encode.encode_label(id, value, time))
        except Exception as error:
            self._internal(error)
            return False

    def log_labels(self, records: Any) -> int:
        """Queues many labels: an iterable of dicts (``id``, ``value``, ``time``) or a pandas DataFrame."""
        return self._log_many(records, "labels")

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends everything logged so far and waits until each of those records was answered or
        dropped, at most ``timeout`` seconds (None: no limit). True when all were settled; nothing is
        dropped because of the timeout."""
        try:
            self._ensure_thread()
            return self._drain(timeout)
        except Exception as error:
            self._internal(error)
            return False

    def close(self, timeout: Optional[float] = None) -> bool:
        """Sends what is left and stops, waiting at most ``timeout`` seconds (default
        ``close_timeout``): what is still queued or in flight then is dropped and counted. Records
        logged afterwards are dropped. Idempotent. True when nothing had to be dropped."""
        try:
            with self._lock:
                if self._close_done is not None:
                    return self._close_done
                first = not self._closed
                self._closed = True
            if first and getattr(self, "_atexit", None) is not None:
                atexit.unregister(self._atexit)
            if self._events.entries or self._labels.entries:
                self._ensure_thread()
            done = self._drain(self._close_timeout if timeout is None else timeout)
            with self._cond:
                if not done:
                    self._abort_locked()
                self._stopped = True
                self._cond.notify_all()
                self._close_done = done
            self._transport_close_later()
            return done
        except Exception as error:
            self._internal(error)
            return False

    def stats(self) -> Dict[str, Any]:
        """A snapshot of the counters. Every record taken into the buffer ends in exactly one place:
        ``logged = sent + dropped[rejected, refused, retries_exhausted, closed_in_flight] + in_flight
        + buffered``."""
        with self._lock:
            c = dict(self._counts)
            dropped_total = sum(
                c[k]
                for k in (
                    "buffer_full",
                    "invalid",
                    "rejected",
                    "refused",
                    "retries_exhausted",
                    "after_close",
                    "closed_in_flight",
                )
            )
            return {
                "logged": c["logged"],
                "sent": c["sent"],
                "accepted": c["accepted"],
                "duplicates": c["duplicates"],
                "unmatched": c["unmatched"],
                "requests": c["requests"],
                "retries": c["retries"],
                "failed_requests": c["failed_requests"],
                "rejected": {"total": c["rejected"], "by_code": dict(self._rejected_by_code)},
                "dropped": {
                    "total": dropped_total,
                    "buffer_full": c["buffer_full"],
                    "invalid": c["invalid"],
                    "rejected": c["rejected"],
                    "refused": c["refused"],
                    "retries_exhausted": c["retries_exhausted"],
                    "after_close": c["after_close"],
                    "closed_in_flight": c["closed_in_flight"],
                    "by_reason": dict(self._dropped_by_reason),
                },
                "in_flight": self._in_flight,
                "buffered": len(self._events.entries) + len(self._labels.entries),
                "last_problems": [dict(p) for p in self._last_problems],
            }

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- buffering -----------------------------------------------------------------------------

    def _queue(self, kind: str) -> _Queue:
        return self._events if kind == "events" else self._labels

    def _admit_locked(self, queue: _Queue) -> bool:
        """Counts and reports a record refused because the client is closed or full (lock held)."""
        if self._closed:
            self._counts["after_close"] += 1
            if self._counts["after_close"] == 1:
                self._report_later(
                    ErrorInfo("closed", "the client is closed; records logged from now on are dropped", queue.kind, records=1)
                )
            return False
        held = len(self._events.entries) + len(self._labels.entries) + self._in_flight
        if held >= self._max_queue:
            self._counts["buffer_full"] += 1
            if not self._buffer_full_episode:
                self._buffer_full_episode = True
                self._report_later(
                    ErrorInfo(
                        "buffer_full",
                        "{} records queued or in flight (max_queue {}); dropping new records until the "
                        "buffer drains".format(held, self._max_queue),
                        queue.kind,
                    )
                )
            return False
        return True

    def _enqueue(self, kind: str, encode: Callable[[], _encode.Encoded]) -> bool:
        self._ensure_thread()
        queue = self._queue(kind)
        with self._lock:
            admitted = self._admit_locked(queue)
        if not admitted:
            self._flush_reports()
            return False
        try:
            encoded = encode()
        except _encode.Invalid as problem:
            with self._lock:
                self._counts["invalid"] += 1
            self._report(ErrorInfo("invalid_input", str(problem), kind, records=1))
            return False
        with self._cond:
            if not self._admit_locked(queue):
                admitted = False
            else:
                self._buffer_full_episode = False
                queue.entries.append(encoded)
                queue.enqueued += 1
                self._counts["logged"] += 1
                if len(queue.entries) >= self._batch_size:
                    self._cond.notify_all()
        if not admitted:
            self._flush_reports()
        return admitted

    def _log_many(self, records: Any, kind: str) -> int:
        try:
            rows = _rows(records)
        except Exception as error:
            with self._lock:
                self._counts["invalid"] += 1
            self._report(ErrorInfo("invalid_input", "cannot read the records: {}".format(error), kind, records=1))
            return 0
        queued = 0
        for row in rows:
            try:
                if kind == "events":
                    fields = _encode.prediction_fields(row)
                    ok = self.log_prediction(
                        fields["id"],
                        fields["features"],
                        fields["prediction"],
                        scores=fields["scores"],
                        latency_ms=fields["latency_ms"],
                        time=fields["time"],
                        version=fields["version"],
                    )
                else:
                    fields = _encode.label_fields(row)
                    ok = self.log_label(fields["id"], fields["value"], time=fields["time"])
            except _encode.Invalid as problem:
                with self._lock:
                    self._counts["invalid"] += 1
                self._report(ErrorInfo("invalid_input", str(problem), kind, records=1))
                ok = False
            except Exception as error:
                self._internal(error)
                ok = False
            queued += 1 if ok else 0
        return queued

    # ---- the sender thread ---------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        pid = os.getpid()
        if self._thread is not None and self._pid == pid:
            return
        if self._pid != pid:
            # A forked child: the parent's lock may have been held by a thread that does not exist
            # here, and the parent sends what it had queued. Start afresh.
            self._pid = pid
            self._lock = threading.Lock()
            self._cond = threading.Condition(self._lock)
            self._transport._conn = None  # the parent's socket
            self._pending = []
            for queue in (self._events, self._labels):
                queue.entries.clear()
                queue.settled = queue.enqueued
            self._in_flight = 0
            self._thread = None
        with self._lock:
            if self._thread is not None or self._stopped:
                return
            self._thread = threading.Thread(target=self._run, name="tiktoktoe-sender", daemon=True)
            self._thread.start()

    def _ready(self, queue: _Queue) -> bool:
        waiting = len(queue.entries)
        return waiting >= self._batch_size or (waiting > 0 and queue.enqueued - waiting < queue.due)

    def _run(self) -> None:
        try:
            next_tick = _time.monotonic() + self._flush_interval
            self._cond.acquire()
            try:
                while not self._stopped and not self._aborted:
                    now = _time.monotonic()
                    if now >= next_tick:
                        self._events.due = self._events.enqueued
                        self._labels.due = self._labels.enqueued
                        next_tick = now + self._flush_interval
                    # A label must not overtake its prediction (the server would answer "unmatched"):
                    # whenever labels are about to go, every event logged before them goes first.
                    if self._ready(self._labels):
                        self._events.due = max(self._events.due, self._events.enqueued)
                    queue = (
                        self._events
                        if self._ready(self._events)
                        else self._labels
                        if self._ready(self._labels)
                        else None
                    )
                    if queue is None:
                        self._cond.wait(max(0.0, next_tick - now))
                        continue
                    batch = [queue.entries.popleft() for _ in range(min(self._batch_size, len(queue.entries)))]
                    self._in_flight += len(batch)
                    self._cond.release()
                    try:
                        self._flush_reports()
                        self._deliver(queue, batch)
                    except Exception as error:
                        self._internal(error)
                    finally:
                        self._cond.acquire()
                    if not self._aborted:
                        queue.settled += len(batch)
                    self._cond.notify_all()
            finally:
                self._cond.release()
        except Exception as error:  # pragma: no cover - defensive
            self._internal(error)

    def _drain(self, timeout: Optional[float]) -> bool:
        deadline = None if timeout is None else _time.monotonic() + max(0.0, float(timeout))
        with self._cond:
            target = (self._events.enqueued, self._labels.enqueued)
            self._events.due = max(self._events.due, target[0])
            self._labels.due = max(self._labels.due, target[1])
            self._cond.notify_all()
            if threading.current_thread() is self._thread:
                return False  # on_error calling flush from the sender thread: it cannot wait on itself
            while self._events.settled < target[0] or self._labels.settled < target[1]:
                if self._aborted or self._thread is None or not self._thread.is_alive():
                    return False
                if deadline is None:
                    self._cond.wait(1.0)
                else:
                    left = deadline - _time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
            return True

    def _abort_locked(self) -> None:
        """Close's deadline passed: drop everything queued or in flight, count it, stop sending."""
        self._aborted = True
        for queue in (self._events, self._labels):
            left = len(queue.entries)
            queue.entries.clear()
            queue.settled = queue.enqueued
            if left:
                self._counts["closed_in_flight"] += left
                self._report_later(
                    ErrorInfo(
                        "closed",
                        "{} record(s) were still queued when close's deadline passed".format(left),
                        queue.kind,
                        records=left,
                    )
                )
        if self._in_flight:
            self._counts["closed_in_flight"] += self._in_flight
            self._report_later(
                ErrorInfo(
                    "closed",
                    "{} record(s) were in flight when close's deadline passed".format(self._in_flight),
                    records=self._in_flight,
                )
            )
            self._in_flight = 0
        self._cond.notify_all()

    def _transport_close_later(self) -> None:
        self._flush_reports()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(0.05)
        if thread is None or not thread.is_alive():
            self._transport.close()

    # ---- sending -------------------------------------------------------------------------------

    def _deliver(self, queue: _Queue, batch: List[_encode.Encoded]) -> None:
        """Sends one batch until every record in it is answered or dropped. A 413 splits it in halves;
        an INGEST_INVALID answer drops the records it lists and resends the rest at once; transient
        failures are retried with backoff."""
        parts: List[List[_encode.Encoded]] = [batch]
        while parts:
            part = parts.pop(0)
            failures = 0
            while part:
                if self._aborted:
                    return  # close counted everything in flight
                outcome = self._post(queue.path, part)
                if self._aborted:
                    return
                answered = isinstance(outcome, Answer)
                if answered and 200 <= outcome.status < 300:
                    self._acknowledged(len(part), outcome.text)
                    part = []
                    continue
                with self._lock:
                    self._counts["failed_requests"] += 1
                body = _parse_json(outcome.text) if answered else None
                code = body.get("code") if body is not None and isinstance(body.get("code"), str) else None
                if answered and outcome.status == 400 and code == "INGEST_INVALID":
                    rest = self._drop_problems(queue, part, body.get("problems"))
                    if rest is not None:
                        part = rest
                        continue
                    # No usable line numbers: resending the same batch would earn the same answer.
                if answered and outcome.status == 413 and len(part) > 1:
                    half = (len(part) + 1) // 2
                    parts[0:0] = [part[:half], part[half:]]
                    part = []
                    continue
                transient = not answered or outcome.status in (408, 429) or 500 <= outcome.status <= 599
                if answered:
                    reason = code or "HTTP_{}".format(outcome.status)
                    detail = body.get("message") if body is not None else None
                    message = "HTTP {}{}{}".format(
                        outcome.status,
                        "" if code is None else " " + code,
                        ": " + detail if isinstance(detail, str) else "",
                    )
                    extra = {"status": outcome.status, "code": code}
                else:
                    reason = "timeout" if outcome.timed_out else "network"
                    message = (
                        "no answer within {} s".format(self._transport.timeout)
                        if outcome.timed_out
                        else "network error: {}".format(_describe(outcome.error))
                    )
                    extra = {"error": outcome.error}
                if not transient:
                    self._drop(len(part), "refused", reason)
                    self._report(ErrorInfo("refused", message, queue.kind, records=len(part), **extra))
                    part = []
                    continue
                failures += 1
                if failures >= self._max_attempts:
                    self._drop(len(part), "retries_exhausted", reason)
                    self._report(
                        ErrorInfo(
                            "gave_up",
                            "gave up after {} attempts: {}".format(failures, message),
                            queue.kind,
                            records=len(part),
                            **extra,
                        )
                    )
                    part = []
                    continue
                delay = backoff_delay(failures, self._initial_delay, self._max_delay, self._random)
                retry_after = parse_retry_after(outcome.retry_after, _time.time()) if answered else None
                # Waiting less than the server asked would only earn another 429; an absurd
                # Retry-After is capped.
                if retry_after is not None:
                    delay = min(max(delay, retry_after), self._max_retry_after)
                with self._lock:
                    self._counts["retries"] += 1
                self._report(ErrorInfo("retry", message, queue.kind, records=len(part), retry_in=delay, **extra))
                self._sleep(delay)

    def _post(self, path: str, part: List[_encode.Encoded]):
        body = b"\n".join(line for _, line in part) + b"\n"
        headers = self._headers
        if self._compress_above is not None and len(body) > self._compress_above:
            body = gzip.compress(body, compresslevel=5)
            headers = dict(headers, **{"Content-Encoding": "gzip"})
        with self._lock:
            self._counts["requests"] += 1
        return self._transport.post(path, body, headers)

    def _sleep(self, seconds: float) -> None:
        deadline = _time.monotonic() + seconds
        with self._cond:
            while not self._aborted:
                left = deadline - _time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def _acknowledged(self, records: int, text: str) -> None:
        body = _parse_json(text) or {}

        def count(key: str) -> int:
            value = body.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        with self._lock:
            if self._aborted:
                return
            self._in_flight -= records
            self._counts["sent"] += records
            self._counts["accepted"] += count("accepted")
            self._counts["duplicates"] += count("duplicates")
            self._counts["unmatched"] += count("unmatched")

    def _drop(self, records: int, counter: str, reason: str) -> None:
        with self._lock:
            if self._aborted:
                return
            self._in_flight -= records
            self._counts[counter] += records
            self._dropped_by_reason[reason] = self._dropped_by_reason.get(reason, 0) + records

    def _drop_problems(self, queue: _Queue, part: List[_encode.Encoded], problems: Any) -> Optional[List[_encode.Encoded]]:
        """Drops the records an INGEST_INVALID answer lists (its ``line``s are 1-based lines of the
        body sent, one record per line) and returns the rest to resend, or None when no listed line
        is in the batch (so that the same body is not resent forever)."""
        if not isinstance(problems, list):
            return None
        by_line: Dict[int, List[Dict[str, str]]] = {}
        for p in problems:
            if not isinstance(p, dict):
                continue
            line = p.get("line")
            if not isinstance(line, int) or isinstance(line, bool) or line < 1 or line > len(part):
                continue
            by_line.setdefault(line, []).append(
                {
                    "field": p.get("field") if isinstance(p.get("field"), str) else "",
                    "code": p.get("code") if isinstance(p.get("code"), str) else "unknown",
                    "message": p.get("message") if isinstance(p.get("message"), str) else "",
                }
            )
        if not by_line:
            return None
        codes: Dict[str, int] = {}
        with self._lock:
            if self._aborted:
                return []
            for line, found in by_line.items():
                ident = part[line - 1][0]
                for code in dict.fromkeys(p["code"] for p in found):
                    self._rejected_by_code[code] = self._rejected_by_code.get(code, 0) + 1
                    codes[code] = codes.get(code, 0) + 1
                for p in found:
                    self._last_problems.append(dict(kind=queue.kind, id=ident, **p))
            del self._last_problems[: max(0, len(self._last_problems) - KEEP_PROBLEMS)]
            self._counts["rejected"] += len(by_line)
            self._in_flight -= len(by_line)
            last = self._last_problems[-1] if self._last_problems else None
        self._report(
            ErrorInfo(
                "rejected_records",
                "the server rejected {} record(s) ({}); resending the other {}{}".format(
                    len(by_line),
                    ", ".join("{}: {}".format(c, n) for c, n in codes.items()),
                    len(part) - len(by_line),
                    "" if last is None else "; last: {} {} {}".format(last["id"], last["field"], last["message"]),
                ),
                queue.kind,
                status=400,
                code="INGEST_INVALID",
                records=len(by_line),
            )
        )
        return [entry for i, entry in enumerate(part) if i + 1 not in by_line]

    # ---- reporting -----------------------------------------------------------------------------

    def _report_later(self, info: ErrorInfo) -> None:
        """Called with the lock held: the report is made once the lock is released."""
        self._pending.append(info)

    def _flush_reports(self) -> None:
        if not self._pending:
            return
        with self._lock:
            infos, self._pending = self._pending, []
        for info in infos:
            self._report(info)

    def _report(self, info: ErrorInfo) -> None:
        try:
            callback = self._on_error
            if callback is not None:
                try:
                    callback(info)
                except Exception:
                    logger.debug("tiktoktoe: on_error raised", exc_info=True)
                return
            # Without a callback: warnings on the "tiktoktoe" logger, at most one per type every
            # LOG_EVERY seconds (a dead server or a full buffer would otherwise flood the log).
            now = _time.monotonic()
            last = self._logged_at.get(info.type)
            if last is not None and now - last < LOG_EVERY:
                self._suppressed[info.type] = self._suppressed.get(info.type, 0) + 1
                return
            self._logged_at[info.type] = now
            skipped = self._suppressed.pop(info.type, 0)
            logger.warning(
                "tiktoktoe %s%s: %s%s",
                info.type,
                "" if info.kind is None else " ({})".format(info.kind),
                info.message,
                "" if skipped == 0 else " ({} similar message(s) suppressed)".format(skipped),
            )
        except Exception:
            pass  # never raise into the host

    def _config(self, message: str) -> None:
        self._report(ErrorInfo("invalid_input", message))

    def _internal(self, error: BaseException) -> None:
        try:
            self._report(ErrorInfo("internal", "tiktoktoe client bug: {}".format(_describe(error)), error=error))
        except Exception:
            pass


def _close_at_exit(ref: "weakref.ref[Client]", timeout: float) -> None:
    client = ref()
    if client is not None:
        client.close(timeout)


def _positive(value: Any, name: str, integer: bool = False, report: Optional[Callable[[str], None]] = None) -> Any:
    ok = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
        and (not integer or float(value).is_integer())
    )
    if ok:
        return int(value) if integer else float(value)
    if report is not None:
        report("{}={!r} is not a positive {}; using the default {}".format(name, value, "integer" if integer else "number", _DEFAULTS[name]))
    return _DEFAULTS[name]


def _rows(records: Any) -> Iterable[Any]:
    """Rows of a pandas DataFrame (as dicts), or the records themselves."""
    if hasattr(records, "to_dict") and hasattr(records, "columns") and hasattr(records, "index"):
        frame = records
        if "id" not in frame.columns and getattr(frame.index, "name", None) == "id":
            frame = frame.reset_index()
        return frame.to_dict("records")
    if isinstance(records, (str, bytes)) or _encode._is_mapping(records):
        raise TypeError("expected a list of dicts or a pandas DataFrame, not a single {}".format(type(records).__name__))
    return iter(records)


def _parse_json(text: str) -> Optional[Dict[str, Any]]:
    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def _describe(error: Any) -> str:
    if isinstance(error, BaseException):
        text = str(error) or type(error).__name__
        return "{}: {}".format(type(error).__name__, text) if text != type(error).__name__ else text
    return str(error)

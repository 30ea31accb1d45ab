"""Sending, retries and the host's safety, against a scripted local http.server."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
import unittest
from datetime import datetime, timezone

from tests.support import Scripted, dead_url
from tiktoktoe import Client, ErrorInfo

T0 = datetime(2024, 3, 4, 10, tzinfo=timezone.utc)
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def predict(client: Client, i: int, **kw) -> bool:
    return client.log_prediction("e{}".format(i), {"x": i}, i, time=T0, **kw)


class RetryTest(unittest.TestCase):
    def setUp(self):
        self.errors = []
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()

    def serve(self, replies, default=None) -> Scripted:
        server = Scripted(replies, default)
        self.servers.append(server)
        return server

    def client(self, server_url: str, **kw) -> Client:
        options = dict(flush_interval=0.05, initial_delay=0.01, max_delay=0.05, on_error=self.errors.append, exit_timeout=None)
        options.update(kw)
        return Client(server_url, "m", "1", **options)

    def test_503_with_retry_after_is_retried_after_the_wait_then_sent(self):
        server = self.serve([(503, {"Retry-After": "1"}, {"code": "UNAVAILABLE", "message": "busy"})])
        client = self.client(server.url)
        for i in range(3):
            self.assertTrue(predict(client, i))
        self.assertTrue(client.flush(10))
        self.assertEqual(len(server.requests), 2)
        waited = server.requests[1].at - server.requests[0].at
        self.assertGreaterEqual(waited, 0.95, "Retry-After: 1 honoured over the 10 ms backoff")
        self.assertEqual([r["id"] for r in server.requests[1].lines], ["e0", "e1", "e2"])
        self.assertEqual([(e.type, e.status, e.code, e.records) for e in self.errors], [("retry", 503, "UNAVAILABLE", 3)])
        self.assertGreaterEqual(self.errors[0].retry_in, 1.0)
        stats = client.stats()
        self.assertEqual((stats["sent"], stats["accepted"], stats["retries"], stats["requests"]), (3, 3, 1, 2))
        self.assertEqual(stats["failed_requests"], 1)
        client.close()

    def test_a_server_with_a_queue_503_queue_unavailable_is_retried_and_202_queued_counts_as_accepted(self):
        server = self.serve(
            [(503, {"Retry-After": "0"}, {"code": "QUEUE_UNAVAILABLE", "message": "down"})],
            default=lambda req: (202, {}, {"queued": True, "accepted": len(req.lines), "batch": "ab12"}),
        )
        client = self.client(server.url)
        for i in range(3):
            self.assertTrue(predict(client, i))
        self.assertTrue(client.flush(10))
        self.assertEqual([[r["id"] for r in q.lines] for q in server.requests], [["e0", "e1", "e2"]] * 2)
        self.assertEqual([(e.type, e.status, e.code) for e in self.errors], [("retry", 503, "QUEUE_UNAVAILABLE")])
        stats = client.stats()
        self.assertEqual((stats["sent"], stats["accepted"], stats["duplicates"], stats["retries"]), (3, 3, 0, 1))
        client.close()

    def test_429_and_408_and_500_are_retried_until_success(self):
        server = self.serve(
            [(429, {"Retry-After": "0"}, None), (408, {}, None), (500, {}, {"code": "INTERNAL"}), (502, {}, None)]
        )
        client = self.client(server.url)
        predict(client, 1)
        self.assertTrue(client.flush(10))
        self.assertEqual([e.status for e in self.errors], [429, 408, 500, 502])
        self.assertEqual(client.stats()["sent"], 1)
        self.assertEqual(len(server.requests), 5)
        client.close()

    def test_a_4xx_is_not_retried_and_its_batch_is_dropped(self):
        server = self.serve([(401, {}, {"code": "UNAUTHORIZED", "message": "a token is required"})])
        client = self.client(server.url, token="s3cret")
        predict(client, 1)
        predict(client, 2)
        self.assertTrue(client.flush(10))
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(server.requests[0].headers["authorization"], "Bearer s3cret")
        self.assertEqual(server.requests[0].headers["content-type"], "application/x-ndjson")
        self.assertEqual([(e.type, e.status, e.code, e.records) for e in self.errors], [("refused", 401, "UNAUTHORIZED", 2)])
        self.assertIn("a token is required", self.errors[0].message)
        dropped = client.stats()["dropped"]
        self.assertEqual((dropped["refused"], dropped["by_reason"]), (2, {"UNAUTHORIZED": 2}))
        client.close()

    def test_attempts_run_out(self):
        server = self.serve([], default=lambda req: (503, {}, None))
        client = self.client(server.url, max_attempts=3)
        predict(client, 1)
        self.assertTrue(client.flush(10))
        self.assertEqual(len(server.requests), 3)
        self.assertEqual([e.type for e in self.errors], ["retry", "retry", "gave_up"])
        self.assertEqual(client.stats()["dropped"]["retries_exhausted"], 1)
        self.assertEqual(client.stats()["dropped"]["by_reason"], {"HTTP_503": 1})
        client.close()

    def test_ingest_invalid_drops_the_listed_lines_and_resends_the_rest(self):
        problems = {
            "code": "INGEST_INVALID",
            "problems": [
                {"line": 2, "field": "features.colour", "code": "unknown_feature", "message": "not a column"},
                {"line": 4, "field": "time", "code": "too_late", "message": "late"},
            ],
        }
        server = self.serve([(400, {}, problems)])
        client = self.client(server.url)
        for i in range(5):
            predict(client, i)
        self.assertTrue(client.flush(10))
        self.assertEqual([len(r.lines) for r in server.requests], [5, 3])
        self.assertEqual([r["id"] for r in server.requests[1].lines], ["e0", "e2", "e4"])
        stats = client.stats()
        self.assertEqual(stats["rejected"], {"total": 2, "by_code": {"unknown_feature": 1, "too_late": 1}})
        self.assertEqual([(p["id"], p["code"]) for p in stats["last_problems"]], [("e1", "unknown_feature"), ("e3", "too_late")])
        self.assertEqual((stats["sent"], stats["dropped"]["rejected"]), (3, 2))
        self.assertEqual([e.type for e in self.errors], ["rejected_records"])
        client.close()

    def test_413_splits_the_batch_in_halves(self):
        server = self.serve([(413, {}, {"code": "BODY_TOO_LARGE"})])
        client = self.client(server.url)
        for i in range(5):
            predict(client, i)
        self.assertTrue(client.flush(10))
        self.assertEqual([len(r.lines) for r in server.requests], [5, 3, 2])
        self.assertEqual(client.stats()["sent"], 5)
        client.close()

    def test_batches_by_size_gzip_for_large_bodies_and_labels_after_their_predictions(self):
        server = self.serve([])
        client = self.client(server.url, batch_size=100, flush_interval=60, compress_above=6000)
        for i in range(250):
            predict(client, i)
            client.log_label("e{}".format(i), i)
        self.assertTrue(client.flush(10))
        paths = [(r.path, len(r.lines)) for r in server.requests]
        self.assertEqual(
            paths,
            [("/v1/models/m/events", 100), ("/v1/models/m/events", 100), ("/v1/models/m/events", 50)]
            + [("/v1/models/m/labels", 100), ("/v1/models/m/labels", 100), ("/v1/models/m/labels", 50)],
        )
        self.assertEqual(server.requests[0].headers.get("content-encoding"), "gzip")
        self.assertTrue(gzip.decompress(server.requests[0].body).endswith(b"\n"))
        self.assertIsNone(server.requests[2].headers.get("content-encoding"), "a small body goes as it is")
        client.close()

    @unittest.skipUnless(hasattr(os, "fork"), "no os.fork here")
    def test_a_forked_child_sends_with_its_own_thread(self):
        server = self.serve([])
        client = self.client(server.url)
        predict(client, 1)
        self.assertTrue(client.flush(10))
        pid = os.fork()
        if pid == 0:  # the child: exit status 0 only when its record was sent
            try:
                predict(client, 2)
                os._exit(0 if client.flush(10) and client.stats()["sent"] == 2 else 1)
            except BaseException:
                os._exit(2)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8, 0)
        self.assertEqual(sorted(r.lines[0]["id"] for r in server.requests), ["e1", "e2"])
        client.close()

    def test_a_partial_batch_goes_after_the_flush_interval(self):
        server = self.serve([])
        client = self.client(server.url, flush_interval=0.2)
        predict(client, 1)
        deadline = time.monotonic() + 5
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(len(server.requests), 1)
        client.close()


class NeverRaiseTest(unittest.TestCase):
    def test_a_dead_server_costs_the_host_nothing_and_everything_is_counted(self):
        errors = []
        client = Client(
            dead_url(), "m", "1", max_queue=100, batch_size=10, initial_delay=0.005, max_attempts=1000,
            on_error=errors.append, exit_timeout=None,
        )
        started = time.monotonic()
        for i in range(1000):
            predict(client, i)
        self.assertLess(time.monotonic() - started, 2.0)
        deadline = time.monotonic() + 10
        while not any(e.type == "retry" for e in errors) and time.monotonic() < deadline:
            time.sleep(0.01)
        stats = client.stats()
        self.assertEqual(stats["buffered"] + stats["in_flight"], 100)
        self.assertEqual((stats["logged"], stats["dropped"]["buffer_full"]), (100, 900))
        self.assertEqual(sum(e.type == "buffer_full" for e in errors), 1, "reported once per episode")
        self.assertTrue(any(e.type == "retry" and "network error" in e.message for e in errors))
        self.assertFalse(client.flush(0.05))
        self.assertFalse(client.close(0.05))
        stats = client.stats()
        self.assertEqual(stats["buffered"] + stats["in_flight"], 0)
        self.assertEqual(stats["dropped"]["closed_in_flight"], 100)
        self.assertEqual(stats["dropped"]["total"], 1000)
        self.assertFalse(predict(client, 0))
        self.assertEqual(client.stats()["dropped"]["after_close"], 1)
        client.close()

    def test_no_exception_reaches_the_caller(self):
        def broken(info: ErrorInfo) -> None:
            raise RuntimeError("the host's callback is broken")

        client = Client("not a url", None, 5, batch_size=-3, flush_interval="x", max_queue=0, on_error=broken, exit_timeout=None)
        cyclic = {}
        cyclic["self"] = cyclic
        bad = [
            dict(id=None, features={}, prediction=1),
            dict(id="", features={}, prediction=1),
            dict(id={}, features={}, prediction=1),
            dict(id="a", features=None, prediction=1),
            dict(id="a", features={}, prediction=float("nan")),
            dict(id="a", features={}, prediction=1, time=datetime(2024, 1, 1)),
            dict(id="a", features={}, prediction=1, latency_ms=-1),
            dict(id="a", features=cyclic, prediction=1),
            dict(id="a", features={"x": object()}, prediction=1),
        ]
        for record in bad:
            self.assertFalse(client.log_prediction(**record))
        self.assertFalse(client.log_label(None, 1))
        self.assertFalse(client.log_label("a", None))
        self.assertEqual(client.log_predictions(None), 0)
        self.assertEqual(client.log_predictions({"id": 1}), 0)
        self.assertEqual(client.log_predictions([1, "x", {"id": "a"}]), 0)
        self.assertEqual(client.log_labels([{"id": "a"}, 3]), 0)
        self.assertEqual(client.stats()["logged"], 0)
        self.assertTrue(client.log_prediction(7, {"x": 1}, "yes", time=T0))
        self.assertFalse(client.flush(0.01))
        self.assertFalse(client.close(0.01))
        client.close()
        self.assertFalse(client.close())  # idempotent: the first answer

    def test_without_on_error_failures_are_logged_as_warnings_not_raised(self):
        client = Client(dead_url(), "m", "1", exit_timeout=None)
        with self.assertLogs("tiktoktoe", "WARNING") as logs:
            self.assertFalse(client.log_prediction("a", {}, 1, time=datetime(2024, 1, 1)))
            self.assertFalse(client.log_prediction("b", {}, 1, time=datetime(2024, 1, 1)))
        self.assertEqual(len(logs.records), 1, "the same type is logged at most once every 10 s")
        self.assertIn("no time zone", logs.output[0])
        client.close(0.01)

    def test_the_context_manager_and_atexit_send_what_is_left(self):
        server = Scripted([])
        try:
            script = (
                "import sys; sys.path.insert(0, {!r})\n"
                "from tiktoktoe import Client\n"
                "c = Client({!r}, 'm', '1', flush_interval=3600)\n"
                "for i in range(5): c.log_prediction(i, {{'x': i}}, i, time=1709546400000)\n"
                "with Client({!r}, 'm', '1', flush_interval=3600) as d:\n"
                "    d.log_label(1, 2)\n"
            ).format(PACKAGE, server.url, server.url)
            started = time.monotonic()
            subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
            self.assertLess(time.monotonic() - started, 10)
            self.assertEqual(
                sorted((r.path, len(r.lines)) for r in server.requests),
                [("/v1/models/m/events", 5), ("/v1/models/m/labels", 1)],
            )
        finally:
            server.stop()

    def test_a_dead_server_holds_the_exit_only_for_exit_timeout(self):
        script = (
            "import sys; sys.path.insert(0, {!r})\n"
            "from tiktoktoe import Client\n"
            "c = Client({!r}, 'm', '1', exit_timeout=0.5, initial_delay=20)\n"
            "c.log_prediction(1, {{}}, 1, time=1709546400000)\n"
            "print(c.flush(0.2))\n"
        ).format(PACKAGE, dead_url())
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.strip(), "False")
        self.assertLess(time.monotonic() - started, 5)


if __name__ == "__main__":
    unittest.main()

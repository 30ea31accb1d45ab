"""The client against a real ``tiktoktoe serve`` (node dist/cli/bin.js serve), read back over HTTP."""

from __future__ import annotations

import unittest
from datetime import datetime, timedelta, timezone

from tests.support import Serve, start_serve
from tiktoktoe import Client

try:
    import pandas
except ImportError:  # pragma: no cover - Debian's python3-pandas is optional
    pandas = None

T0 = datetime(2024, 3, 4, 10, tzinfo=timezone.utc)
RIDES = [
    {"name": "temp", "type": "numeric"},
    {"name": "hum", "type": "numeric"},
    {"name": "season", "type": "categorical"},
]


def features(i: int):
    return {"temp": (i % 40) / 40, "hum": 0.5, "season": str(1 + i % 4)}


class RealServerTest(unittest.TestCase):
    """One server for the class (started by the first test); tests run in name order and build on
    each other's totals."""

    server = None  # type: Serve

    def setUp(self):
        if RealServerTest.server is None:
            RealServerTest.server = start_serve(self, "event")
            RealServerTest.server.register("rides", RIDES)
            RealServerTest.server.register(
                "churn", [{"name": "tenure", "type": "numeric"}, {"name": "plan", "type": "categorical"}],
                task="binary", classes=["no", "yes"],
            )
        self.errors = []

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
            cls.server = None

    def client(self, model: str, **kw) -> Client:
        return Client(self.server.url, model, "1", on_error=self.errors.append, exit_timeout=None, **kw)

    def test_1_predictions_and_labels_are_stored_and_a_resend_is_all_duplicates(self):
        with self.client("rides") as client:
            for i in range(2500):
                self.assertTrue(
                    client.log_prediction("p{}".format(i), features(i), 100 + i % 50, latency_ms=1 + i % 7, time=T0 + timedelta(seconds=i))
                )
            for i in range(2500):
                client.log_label("p{}".format(i), 100 + i % 45)
        self.assertEqual(self.errors, [])
        stats = client.stats()
        self.assertEqual(
            (stats["logged"], stats["sent"], stats["accepted"], stats["duplicates"], stats["unmatched"], stats["requests"]),
            (5000, 5000, 5000, 0, 0, 6),
        )
        self.assertEqual(stats["dropped"]["total"], 0)
        self.assertEqual(self.server.totals("rides"), {"events": 2500, "labels": 2500})

        with self.client("rides") as again:
            again.log_predictions(
                {"id": "p{}".format(i), "time": T0 + timedelta(seconds=i), "prediction": 100 + i % 50, **features(i)}
                for i in range(2500)
            )
        self.assertEqual(self.errors, [])
        self.assertEqual((again.stats()["duplicates"], again.stats()["accepted"]), (2500, 0))
        self.assertEqual(self.server.totals("rides"), {"events": 2500, "labels": 2500})

    def test_2_a_record_with_an_unknown_feature_is_dropped_and_the_rest_stored(self):
        client = self.client("rides")
        for i in range(10):
            extra = {"colour": "red"} if i == 3 else {}
            client.log_prediction("q{}".format(i), dict(features(i), **extra), 1.0, time=T0 + timedelta(minutes=i))
        self.assertTrue(client.flush(10))
        stats = client.stats()
        self.assertEqual(stats["rejected"], {"total": 1, "by_code": {"unknown_feature": 1}})
        self.assertEqual((stats["accepted"], stats["dropped"]["rejected"]), (9, 1))
        self.assertEqual(
            [(p["kind"], p["id"], p["field"], p["code"]) for p in stats["last_problems"]],
            [("events", "q3", "features.colour", "unknown_feature")],
        )
        self.assertEqual([(e.type, e.records) for e in self.errors], [("rejected_records", 1)])
        self.assertEqual(self.server.totals("rides"), {"events": 2509, "labels": 2500})
        client.close()

    def test_3_a_classifier_with_scores_and_labels_by_dicts(self):
        with self.client("churn") as client:
            for i in range(20):
                client.log_prediction(
                    i, {"tenure": i, "plan": "pro" if i % 2 else "basic"}, "yes" if i % 3 else "no",
                    scores=0.8 if i % 3 else 0.2, time=(T0 + timedelta(seconds=i)).isoformat(),
                )
            self.assertEqual(client.log_labels([{"id": i, "value": "yes"} for i in range(20)]), 20)
            client.log_label(999, "no")  # no such prediction: counted as unmatched
        self.assertEqual(self.errors, [])
        self.assertEqual((client.stats()["accepted"], client.stats()["unmatched"]), (40, 1))
        self.assertEqual(self.server.totals("churn"), {"events": 20, "labels": 20})

    @unittest.skipIf(pandas is None, "pandas is not importable (Debian: python3-pandas)")
    def test_4_a_pandas_data_frame(self):
        n = 300
        frame = pandas.DataFrame(
            {
                "id": ["d{}".format(i) for i in range(n)],
                "time": pandas.date_range("2024-03-04T11:00:00Z", periods=n, freq="s"),
                "temp": [float("nan") if i % 10 == 0 else i / n for i in range(n)],
                "hum": pandas.Series(range(n), dtype="int64") / n,
                "season": [str(1 + i % 4) for i in range(n)],
                "prediction": pandas.Series(range(n), dtype="float32"),
                "latency_ms": 2.5,
            }
        )
        labels = pandas.DataFrame({"id": frame["id"], "value": frame["prediction"] + 1})
        with self.client("rides") as client:
            self.assertEqual(client.log_predictions(frame), n)
            self.assertEqual(client.log_labels(labels), n)
            naive = frame.head(3).assign(time=frame["time"].head(3).dt.tz_localize(None), id=["n1", "n2", "n3"])
            self.assertEqual(client.log_predictions(naive), 0, "naive times are refused, not guessed")
        self.assertEqual([e.type for e in self.errors], ["invalid_input"] * 3)
        self.assertIn("no time zone", self.errors[0].message)
        self.assertEqual((client.stats()["accepted"], client.stats()["dropped"]["total"]), (2 * n, 3))
        self.assertEqual(self.server.totals("rides"), {"events": 2509 + n, "labels": 2500 + n})


class WallClockTest(unittest.TestCase):
    def test_predictions_without_a_time_are_stamped_now(self):
        server = start_serve(self, "wall")
        try:
            server.register("live", RIDES)
            errors = []
            with Client(server.url, "live", "1", on_error=errors.append, exit_timeout=None) as client:
                for i in range(5):
                    client.log_prediction("w{}".format(i), features(i), 1.0)
                client.log_label("w0", 2.0, time=datetime.now(timezone.utc))
            self.assertEqual(errors, [])
            self.assertEqual(server.totals("live"), {"events": 5, "labels": 1})
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()

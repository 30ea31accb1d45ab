"""Record encoding: types, times, NaN, numpy values (when numpy is importable)."""

from __future__ import annotations

import json
import unittest
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from tiktoktoe import _encode
from tiktoktoe._backoff import backoff_delay, parse_retry_after

try:
    import numpy
except ImportError:  # pragma: no cover
    numpy = None

NOW = 1_709_546_400_000


def event(**kw):
    args = dict(id="a", features={"x": 1}, prediction=2, scores=None, latency_ms=None, time=None, version="1", now_ms=NOW)
    args.update(kw)
    ident, line = _encode.encode_prediction(**args)
    return ident, json.loads(line)


class EncodeTest(unittest.TestCase):
    def test_a_prediction_line_has_the_server_fields_and_defaults_to_now(self):
        ident, record = event(scores=[0.2, 0.8], latency_ms=4.2)
        self.assertEqual(ident, "a")
        self.assertEqual(
            record,
            {"id": "a", "time": NOW, "version": "1", "features": {"x": 1}, "prediction": 2, "scores": [0.2, 0.8], "latency_ms": 4.2},
        )

    def test_times(self):
        aware = datetime(2024, 3, 4, 10, 0, 0, 123000, tzinfo=timezone(timedelta(hours=1)))
        self.assertEqual(event(time=aware)[1]["time"], 1709542800123)
        self.assertEqual(event(time=1709542800123)[1]["time"], 1709542800123)
        self.assertEqual(event(time="2024-03-04T10:00:00Z")[1]["time"], "2024-03-04T10:00:00Z")
        for bad, why in [
            (datetime(2024, 3, 4, 10), "no time zone"),
            (date(2024, 3, 4), "not a date"),
            (1709542800, "epoch seconds"),
            (float("nan"), "NaN"),
            ("", "empty"),
            (True, "time must be"),
            (object(), "time must be"),
        ]:
            with self.assertRaisesRegex(_encode.Invalid, why):
                event(time=bad)

    def test_features_nan_becomes_null_and_bad_values_are_refused(self):
        record = event(features={"x": float("nan"), "y": float("inf"), "z": None, "d": Decimal("1.5"), 3: "k"})[1]
        self.assertEqual(record["features"], {"x": None, "y": None, "z": None, "d": 1.5, "3": "k"})
        for bad in [None, [1, 2], "x", {"x": object()}, {"x": {1, 2}}]:
            with self.assertRaises(_encode.Invalid):
                event(features=bad)

    def test_ids_predictions_versions_latency(self):
        self.assertEqual(event(id=7)[0], "7")
        self.assertEqual(event(id=7.0)[1]["id"], 7)
        for bad in ["", "x" * 257, 1.5, True, None, 2**53, {}]:
            with self.assertRaises(_encode.Invalid, msg=repr(bad)):
                event(id=bad)
        for bad in [float("nan"), None, [1], {"a": 1}]:
            with self.assertRaises(_encode.Invalid, msg=repr(bad)):
                event(prediction=bad)
        self.assertEqual(event(prediction="yes")[1]["prediction"], "yes")
        self.assertIs(event(prediction=True)[1]["prediction"], True)
        for bad in ["", None, 1]:
            with self.assertRaises(_encode.Invalid):
                event(version=bad)
        for bad in [-1, float("inf"), "3"]:
            with self.assertRaises(_encode.Invalid):
                event(latency_ms=bad)

    def test_labels(self):
        ident, line = _encode.encode_label("a", "yes", None)
        self.assertEqual(json.loads(line), {"id": "a", "value": "yes"})
        _, line = _encode.encode_label(3, 1.5, datetime(2024, 3, 4, tzinfo=timezone.utc))
        self.assertEqual(json.loads(line), {"id": 3, "value": 1.5, "time": 1709510400000})
        for bad in [None, float("nan"), [1]]:
            with self.assertRaises(_encode.Invalid):
                _encode.encode_label("a", bad, None)

    def test_records_of_log_predictions(self):
        self.assertEqual(
            _encode.prediction_fields({"id": 1, "prediction": 2, "temp": 0.3, "season": "1"})["features"],
            {"temp": 0.3, "season": "1"},
        )
        self.assertEqual(_encode.prediction_fields({"id": 1, "prediction": 2, "features": {"a": 1}, "b": 2})["features"], {"a": 1})
        with self.assertRaisesRegex(_encode.Invalid, "unexpected: colour"):
            _encode.label_fields({"id": 1, "value": 2, "colour": 3})

    @unittest.skipIf(numpy is None, "numpy is not importable")
    def test_numpy_values(self):
        ident, record = event(
            id=numpy.int64(12),
            features={"a": numpy.float32(0.5), "b": numpy.int64(3), "c": numpy.float64("nan"), "d": numpy.bool_(True)},
            prediction=numpy.float64(1.25),
            scores=numpy.array([0.25, 0.75]),
            latency_ms=numpy.float64(3.0),
            time=numpy.int64(1709542800000),
        )
        self.assertEqual(ident, "12")
        self.assertEqual(record["features"], {"a": 0.5, "b": 3, "c": None, "d": True})
        self.assertEqual(record["prediction"], 1.25)
        self.assertEqual(record["scores"], [0.25, 0.75])
        self.assertEqual(record["time"], 1709542800000)
        with self.assertRaisesRegex(_encode.Invalid, "datetime64"):
            event(time=numpy.datetime64("2024-03-04T10:00:00"))


class BackoffTest(unittest.TestCase):
    def test_full_jitter_doubles_up_to_the_cap(self):
        self.assertEqual(backoff_delay(1, 0.5, 30, lambda: 0.5), 0.25)
        self.assertEqual(backoff_delay(3, 0.5, 30, lambda: 0.5), 1.0)
        self.assertEqual(backoff_delay(20, 0.5, 30, lambda: 0.999), 0.999 * 30)
        self.assertEqual(backoff_delay(2, 0.5, 30, lambda: float("nan")), 0.5)

    def test_retry_after(self):
        self.assertEqual(parse_retry_after("2", 0), 2.0)
        self.assertEqual(parse_retry_after(" 1.5 ", 0), 1.5)
        now = datetime(2015, 10, 21, 7, 27, tzinfo=timezone.utc).timestamp()
        self.assertEqual(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 60.0)
        self.assertEqual(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now + 3600), 0.0)
        for bad in [None, "", "soon", "-1"]:
            self.assertIsNone(parse_retry_after(bad, now))


if __name__ == "__main__":
    unittest.main()

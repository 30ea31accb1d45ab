"""Turns the caller's records into NDJSON lines of the server's formats.

Only the structure is checked here; what only the model's schema can tell (unknown features,
classes, lateness) is the server's to say. A record is serialised when it is logged, so a caller
mutating its dict afterwards changes nothing. numpy and pandas values are converted by duck typing:
neither is imported.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from decimal import Decimal
from typing import Any, Dict, Mapping, Optional, Tuple

# The server's limit on ids (docs/errors.md, invalid_id), checked here so a bad id costs no request.
MAX_ID_LENGTH = 256
MAX_SAFE_INTEGER = 2**53 - 1
# Epoch times below this many milliseconds (1973-03-03) are taken for a unit mistake: time.time()
# gives seconds, and 1.7e9 read as milliseconds is January 1970, which the server would accept in
# event-clock mode or reject as too late, far from the cause.
MIN_EPOCH_MS = 1e11

# Keys of a prediction record; with no "features" key, every other key of the record is a feature.
PREDICTION_KEYS = ("id", "time", "version", "features", "prediction", "scores", "latency_ms")
LABEL_KEYS = ("id", "value", "time")


class Invalid(Exception):
    """A record that cannot be sent, and why."""


Encoded = Tuple[str, bytes]  # (the id as text, for diagnostics; the NDJSON line without "\n")


def encode_prediction(
    id: Any,
    features: Any,
    prediction: Any,
    scores: Any,
    latency_ms: Any,
    time: Any,
    version: Any,
    now_ms: float,
) -> Encoded:
    ident, id_value = _read_id(id)
    where = "prediction {}".format(ident)
    if features is None or not _is_mapping(features):
        raise Invalid("{}: features must be a dict of feature values".format(where))
    clean_features = {str(k): _clean(v, "{}: features.{}".format(where, k)) for k, v in _items(features)}
    value = _read_value(prediction, where, "prediction")
    if _is_missing(time):
        ms: Any = now_ms
        if time is not None:
            raise Invalid("{}: time is NaN/NaT".format(where))
    else:
        ms = _read_time(time, where)
    if version is None or _is_missing(version) or not isinstance(version, str) or version == "":
        raise Invalid("{}: version must be a non-empty string".format(where))
    record: Dict[str, Any] = {
        "id": id_value,
        "time": ms,
        "version": version,
        "features": clean_features,
        "prediction": value,
    }
    if scores is not None:
        record["scores"] = _clean(scores, "{}: scores".format(where))
    if latency_ms is not None:
        latency = _number(latency_ms)
        if latency is None or not math.isfinite(latency) or latency < 0:
            raise Invalid("{}: latency_ms must be a finite number >= 0".format(where))
        record["latency_ms"] = latency
    return ident, _serialise(ident, record)


def encode_label(id: Any, value: Any, time: Any) -> Encoded:
    ident, id_value = _read_id(id)
    where = "label {}".format(ident)
    record: Dict[str, Any] = {"id": id_value, "value": _read_value(value, where, "value")}
    if time is not None:
        if _is_missing(time):
            raise Invalid("{}: time is NaN/NaT".format(where))
        record["time"] = _read_time(time, where)
    return ident, _serialise(ident, record)


def prediction_fields(record: Any) -> Dict[str, Any]:
    """The keyword arguments of ``log_prediction`` from one record of ``log_predictions``."""
    if not _is_mapping(record):
        raise Invalid("a prediction record must be a dict, not {}".format(type(record).__name__))
    items = dict(_items(record))
    fields = {key: items.get(key) for key in PREDICTION_KEYS}
    if "features" not in items:
        fields["features"] = {k: v for k, v in items.items() if k not in PREDICTION_KEYS}
    return fields


def label_fields(record: Any) -> Dict[str, Any]:
    if not _is_mapping(record):
        raise Invalid("a label record must be a dict, not {}".format(type(record).__name__))
    items = dict(_items(record))
    unknown = [k for k in items if k not in LABEL_KEYS]
    if unknown:
        raise Invalid("a label record has id, value and time; unexpected: {}".format(", ".join(map(str, unknown))))
    return {key: items.get(key) for key in LABEL_KEYS}


# ---- values ---------------------------------------------------------------------------------------


def _is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping) or (hasattr(value, "keys") and hasattr(value, "__getitem__"))


def _items(value: Any):
    if isinstance(value, Mapping):
        return value.items()
    return ((k, value[k]) for k in value.keys())


def _numpy_scalar(value: Any) -> bool:
    kind = type(value)
    return kind.__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", None) == 0


def _is_missing(value: Any) -> bool:
    """None, NaN, pandas.NA and pandas.NaT."""
    if value is None:
        return True
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return True
    if isinstance(value, float) or _numpy_scalar(value):
        try:
            return value != value  # NaN, numpy NaN, numpy NaT
        except Exception:
            return False
    return False


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if _numpy_scalar(value):
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return None


def _read_id(value: Any) -> Tuple[str, Any]:
    problem = "id must be a non-empty string of at most {} characters, or an integer of at most 2**53-1 in magnitude".format(
        MAX_ID_LENGTH
    )
    if _numpy_scalar(value):
        value = value.item()
    if isinstance(value, str):
        if 0 < len(value) <= MAX_ID_LENGTH:
            return value, value
        raise Invalid(problem)
    if isinstance(value, bool):
        raise Invalid(problem)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)  # ids read from a DataFrame column with gaps arrive as floats
    if isinstance(value, int) and abs(value) <= MAX_SAFE_INTEGER:
        return str(value), value
    raise Invalid(problem)


def _read_value(value: Any, where: str, field: str) -> Any:
    if _numpy_scalar(value):
        value = value.item()
    if isinstance(value, (str, bool)):
        return value
    number = _number(value)
    if number is not None:
        if not math.isfinite(number):
            raise Invalid("{}: {} must be finite".format(where, field))
        return number
    raise Invalid("{}: {} must be a number, string or boolean".format(where, field))


def _read_time(value: Any, where: str) -> Any:
    if isinstance(value, str):
        if value == "":
            raise Invalid("{}: time must not be empty".format(where))
        return value  # passed as is: the server checks ISO 8601 with a zone, and says why not
    if isinstance(value, _dt.datetime):  # pandas.Timestamp included
        if value.tzinfo is None or value.utcoffset() is None:
            raise Invalid(
                "{}: time {} has no time zone (a naive datetime means different instants on different "
                "machines); pass an aware datetime, e.g. datetime.now(timezone.utc), or "
                "Series.dt.tz_localize('UTC')".format(where, value.isoformat())
            )
        ms = value.timestamp() * 1000.0
        return int(ms) if ms.is_integer() else round(ms, 3)
    if isinstance(value, _dt.date):
        raise Invalid("{}: time must be a datetime with a time zone, not a date".format(where))
    if type(value).__name__ == "datetime64":
        raise Invalid(
            "{}: time is a numpy.datetime64, which has no time zone; pass an aware datetime or epoch "
            "milliseconds".format(where)
        )
    number = _number(value)
    if number is None:
        raise Invalid(
            "{}: time must be an aware datetime, epoch milliseconds or an ISO 8601 string with a zone".format(where)
        )
    if not math.isfinite(number):
        raise Invalid("{}: time must be finite".format(where))
    if 0 < number < MIN_EPOCH_MS:
        raise Invalid(
            "{}: time {} looks like epoch seconds; pass milliseconds (time.time() * 1000) or an aware "
            "datetime".format(where, number)
        )
    return number


def _clean(value: Any, where: str, depth: int = 0) -> Any:
    """A JSON-ready copy: NaN, ±inf, None, pandas.NA and NaT become null; numpy values plain Python."""
    if depth > 32:
        raise Invalid("{}: nested too deeply (a cycle?)".format(where))
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if _is_missing(value):
        return None
    if _numpy_scalar(value):
        return _clean(value.item(), where, depth + 1)
    if isinstance(value, Decimal):
        return _clean(float(value), where, depth + 1)
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if _is_mapping(value):
        return {str(k): _clean(v, where, depth + 1) for k, v in _items(value)}
    if isinstance(value, (list, tuple)):
        return [_clean(v, where, depth + 1) for v in value]
    if hasattr(value, "tolist") and type(value).__module__.split(".")[0] in ("numpy", "pandas"):
        return _clean(value.tolist(), where, depth + 1)
    raise Invalid("{}: a {} cannot be sent (numbers, strings, booleans and None)".format(where, type(value).__name__))


def _serialise(ident: str, record: Dict[str, Any]) -> bytes:
    try:
        # json.dumps never emits a raw newline: one record is exactly one NDJSON line, which the
        # server's problem line numbers depend on.
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise Invalid("record {} cannot be serialised: {}".format(ident, error)) from None
    return text.encode("utf-8")

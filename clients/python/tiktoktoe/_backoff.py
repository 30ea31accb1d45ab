"""Retry timing: full-jitter exponential backoff and the HTTP ``Retry-After`` header."""

from __future__ import annotations

import math
import re
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

_SECONDS = re.compile(r"^\d+(\.\d+)?$")


def backoff_delay(attempt: int, initial: float, maximum: float, random: Callable[[], float]) -> float:
    """The wait in seconds before retry number ``attempt`` (1 for the first retry).

    "Full jitter": a uniform draw in [0, min(maximum, initial * 2 ** (attempt - 1))), so that many
    clients failing together (a server restart) do not come back together.
    """
    cap = min(maximum, initial * 2 ** max(0, attempt - 1))
    try:
        r = float(random())
    except Exception:  # a broken random source must not break sending
        r = 0.5
    unit = min(max(r, 0.0), 1.0) if math.isfinite(r) else 0.5
    return unit * cap


def parse_retry_after(value: Optional[str], now: float) -> Optional[float]:
    """Reads ``Retry-After`` (delay-seconds, decimals tolerated, or an HTTP date) as seconds to wait.

    ``now`` is the current time in epoch seconds. Returns ``None`` when absent or unreadable, 0 for a
    date in the past.
    """
    if value is None:
        return None
    text = value.strip()
    if text == "":
        return None
    if _SECONDS.match(text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        from datetime import timezone

        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now)

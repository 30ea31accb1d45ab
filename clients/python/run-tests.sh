#!/usr/bin/env bash
# The Python client's tests with Debian's python3 (/usr/bin/python3 if present, else python3 on PATH),
# against a real `tiktoktoe serve` from dist/ (built here first). Run from anywhere; CI: npm run test:python.
# The last line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=$(command -v python3); fi
echo "== python client tests with $PYTHON ($("$PYTHON" --version 2>&1))"
if [ "${TIKTOKTOE_SKIP_BUILD:-0}" != "1" ]; then npm run build; fi
# Here a missing server is a failure, not a skip.
TIKTOKTOE_REQUIRE_SERVER=1 PYTHONDONTWRITEBYTECODE=1 exec "$PYTHON" clients/python/tests/run.py "$@"

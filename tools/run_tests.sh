#!/usr/bin/env bash
# Set up the environment and run the test suite (CPU only). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/setup_env.sh
python -m pytest tests -q "$@"

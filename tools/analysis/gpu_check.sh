#!/usr/bin/env bash
# Run the prepared GPU check (tools/analysis/gpu_check.py; arguments pass
# through). If .whl/ holds wheels (tools/analysis/gpu_wheels.sh), they are
# installed first into /tmp/site, for a GPU machine that has PyTorch but not
# the OpenMMLab stack and no network. Elsewhere, activate the project's
# environment first (`. tools/setup_env.sh`).
#
#   bash tools/analysis/gpu_check.sh --out-dir work_dirs/gpu_check
#   bash tools/analysis/gpu_check.sh --smoke      # CPU, toy sizes
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
if compgen -G ".whl/*.whl" > /dev/null; then
    SITE=${SITE:-/tmp/site}
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile \
        --no-cache-dir --upgrade --target "$SITE" .whl/*.whl
    export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
    # Python >= 3.12 has no distutils, and mmengine's Runner imports
    # distutils.errors; setuptools provides it through a .pth file, which a
    # --target folder on PYTHONPATH does not run: expose its copy directly
    if ! "$PYTHON" -c 'import distutils.errors' 2> /dev/null; then
        ln -sfn setuptools/_distutils "$SITE/distutils"
    fi
fi
export PYTHONUNBUFFERED=1
exec "$PYTHON" tools/analysis/gpu_check.py "$@"

#!/usr/bin/env bash
# Download, on a machine that reaches PyPI, the wheels that a GPU machine
# without network needs to run tools/analysis/gpu_check.py: the OpenMMLab
# stack this project pins (setup.py) and its pure-Python dependencies.
# torch, torchvision, numpy, OpenCV, SciPy, matplotlib, rich, einops, PyYAML
# and Pillow are expected there already (a PyTorch image has them).
#
#   bash tools/analysis/gpu_wheels.sh [DEST=.whl] [PYTHON_VERSION=3.12]
#
# About 18 MB. tools/analysis/gpu_check.sh installs them from DEST with
# `pip install --no-index --no-deps --target`, so nothing is fetched there.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=${1:-.whl}
PYV=${2:-3.12}
mkdir -p "$DEST"
# keep the folder out of git (it travels to the GPU machine as a carried,
# ignored path)
if [ "$DEST" = .whl ] && [ -d .git ] && \
        ! grep -qx '/.whl/' .git/info/exclude 2>/dev/null; then
    echo '/.whl/' >> .git/info/exclude
fi
PACKAGES=(
    mmengine==0.10.7 mmcv-lite==2.1.0 mmaction2==1.2.0 mmpretrain==1.2.0
    decord==0.6.0
    # mmengine 0.10.7 resolves `mmaction::` config bases via pkg_resources
    'setuptools<82'
    addict==2.4.0 termcolor==3.3.0 yapf==0.43.0 platformdirs==4.14.8
    mat4py==0.6.0 modelindex==0.0.2 model-index==0.1.11 ordered-set==4.1.0
    'importlib-metadata<9'
)
python3 -m pip download --no-deps --only-binary=:all: \
    --python-version "$PYV" --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux2010_x86_64 --platform manylinux1_x86_64 \
    -d "$DEST" "${PACKAGES[@]}"
ls -l "$DEST"

import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

# The stack measured to install and train on CPU-only machines with
# Python 3.11 (see docs/en/get_started.md); each pin has a reason there or beside it.
REQUIRES = [
    'setuptools<82',  # mmengine 0.10.7 resolves `mmaction::` bases via pkg_resources
    'torch==2.14.1',
    'torchvision==0.29.1',  # mmpretrain imports torchvision.ops at import time
    'mmengine==0.10.7',
    'mmcv-lite==2.1.0',  # full mmcv is a CUDA source build; mmaction2 wants < 2.2
    'mmaction2==1.2.0',
    'mmpretrain==1.2.0',
    'decord==0.6.0',
]

# What `mim search / train / test` read inside an installed OpenMMLab
# package: <package>/.mim/{model-index.yml, configs, tools}, as mmaction2's
# setup.py lays them out: symlinks for an editable install, copies for a
# wheel or sdist. structvit_mm/.mim is generated, not tracked (.gitignore).
MIM_FILES = ['model-index.yml', 'configs', 'tools']


def add_mim_extension():
    if any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
        mode = 'symlink'
    elif any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'build',
                                         'build_py', 'install')):
        mode = 'copy'
    else:
        return
    root = osp.dirname(osp.abspath(__file__))
    mim_dir = osp.join(root, 'structvit_mm', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(root, name), osp.join(mim_dir, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_dir), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


add_mim_extension()

setup(
    name='structvit-mm',
    version='0.1.0',
    description='StructSA / StructViT (CVPR 2024) for OpenMMLab',
    packages=find_packages(include=['structvit_mm', 'structvit_mm.*']),
    include_package_data=True,  # structvit_mm/.mim (MANIFEST.in)
    license='Apache-2.0',
    python_requires='>=3.9',
    install_requires=REQUIRES,
    # scikit-image / scikit-learn: the real photos of the motion-structure
    # benchmark (tools/data/make_motion_structure.py), bundled in the wheels
    # tensorboard: the trackers test reads its event files (and it is what
    # tools/train.py --vis-backend tensorboard needs)
    # openmim's own dependencies for `mim search / train / test` in the
    # tests; openmim itself installs with --no-deps (tools/setup_env.sh):
    # through opendatalab -> openxlab it pins setuptools~=60.2, which
    # conflicts with torch 2.14's setuptools>=77, and mim needs neither
    # timm: a randomly initialised timm DeiT-S is the source the DeiT
    # converter's timm layout is tested against (tests/test_convert.py)
    extras_require={'tests': ['pytest', 'scikit-image', 'scikit-learn',
                              'timm==1.0.31',
                              'tensorboard==2.20.0', 'model-index',
                              'tabulate', 'pandas', 'click', 'colorama',
                              'requests', 'rich']},
)

from setuptools import find_packages, setup

# The stack measured to install and train on CPU-only machines with
# Python 3.11 (see README, "Installation"); each pin has a reason there.
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

setup(
    name='structvit-mm',
    version='0.1.0',
    description='StructSA / StructViT (CVPR 2024) for OpenMMLab',
    packages=find_packages(include=['structvit_mm', 'structvit_mm.*']),
    python_requires='>=3.9',
    install_requires=REQUIRES,
    # scikit-image / scikit-learn: the real photos of the motion-structure
    # benchmark (tools/data/make_motion_structure.py), bundled in the wheels
    # tensorboard: the trackers test reads its event files (and it is what
    # tools/train.py --vis-backend tensorboard needs)
    extras_require={'tests': ['pytest', 'scikit-image', 'scikit-learn',
                              'tensorboard==2.20.0']},
)

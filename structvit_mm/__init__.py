"""structvit-mm: StructSA / StructViT for OpenMMLab.

``custom_imports = dict(imports=['structvit_mm'])`` in a config (or a plain
``import structvit_mm``) applies the stack's compatibility fixes and
registers every module of the package into mmaction2's and mmpretrain's
registries. Without those libraries (a plain PyTorch project) it only
provides the op and the backbones: ``from structvit_mm.models.structsa
import StructSA`` needs torch and mmengine alone.
"""
from .registry import HOSTS

if HOSTS:
    from . import compat
    compat.apply()  # before anything below imports mmaction.models

from .models import *  # noqa: F401,F403,E402

if HOSTS:
    from . import datasets, engine  # noqa: F401,E402  (registration)

__version__ = '0.1.0'

"""Work-arounds for known bugs of the pinned stack, all in one place.

Each fix is applied once, on ``import structvit_mm``, before anything of
mmaction2 is imported, and only where the bug is present.
"""
import importlib.util
import os
import pickle
import sys
import types

import torch


def _patch_missing_drn() -> None:
    """mmaction2 1.2.0's PyPI wheel and sdist lack ``mmaction/models/localizers/drn``
    (upstream packaging bug: ``localizers/__init__.py`` imports
    ``.drn.drn.DRN``, which was never packaged), so ``import mmaction.models``
    fails with ``ModuleNotFoundError``. Put a placeholder for that one
    localizer into ``sys.modules`` when, and only when, the files are
    missing; site-packages is never edited. Building ``DRN`` then raises.
    """
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return
    root = spec.submodule_search_locations[0]
    if os.path.isdir(os.path.join(root, 'models', 'localizers', 'drn')):
        return
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules:
        return

    class DRN:  # noqa: D401 - placeholder with the upstream name
        """Placeholder: the DRN localizer is missing from the mmaction2 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'mmaction2 1.2.0 from PyPI ships without '
                'mmaction.models.localizers.drn; structvit_mm registered a '
                'placeholder so the rest of mmaction.models imports. Install '
                'mmaction2 from source to use DRN.')

    package = types.ModuleType(name)
    package.__path__ = []  # a package, so `from .drn.drn import` resolves
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module


def _safe_checkpoint_globals() -> list:
    """The non-tensor types that mmengine 0.10.7 writes into checkpoints."""
    import numpy as np
    from mmengine.logging import HistoryBuffer

    core = getattr(np, '_core', None) or np.core  # renamed in numpy 2
    types_ = [HistoryBuffer, np.ndarray, np.dtype,
              core.multiarray._reconstruct, core.multiarray.scalar]
    # numpy >= 1.25 pickles dtypes as their concrete classes (Float64DType...)
    types_ += [getattr(np.dtypes, n) for n in dir(np.dtypes)
               if n.endswith('DType')]
    # HistoryBuffer pickles its statistics methods as builtins.getattr(cls,
    # 'min'); allowing the real getattr would open every attribute of every
    # allowed type, so that name resolves to a getattr for those methods only.
    types_.append((_history_buffer_getattr, 'builtins.getattr'))
    return types_


def _history_buffer_getattr(obj, name):
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and name in ('min', 'max', 'mean', 'current'):
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); only '
        'HistoryBuffer statistics are allowed in a weights_only load')


def _allow_mmengine_checkpoints() -> None:
    """torch >= 2.6 loads with ``weights_only=True`` by default; mmengine
    0.10.7 calls plain ``torch.load``, so every checkpoint it saved fails with
    ``Unsupported global: ...HistoryBuffer`` (``--resume``, ``load_from``,
    ``test.py``). Allow-list the few safe types mmengine writes, and never
    turn ``weights_only`` off: a pickle that would run code stays refused.
    """
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(_safe_checkpoint_globals())


def apply() -> None:
    _patch_missing_drn()
    _allow_mmengine_checkpoints()

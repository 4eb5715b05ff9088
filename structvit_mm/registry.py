"""One decorator that puts a module into both host registries.

StructViT is used from mmpretrain (images) and mmaction2 (video) configs;
each library builds models only from its own ``MODELS`` registry, so every
module of this package is registered in both under the same name.
"""
from mmaction.registry import MODELS as MMACTION_MODELS
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS


def register_model(cls):
    """Class decorator: register ``cls`` in mmaction2's and mmpretrain's MODELS."""
    MMACTION_MODELS.register_module(module=cls)
    MMPRETRAIN_MODELS.register_module(module=cls)
    return cls


def import_on_first_use(registry, module: str) -> None:
    """Import ``module`` (which registers into ``registry``) when
    ``registry`` first looks a name up, the way mmengine imports a
    registry's own ``locations``; at once if it already has.

    For modules that need heavy imports (mmpretrain's models and
    transforms cost every process seconds): ``import structvit_mm`` stays
    light for the runs that never use them.
    """
    import importlib
    if registry._imported:  # mmengine has no public API for this
        importlib.import_module(module)
    elif module not in registry._locations:
        registry._locations.append(module)

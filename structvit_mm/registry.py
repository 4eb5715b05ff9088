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

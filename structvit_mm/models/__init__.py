from ..registry import HOSTS, import_on_first_use
from .structsa import StructSA
from .structvit import StructViT, StructViT3D
from .structdeit import StructDeiT, StructDeiT3D

__all__ = ['StructSA', 'StructViT', 'StructViT3D', 'StructDeiT',
           'StructDeiT3D']

if HOSTS:
    # Token Labeling (token_labeling.py) builds on mmpretrain's classifier
    # and heads, seconds to import: imported when mmpretrain's registries
    # are used
    from mmpretrain.registry import BATCH_AUGMENTS
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    for _registry in (MMPRETRAIN_MODELS, BATCH_AUGMENTS):
        import_on_first_use(_registry, __name__ + '.token_labeling')

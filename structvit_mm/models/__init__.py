from ..registry import HOSTS, import_on_first_use
from .structsa import StructSA
from .structvit import StructViT, StructViT3D
from .structdeit import StructDeiT, StructDeiT3D

__all__ = ['StructSA', 'StructViT', 'StructViT3D', 'StructDeiT',
           'StructDeiT3D']

if HOSTS:
    from mmaction.registry import MODELS as MMACTION_MODELS
    from mmpretrain.registry import BATCH_AUGMENTS
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

    # Token Labeling (token_labeling.py) builds on mmpretrain's classifier
    # and heads, seconds to import: imported when mmpretrain's registries
    # are used
    for _registry in (MMPRETRAIN_MODELS, BATCH_AUGMENTS):
        import_on_first_use(_registry, __name__ + '.token_labeling')
    # ViewChunkRecognizer3D (recognizer.py) subclasses mmaction2's
    # Recognizer3D, whose package takes seconds to import: imported on
    # mmaction2's first look-up
    import_on_first_use(MMACTION_MODELS, __name__ + '.recognizer')

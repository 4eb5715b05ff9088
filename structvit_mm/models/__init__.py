from .structsa import StructSA
from .structvit import StructViT, StructViT3D
from .structdeit import StructDeiT, StructDeiT3D
from .token_labeling import MixToken, TokenLabelClassifier, TokenLabelClsHead

__all__ = ['StructSA', 'StructViT', 'StructViT3D', 'StructDeiT',
           'StructDeiT3D', 'MixToken', 'TokenLabelClassifier',
           'TokenLabelClsHead']

from .structsa import StructSA
from .structvit import StructViT, StructViT3D
from .structdeit import StructDeiT, StructDeiT3D

__all__ = ['StructSA', 'StructViT', 'StructViT3D', 'StructDeiT',
           'StructDeiT3D']

from .structsa import StructSA
from .structvit import StructViT, StructViT3D

__all__ = ['StructSA', 'StructViT', 'StructViT3D']

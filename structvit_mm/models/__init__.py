from .structsa import StructSA

__all__ = ['StructSA']

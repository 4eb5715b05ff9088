"""Datasets (registered in mmaction2's ``DATASETS``)."""
from .annotation import AnnotationError
from .robust import (BAD_SAMPLES_KEY, BadDatasetError, BadSampleError,
                     RobustDatasetMixin, RobustRawframeDataset,
                     RobustVideoDataset, probe_samples)
from .token_label import TokenLabelError
from .transforms import ReverseClip

__all__ = [
    'AnnotationError', 'BAD_SAMPLES_KEY', 'BadDatasetError', 'BadSampleError',
    'RobustDatasetMixin', 'RobustRawframeDataset', 'RobustVideoDataset',
    'probe_samples', 'ReverseClip', 'TokenLabelError'
]

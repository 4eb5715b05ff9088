"""Datasets (registered in mmaction2's ``DATASETS``)."""
from .annotation import AnnotationError
from .robust import (BAD_SAMPLES_KEY, BadDatasetError, BadSampleError,
                     RobustDatasetMixin, RobustRawframeDataset,
                     RobustVideoDataset, probe_samples)

__all__ = [
    'AnnotationError', 'BAD_SAMPLES_KEY', 'BadDatasetError', 'BadSampleError',
    'RobustDatasetMixin', 'RobustRawframeDataset', 'RobustVideoDataset',
    'probe_samples'
]

"""Datasets (registered in mmaction2's ``DATASETS``)."""
from mmpretrain.registry import TRANSFORMS

from ..registry import import_on_first_use
from .annotation import AnnotationError
from .robust import (BAD_SAMPLES_KEY, BadDatasetError, BadSampleError,
                     RobustDatasetMixin, RobustRawframeDataset,
                     RobustVideoDataset, probe_samples)
from .transforms import ReverseClip

__all__ = [
    'AnnotationError', 'BAD_SAMPLES_KEY', 'BadDatasetError', 'BadSampleError',
    'RobustDatasetMixin', 'RobustRawframeDataset', 'RobustVideoDataset',
    'probe_samples', 'ReverseClip'
]

# Token Labeling's transforms (token_label.py) build on mmpretrain's, seconds
# to import: imported when mmpretrain's TRANSFORMS registry is first used
import_on_first_use(TRANSFORMS, __name__ + '.token_label')

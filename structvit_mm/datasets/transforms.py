"""Label-consistent clip augmentations (registered in mmaction2's
``TRANSFORMS``).

On a benchmark whose classes are motion structures, a clip played
backwards is a clip of another class (speed up <-> slow down): reversing it
*and* mapping its label gives a new, correct training sample, while the
appearance stays the same. This is the augmentation that stops a small
model from memorising appearance on a fixed pool of clips. The horizontal
counterpart is mmaction2's own ``Flip(flip_label_map=...)``.
"""
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmaction.registry import TRANSFORMS


def _label_map(label_map):
    if label_map is None:
        return None
    try:
        return {int(k): int(v) for k, v in dict(label_map).items()}
    except (TypeError, ValueError) as e:
        raise ValueError('ReverseClip: label_map must map int labels to int '
                         f'labels; got {label_map!r}') from e


@TRANSFORMS.register_module()
class ReverseClip(BaseTransform):
    """With probability ``p``, play the clip backwards and relabel it.

    Place it after ``SampleFrames`` (it reverses ``frame_inds``, so the
    decoder reads the frames in reverse order) or after the decode step (it
    then reverses ``imgs``). ``label_map`` (label -> label of the reversed
    clip) must cover every label the dataset yields; a label it lacks is an
    error rather than a silently wrong sample. ``label_map=None`` reverses
    without relabelling (for classes that are reversal-invariant).

    Required keys: ``frame_inds`` or ``imgs``; ``label`` (with a map).
    Modified keys: ``frame_inds`` / ``imgs``, ``label``. Added key:
    ``reversed`` (bool).
    """

    def __init__(self, p: float = 0.5,
                 label_map: Optional[Dict[int, int]] = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f'ReverseClip: p must be in [0, 1]; got {p}')
        self.p = p
        self.label_map = _label_map(label_map)

    def transform(self, results: dict) -> dict:
        rev = bool(np.random.rand() < self.p)
        results['reversed'] = rev
        if not rev:
            return results
        if 'imgs' in results:
            results['imgs'] = list(results['imgs'])[::-1]
        elif 'frame_inds' in results:
            # one clip x clip_len; several clips are reversed clip by clip
            inds = np.asarray(results['frame_inds'])
            n = results.get('num_clips', 1)
            results['frame_inds'] = inds.reshape(n, -1)[:, ::-1].reshape(-1)
        else:
            raise KeyError('ReverseClip needs "frame_inds" (after '
                           'SampleFrames) or "imgs" (after decoding)')
        if self.label_map is not None:
            label = results['label']
            key = int(np.asarray(label).reshape(-1)[0]) \
                if not isinstance(label, int) else label
            if key not in self.label_map:
                raise KeyError(f'ReverseClip: label {key} is not in '
                               f'label_map {self.label_map}')
            results['label'] = self.label_map[key]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(p={self.p}, '
                f'label_map={self.label_map})')

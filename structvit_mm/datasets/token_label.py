"""Token Labeling data (Jiang et al., "All Tokens Matter", NeurIPS 2021).

Every training image has a dense score map from a machine annotator
(NFNet-F6). The released maps (github.com/zihangJiang/TokenLabeling, also
used by UniFormer's ``image_classification/token_labeling``) are one ``.pt``
file per image, at ``<label_root>/<class dir>/<image stem>.pt``, mirroring
the ImageNet ``train/`` folders. Each holds a tensor ``(2, k, H, W)``
(``float16``; ``k = 5``, ``H = W = 15`` in the release): ``[0]`` the top-k
annotator scores per map cell, ``[1]`` their class indices (written by the
sources' ``generate_label.py`` as ``stack([values, indices]).permute(0, 3, 1,
2)``, i.e. rows then columns). As in the sources (``tlt/data/mixup.py``),
the scores are scattered into a ``(num_classes, H, W)`` map (zero outside
the top k), RoI-aligned on the image's random crop box and turned into a
distribution per output cell with a softmax over the classes; the crop box
as a whole, RoI-aligned to one cell, gives the class-token target.

Differences from the sources, on purpose:

* The map follows the transforms in pipeline order (crop, then flip, then
  RandAugment's geometric ops) on the cropped map, rather than flipping and
  warping the full map before the crop (the sources' order); the result is
  the same alignment.
* The crop box keeps its orientation: the sources pass ``(top, left,
  bottom, right)`` to ``roi_align``, whose boxes are ``(x1, y1, x2, y2)``,
  which transposes the crop on the map; here ``x`` is the image's column.
  ``aligned=True`` with the box in map cells is the sources' ``- 0.5``
  shift (their ``aligned=False`` also floors the RoI size at one cell).

Transforms (all in mmpretrain's ``TRANSFORMS``):

* :class:`LoadTokenLabel` reads and checks the map (clear errors naming
  the image and the map file).
* :class:`TokenLabelRandomResizedCrop` / :class:`TokenLabelRandomFlip`:
  mmpretrain's ``RandomResizedCrop`` / ``RandomFlip`` with the same box and
  flip applied to the map, giving ``token_label`` ``(num_classes, S, S)`` and
  ``token_label_cls`` ``(num_classes,)``, both distributions.
* :class:`TokenLabelShear` / :class:`TokenLabelTranslate` /
  :class:`TokenLabelRotate`: RandAugment's geometric ops, moving the map
  with the image (the sources' ``random_augment_label.py`` does too).

``PackInputs(algorithm_keys=('token_label', 'token_label_cls'))`` puts both
into the data sample.
"""
import os.path as osp
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform
from mmcv.transforms import RandomFlip as _MMCVRandomFlip
from mmcv.transforms.utils import cache_random_params
from mmpretrain.datasets.transforms import (RandomResizedCrop, Rotate, Shear,
                                            Translate)
from mmpretrain.datasets.transforms.auto_augment import RANDAUG_POLICIES
from mmpretrain.registry import TRANSFORMS

#: keys a pipeline hands to ``PackInputs(algorithm_keys=...)``
TOKEN_LABEL_KEYS = ('token_label', 'token_label_cls')


class TokenLabelError(ValueError):
    """A token-label map is missing or malformed (names image and file)."""


def token_label_path(img_path: str, label_root: str, depth: int = 2) -> str:
    """``<label_root>/<last depth-1 folders>/<stem>.pt`` of an image, as the
    sources' ``DatasetTokenLabel`` (``class_dir/stem.pt``, ``depth=2``)."""
    parts = osp.normpath(img_path).split(osp.sep)[-depth:]
    parts[-1] = osp.splitext(parts[-1])[0] + '.pt'
    return osp.join(label_root, *parts)


def check_token_label(label, num_classes: int, img_path: str,
                      map_path: str) -> torch.Tensor:
    """Return the map as ``float32 (2, k, H, W)``; raise
    :class:`TokenLabelError` naming the image and map when it is not a
    top-k score map of ``num_classes`` classes."""
    where = f'token-label map {map_path} (image {img_path})'
    if not isinstance(label, torch.Tensor):
        raise TokenLabelError(
            f'{where} holds a {type(label).__name__}, expected a tensor '
            '(2, k, H, W) of top-k scores and class indices')
    if label.dim() != 4 or label.shape[0] != 2 or min(label.shape) < 1:
        raise TokenLabelError(
            f'{where} has shape {tuple(label.shape)}, expected (2, k, H, W): '
            '[0] top-k scores, [1] their class indices (e.g. (2, 5, 15, 15) '
            'in the released NFNet-F6 maps)')
    label = label.float()
    if not torch.isfinite(label).all():
        raise TokenLabelError(f'{where} has non-finite values')
    idx = label[1]
    if (idx != idx.round()).any() or idx.min() < 0 or \
            idx.max() >= num_classes:
        raise TokenLabelError(
            f'{where}: class indices (channel [1]) must be integers in '
            f'[0, {num_classes}), found values in [{idx.min().item():g}, '
            f'{idx.max().item():g}]')
    return label


@TRANSFORMS.register_module()
class LoadTokenLabel(BaseTransform):
    """Read an image's token-label map (see the module docstring).

    Required keys: ``img_path``. Added keys: ``token_label_topk``
    ``(2, k, H, W)`` float32, ``token_label_path``, ``token_label_classes``.

    Args:
        label_root (str): root of the map tree (mirrors the image folders).
        num_classes (int): classes of the annotator (1000 for ImageNet).
        depth (int): trailing path components of the image that name its
            map (2: ``class_dir/image``).
    """

    def __init__(self, label_root: str, num_classes: int = 1000,
                 depth: int = 2) -> None:
        self.label_root = label_root
        self.num_classes = num_classes
        self.depth = depth

    def transform(self, results: dict) -> dict:
        img_path = results['img_path']
        path = token_label_path(img_path, self.label_root, self.depth)
        if not osp.isfile(path):
            raise TokenLabelError(
                f'token-label map missing for image {img_path}: {path} does '
                f'not exist (label_root={self.label_root!r}; the maps mirror '
                'the image folders as <class dir>/<image stem>.pt)')
        try:
            label = torch.load(path, map_location='cpu', weights_only=True)
        except Exception as err:  # unreadable, truncated, not a tensor file
            raise TokenLabelError(
                f'token-label map {path} (image {img_path}) cannot be read: '
                f'{type(err).__name__}: {err}') from err
        results['token_label_topk'] = check_token_label(
            label, self.num_classes, img_path, path)
        results['token_label_path'] = path
        results['token_label_classes'] = self.num_classes
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(label_root={self.label_root!r}, '
                f'num_classes={self.num_classes}, depth={self.depth})')


def topk_to_dense(topk: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``(2, k, H, W)`` -> ``(num_classes, H, W)`` scores, zero outside the
    top k (the sources' ``get_featuremaps``)."""
    dense = topk.new_zeros((num_classes, ) + tuple(topk.shape[2:]))
    return dense.scatter_(0, topk[1].long(), topk[0])


def crop_token_label(dense: torch.Tensor, box: Tuple[float, float, float,
                                                      float],
                     size: Tuple[int, int]) -> Tuple[torch.Tensor,
                                                     torch.Tensor]:
    """RoI-align a ``(C, H, W)`` score map on ``box`` = ``(x1, y1, x2, y2)``
    in fractions of the image, softmax over classes.

    Returns ``(token (C, *size), cls (C,))`` distributions.
    """
    from torchvision.ops import roi_align
    H, W = dense.shape[1:]
    x1, y1, x2, y2 = box
    roi = torch.tensor([[0., x1 * W, y1 * H, x2 * W, y2 * H]],
                       dtype=dense.dtype)
    inp = dense[None]
    token = roi_align(inp, roi, output_size=tuple(size), aligned=True)[0]
    cls = roi_align(inp, roi, output_size=(1, 1), aligned=True)[0, :, 0, 0]
    return token.softmax(0), cls.softmax(0)


@TRANSFORMS.register_module()
class TokenLabelRandomResizedCrop(RandomResizedCrop):
    """mmpretrain's ``RandomResizedCrop``; the same box crops the token-label
    map (when ``token_label_topk`` is present) into ``token_label``
    ``(num_classes, label_size, label_size)`` and ``token_label_cls``.

    Args:
        label_size (int | tuple): output grid of the map, the last stage's
            token grid (224 / 32 = 7; 384 / 32 = 12, UniFormer's
            ``--token-label-size``).
        **kwargs: ``RandomResizedCrop``'s.
    """

    def __init__(self, *args, label_size=7, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label_size = (label_size, label_size) if isinstance(
            label_size, int) else tuple(label_size)

    def transform(self, results: dict) -> dict:
        topk = results.pop('token_label_topk', None)
        if topk is None:
            return super().transform(results)
        h, w = results['img'].shape[:2]
        with cache_random_params(self):  # the box super() will use
            top, left, th, tw = self.rand_crop_params(results['img'])
            results = super().transform(results)
        dense = topk_to_dense(topk, results['token_label_classes'])
        results['token_label'], results['token_label_cls'] = \
            crop_token_label(dense, (left / w, top / h, (left + tw) / w,
                                     (top + th) / h), self.label_size)
        return results


@TRANSFORMS.register_module()
class TokenLabelRandomFlip(_MMCVRandomFlip):
    """mmcv's ``RandomFlip`` (mmpretrain's) that flips ``token_label`` with
    the image."""

    def transform(self, results: dict) -> dict:
        results = super().transform(results)
        label = results.get('token_label')
        if label is not None and results.get('flip'):
            dims = {'horizontal': (2, ), 'vertical': (1, ),
                    'diagonal': (1, 2)}[results['flip_direction']]
            results['token_label'] = label.flip(dims)
        return results


def _warp_token_label(label: torch.Tensor,
                      theta: torch.Tensor) -> torch.Tensor:
    """Warp ``(C, h, w)`` with the affine ``theta`` (2x3, output -> input in
    normalised coordinates, ``align_corners=False``); cells that come from
    outside the map get the uniform distribution, as the sources' zero
    scores do after their softmax."""
    C = label.shape[0]
    grid = F.affine_grid(theta[None], (1, C) + tuple(label.shape[1:]),
                         align_corners=False)
    out = F.grid_sample(label[None], grid, mode='bilinear',
                        padding_mode='zeros', align_corners=False)[0]
    inside = F.grid_sample(
        label.new_ones((1, 1) + tuple(label.shape[1:])), grid,
        mode='bilinear', padding_mode='zeros', align_corners=False)[0]
    return out + (1 - inside) / C


def _pixel_affine_to_theta(m: np.ndarray, h: int, w: int) -> torch.Tensor:
    """mmcv's forward warp ``dst = m @ [x, y, 1]`` of an ``h x w`` image
    (pixel centres at integers, as cv2) -> ``affine_grid``'s ``theta``
    (output -> input, normalised, ``align_corners=False``). Normalised
    coordinates are fractions of the image, so the same ``theta`` warps
    a map of any size that covers the image."""
    # u = (2x + 1) / w - 1  <=>  x = ((u + 1) w - 1) / 2
    to_pix = np.array([[w / 2, 0, (w - 1) / 2], [0, h / 2, (h - 1) / 2],
                       [0, 0, 1]])
    inv = np.linalg.inv(np.vstack([m, [0, 0, 1]]))
    full = np.linalg.inv(to_pix) @ inv @ to_pix
    return torch.tensor(full[:2], dtype=torch.float32)


class _GeometricTokenLabelMixin:
    """Draw the op's random parameters once (mmcv's cache), let mmpretrain's
    image op run, then apply the same warp to ``token_label``."""

    def _pixel_affine(self, magnitude: float, h: int, w: int) -> np.ndarray:
        """The 2x3 forward matrix the image op hands to ``cv2``."""
        raise NotImplementedError

    def transform(self, results: dict) -> dict:
        if results.get('token_label') is None:
            return super().transform(results)
        with cache_random_params(self):
            if self.random_disable():
                return results
            magnitude = self._magnitude()
            h, w = results['img'].shape[:2]
            results = super().transform(results)
        theta = _pixel_affine_to_theta(
            self._pixel_affine(magnitude, h, w), h, w)
        results['token_label'] = _warp_token_label(results['token_label'],
                                                   theta)
        return results

    def _magnitude(self) -> float:
        # the same calls, in the same order, as the parent's transform
        if self.magnitude is not None:
            return self.random_negative(self.magnitude)
        return self.random_negative(self.random_magnitude())


@TRANSFORMS.register_module()
class TokenLabelShear(_GeometricTokenLabelMixin, Shear):
    """mmpretrain's ``Shear`` that shears ``token_label`` with the image."""

    def _pixel_affine(self, magnitude, h, w):
        if self.direction == 'horizontal':
            return np.array([[1, magnitude, 0], [0, 1, 0]], np.float64)
        return np.array([[1, 0, 0], [magnitude, 1, 0]], np.float64)


@TRANSFORMS.register_module()
class TokenLabelTranslate(_GeometricTokenLabelMixin, Translate):
    """mmpretrain's ``Translate`` that moves ``token_label`` with the image."""

    def _pixel_affine(self, magnitude, h, w):
        if self.direction == 'horizontal':
            return np.array([[1, 0, magnitude * w], [0, 1, 0]], np.float64)
        return np.array([[1, 0, 0], [0, 1, magnitude * h]], np.float64)


@TRANSFORMS.register_module()
class TokenLabelRotate(_GeometricTokenLabelMixin, Rotate):
    """mmpretrain's ``Rotate`` that rotates ``token_label`` with the image."""

    def _magnitude(self):
        if self.angle is not None:
            return self.random_negative(self.angle)
        return self.random_negative(self.random_magnitude())

    def _pixel_affine(self, angle, h, w):
        import cv2
        center = self.center or ((w - 1) * 0.5, (h - 1) * 0.5)
        return cv2.getRotationMatrix2D(center, -angle, self.scale)


def token_label_randaug_policies(base: str = 'timm_increasing') -> list:
    """mmpretrain's preset RandAugment policies with ``Shear`` /
    ``Translate`` / ``Rotate`` replaced by their token-label versions."""
    swap = {'Shear': 'TokenLabelShear', 'Translate': 'TokenLabelTranslate',
            'Rotate': 'TokenLabelRotate'}
    return [dict(p, type=swap.get(p['type'], p['type']))
            for p in RANDAUG_POLICIES[base]]


#: a preset name for configs: ``RandAugment(policies='timm_increasing_tl')``
#: is mmpretrain's ``timm_increasing`` (the DeiT / UniFormer ``rand-m9-mstd0.5
#: -inc1``) whose geometric ops also move the token-label map
RANDAUG_POLICIES.setdefault('timm_increasing_tl',
                            token_label_randaug_policies())

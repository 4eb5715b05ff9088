"""RandAugment at the strength the recipes mean (built pipelines, CPU).

The recipes the configs follow give RandAugment's magnitude on a 0-10
scale: UniFormer's timm ``rand-m7-n4`` and mmaction2's MViT configs
(pytorchvideo) for video, DeiT's ``rand-m9`` for images. torchvision's
RandAugment spreads ``magnitude`` over ``num_magnitude_bins`` (31 by
default), so the video pipelines' magnitude 7 was 7/30 of each op's range.
"""
import os.path as osp

import numpy as np
import pytest
import torch
import torchvision.transforms.functional as TF
from mmengine.config import Config
from mmengine.registry import DefaultScope

from small_runs import training_configs

import structvit_mm  # noqa: F401  (registers our modules)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(ROOT, 'configs')
CONFIGS = training_configs()
# fraction of each op's range: m7 of 10 (video), m9 of 10 (DeiT, images)
EXPECTED = {'mmaction': 0.7, 'mmpretrain': 0.9}
K400 = osp.join(CONFIG_DIR, 'structvit_k400.py')


def _transforms(scope):
    if scope == 'mmpretrain':
        from mmpretrain.registry import TRANSFORMS
    else:
        from mmaction.registry import TRANSFORMS
    return TRANSFORMS


def _is_rand_augment(step):
    return step.get('type') == 'RandAugment' or (
        step.get('type') == 'TorchVisionWrapper'
        and step.get('op') == 'RandAugment')


def _fraction(transform):
    """Magnitude as a fraction of each op's range, read from the built
    transform (torchvision's through mmaction2's wrapper, or mmpretrain's)."""
    trans = getattr(transform, 'trans', None)
    if trans is not None:  # torchvision: bin `magnitude` of 0 .. bins - 1
        return trans.magnitude / (trans.num_magnitude_bins - 1)
    return transform.magnitude_level / transform.total_level


def _built_rand_augments(path):
    cfg = Config.fromfile(path)
    TRANSFORMS = _transforms(cfg.default_scope)
    found = []
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        for split in ('train', 'val', 'test'):
            loader = cfg.get(f'{split}_dataloader')
            for step in (loader.dataset.get('pipeline') or []
                         if loader else []):
                if _is_rand_augment(step):
                    found.append((split, TRANSFORMS.build(step)))
    return cfg.default_scope, found


def test_every_rand_augment_has_the_recipes_strength():
    seen = {}
    for path in CONFIGS:
        scope, found = _built_rand_augments(path)
        for split, transform in found:
            assert split == 'train', (path, split)  # no test-time aug
            seen[osp.relpath(path, CONFIG_DIR)] = (
                round(_fraction(transform), 6), EXPECTED[scope])
    wrong = {k: v for k, v in seen.items() if v[0] != v[1]}
    assert not wrong, wrong  # {config: (fraction, expected)}
    seen = {k: v[0] for k, v in seen.items()}
    # the check saw the video rows with RandAugment (K400, S rows on SS)
    # and the image rows
    assert seen['structvit_k400.py'] == 0.7
    assert seen['structvit/structvit-s-4-1_k400-pre_16x3x1_sthv1-rgb.py'] \
        == 0.7
    assert seen['structvit/structvit-b-4-1_in1k-pre_32x4x1_k400-rgb.py'] \
        == 0.7
    assert seen['structvit_in1k.py'] == 0.9
    # the B rows on SS / Diving / Gym train with random cropping only
    assert 'structvit/structvit-b-4-1_k400-pre_32x3x1_sthv2-rgb.py' \
        not in seen


def test_video_rotate_draws_seventy_percent_of_its_range(monkeypatch):
    """The K400 pipeline's RandAugment rotates by 0.7 x torchvision's 30
    degrees, one angle for all frames of a clip."""
    _, found = _built_rand_augments(K400)
    (_, transform), = found
    angles = []
    rotate = TF.rotate

    def recording_rotate(img, angle, *args, **kwargs):
        angles.append((angle, tuple(img.shape)))
        return rotate(img, angle, *args, **kwargs)

    monkeypatch.setattr(TF, 'rotate', recording_rotate)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    for _ in range(100):
        clip = [rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)
                for _ in range(4)]
        out = transform(dict(imgs=clip))
        assert len(out['imgs']) == 4
    assert len(angles) > 10  # rotate is 1 of 14 ops, 4 ops per clip
    assert [abs(a) for a, _ in angles] == pytest.approx(
        [0.7 * 30.0] * len(angles))
    assert {a > 0 for a, _ in angles} == {True, False}  # random sign
    # one call per clip, on the (T, C, H, W) stack: one draw per clip
    assert {shape for _, shape in angles} == {(4, 3, 24, 32)}

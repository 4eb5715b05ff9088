"""One number of classes per config.

mmaction2 and mmpretrain size five things by the number of classes, each
under its own key: the head (``model.cls_head.num_classes`` /
``model.head.num_classes``), mixup / cutmix (``model.data_preprocessor.
blending...num_classes``, or mmpretrain's one-hot ``data_preprocessor.
num_classes``), the datasets' label check (``*_dataloader.dataset.
num_classes``) and the metrics' top-k. Overriding only the head, the usual
mmaction2 move, left the others at 400 / 1000 and failed deep inside the
loss. :func:`sync_num_classes` makes them one number before anything is
built; :class:`~structvit_mm.engine.runner.StructViTRunner` calls it, so it
runs under this repository's tools, mmaction2's and mmpretrain's stock
``tools/train.py`` / ``tools/test.py`` and ``mim train`` / ``mim test``
alike (they all build ``runner_type`` from the config).

Which value is *the* number, first found:

1. a value changed on the command line (``--cfg-options``; found by
   comparing with the config file as written);
2. a value the config file itself sets, over what its ``_base_`` files say
   (``num_classes = 3`` or ``model = dict(cls_head=dict(num_classes=3))``
   in a user's config that inherits a row config);
3. the head's, which must then agree with the dataset config's top-level
   ``num_classes`` (a row config whose dataset is not its model base's
   says ``model = dict(cls_head=dict(num_classes=_base_.num_classes))``).

Values of one level that disagree raise :class:`NumClassesMismatchError`
naming both keys, their values and the fix.

Everything else (mixup / cutmix, one-hot, datasets, top-k) only follows:
those keys have no meaning of their own, so they are set, with one log
line, rather than checked. Top-k values above the number of classes are
dropped (mmpretrain's ``Accuracy`` fails on them, mmaction2's reports a
meaningless 1.0).
"""
import logging
import os.path as osp
import tempfile
from typing import Any, Dict, List, Optional, Tuple

from mmengine.logging import print_log

_MISSING = object()
Path = Tuple[Any, ...]


class NumClassesMismatchError(ValueError):
    """Two settings of the number of classes disagree (raised before any
    model or dataset is built)."""


def _fmt(path: Path) -> str:
    out = ''
    for part in path:
        out += f'[{part}]' if isinstance(part, int) else (
            f'.{part}' if out else part)
    return out


def _get(cfg, path: Path, default=_MISSING):
    node = cfg
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def _set(cfg, path: Path, value) -> None:
    node = cfg
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def head_path(cfg) -> Optional[Path]:
    """``('model', 'cls_head')`` (mmaction2) or ``('model', 'head')``
    (mmpretrain), or ``None`` for a model without a classification head."""
    for key in ('cls_head', 'head'):
        head = _get(cfg, ('model', key), None)
        if isinstance(head, dict) and 'num_classes' in head:
            return ('model', key)
    return None


def _dataset_paths(dataset, prefix: Path) -> List[Path]:
    """``num_classes`` keys of a dataset config, through wrappers
    (``RepeatDataset.dataset``, ``ConcatDataset.datasets``)."""
    if not isinstance(dataset, dict):
        return []
    paths = []
    if 'num_classes' in dataset:
        paths.append(prefix + ('num_classes', ))
    # transforms sized by it (Token Labeling's LoadTokenLabel)
    for i, step in enumerate(dataset.get('pipeline') or []):
        if isinstance(step, dict) and 'num_classes' in step:
            paths.append(prefix + ('pipeline', i, 'num_classes'))
    if isinstance(dataset.get('dataset'), dict):
        paths += _dataset_paths(dataset['dataset'], prefix + ('dataset', ))
    for i, inner in enumerate(dataset.get('datasets') or []):
        paths += _dataset_paths(inner, prefix + ('datasets', i))
    return paths


def _blending_paths(cfg, prefix: Path) -> List[Path]:
    """mmaction2's mixup / cutmix: one blending or a ``RandomBatchAugment``
    of several; and mmpretrain's one-hot ``num_classes``."""
    preprocessor = _get(cfg, prefix, None)
    if not isinstance(preprocessor, dict):
        return []
    paths = []
    if 'num_classes' in preprocessor:
        paths.append(prefix + ('num_classes', ))
    blending = preprocessor.get('blending')
    if isinstance(blending, dict):
        if 'num_classes' in blending:
            paths.append(prefix + ('blending', 'num_classes'))
        for i, aug in enumerate(blending.get('augments') or []):
            if isinstance(aug, dict) and 'num_classes' in aug:
                paths.append(prefix + ('blending', 'augments', i,
                                       'num_classes'))
    return paths


def declared_paths(cfg) -> List[Path]:
    """The head and the dataset config's top-level ``num_classes``."""
    paths = []
    head = head_path(cfg)
    if head is not None:
        paths.append(head + ('num_classes', ))
    if isinstance(cfg.get('num_classes', None), int):
        paths.append(('num_classes', ))
    return paths


def following_paths(cfg) -> List[Path]:
    """Keys that size something by the number of classes and follow it."""
    paths = _blending_paths(cfg, ('model', 'data_preprocessor'))
    # mmpretrain's data configs put the preprocessor at the top level; the
    # runner hands it to a model that has none
    paths += _blending_paths(cfg, ('data_preprocessor', ))
    for split in ('train', 'val', 'test'):
        paths += _dataset_paths(
            _get(cfg, (f'{split}_dataloader', 'dataset'), None),
            (f'{split}_dataloader', 'dataset'))
    return paths


def _load_layers(cfg) -> List[Tuple[Any, str]]:
    """``[(config, where its changes come from)]``, newest first: the file
    as written (so changes of ``cfg`` came from the command line), then the
    file's bases merged without the file (changes: set in the file)."""
    filename = getattr(cfg, 'filename', None)
    if not filename or not osp.isfile(filename):
        return []
    from mmengine.config import Config
    try:
        as_written = Config.fromfile(filename)
        bases = Config._get_base_files(filename)
    except Exception:  # the run itself reports a broken file
        return []
    layers = [(as_written, 'on the command line')]
    where = f'in {osp.basename(filename)}'
    if not bases:  # nothing inherited: the file sets everything
        return layers + [(Config(), where)]
    # the bases alone: a file that inherits them and sets nothing else
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for base in bases:
            path, scope = Config._get_cfg_path(base, filename)
            paths.append(base if scope else osp.abspath(path))
        stub = osp.join(tmp, 'bases_of_' + osp.basename(filename))
        with open(stub, 'w') as f:
            f.write(f'_base_ = {paths!r}\n')
        try:
            layers.append((Config.fromfile(stub), where))
        except Exception:
            pass
    return layers


def _topk_fix(evaluator, n: int) -> List[Tuple[str, tuple, tuple]]:
    """Drop top-k above ``n`` from one evaluator config (in place);
    returns ``(where, old, new)`` for each change."""
    changes = []
    for i, metric in enumerate(
            evaluator if isinstance(evaluator, (list, tuple)) else
        [evaluator]):
        if not isinstance(metric, dict):
            continue
        kind = metric.get('type')
        if kind == 'AccMetric':  # mmaction2; its default topk is (1, 5)
            if 'top_k_accuracy' not in metric.get(
                    'metric_list', ('top_k_accuracy', )):
                continue
            path = ('metric_options', 'top_k_accuracy', 'topk')
            old = _get(metric, path, (1, 5))
        elif kind == 'Accuracy':  # mmpretrain; default topk (1, )
            path = ('topk', )
            old = metric.get('topk', (1, ))
        else:
            continue
        old = (old, ) if isinstance(old, int) else tuple(old)
        new = tuple(k for k in old if k <= n) or (1, )
        if new != old:
            node = metric
            for part in path[:-1]:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]  # re-read: ConfigDict stores a copy
            node[path[-1]] = new
            key = '.'.join(path)
            changes.append((f'[{i}].{key}' if isinstance(
                evaluator, (list, tuple)) else key, old, new))
    return changes


def _changed(values, older) -> List[Path]:
    return [
        p for p, v in values.items()
        if v is not None and _get(older, p, None) != v
    ]


def sync_num_classes(cfg, layers=None) -> Optional[int]:
    """Make every class-count setting of ``cfg`` (an mmengine ``Config``)
    one number, in place; returns it (``None``: no classification head).

    The number is, first found: a value changed on the command line (``cfg``
    against its file as written), a value the config file itself sets
    (against its bases), the head's. Raises :class:`NumClassesMismatchError`
    naming both keys, their values and the fix when two settings of the
    same level disagree. ``layers``: the older configs to compare with, as
    :func:`_load_layers` returns them (default: loaded from
    ``cfg.filename``).
    """
    declared = declared_paths(cfg)
    if not any(p[0] == 'model' for p in declared):
        return None  # no classification head to size anything by
    following = following_paths(cfg)
    if layers is None:
        layers = _load_layers(cfg)

    values: Dict[Path, Any] = {p: _get(cfg, p) for p in declared + following}
    head = declared[0]
    fix = (f'Set only {_fmt(head)}=N (or the dataset config\'s num_classes): '
           'the datasets, mixup / cutmix and the metrics follow it.')
    newer = values
    for older, where in layers:
        changed = _changed(newer, older)
        if changed:
            source = head if head in changed else changed[0]
            for other in changed:
                if newer[other] != newer[source]:
                    raise NumClassesMismatchError(
                        f'number of classes: {_fmt(source)}={newer[source]}'
                        f' but {_fmt(other)}={newer[other]}, both set '
                        f'{where}. {fix}')
            n = newer[source]
            break
        newer = {p: _get(older, p, None) for p in values}
    else:
        source, n = head, values[head]
        for other in declared[1:]:
            if values[other] != n:
                raise NumClassesMismatchError(
                    f'number of classes: {_fmt(head)}={n} '
                    f"but {_fmt(other)}={values[other]} (the dataset "
                    "config's) in "
                    f"{getattr(cfg, 'filename', None) or 'the config'}. Make "
                    'them one number: in the config, model=dict('
                    f"{head[1]}=dict(num_classes=_base_.num_classes)) "
                    '(or the number), or on the command line '
                    f'--cfg-options {_fmt(head)}=N; the datasets, mixup / '
                    'cutmix and the metrics follow the head.')
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise NumClassesMismatchError(
            f'number of classes: {_fmt(source)}={n!r} is not a positive '
            'integer')

    followed = []
    for path in declared + following:
        if values[path] != n:
            followed.append(f'{_fmt(path)} {values[path]} -> {n}')
            _set(cfg, path, n)
    for split in ('val', 'test'):
        evaluator = cfg.get(f'{split}_evaluator', None)
        if evaluator:
            for where, old, new in _topk_fix(evaluator, n):
                followed.append(
                    f'{split}_evaluator{"" if where.startswith("[") else "."}'
                    f'{where} {old} -> {new} (top-k above {n} classes)')
    if followed:
        print_log(
            f'number of classes: {n} ({_fmt(source)}); '
            + '; '.join(followed),
            logger='current', level=logging.INFO)
    return n


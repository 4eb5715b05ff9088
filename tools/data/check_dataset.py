"""Check every sample of a config's dataset: list bad ones, clean the list.

Builds the dataset of ``<split>_dataloader`` the way training / testing will
(its annotation file, data prefix and pipeline, including the decoding
steps), runs the pipeline on every sample in parallel worker processes with
a progress bar, and writes to ``--out-dir``:

    bad_files.txt          one line per problem: "<path>\\t<reason>"
                           (<ann_file>:<line> for a malformed annotation line)
    <ann stem>_clean<ext>  the annotation file without the bad lines, in the
                           same format: point ann_file at it to train or test
                           on the good samples only

``VideoDataset`` / ``RawframeDataset`` are checked as their drop-in
``RobustVideoDataset`` / ``RobustRawframeDataset`` (structvit_mm), which also
check the annotation lines (malformed lines, labels outside ``num_classes``;
``num_classes`` is taken from the dataset config, else from
``model.cls_head.num_classes``).

Image datasets (mmpretrain's ``CustomDataset`` / ``ImageNet`` with a
``<path> <label>`` list) are checked line by line: the line's format, its
label against the number of classes, and that the image file decodes.

The training pipeline samples frames at random, so a video is decoded at the
positions one random draw picks (the way one training step would read it);
``--split val`` / ``test`` use the deterministic test-mode sampling.

Exit status: 0 when every sample loads, 1 when bad samples or annotation lines
were found, 2 for usage / config errors.

Example::

    python tools/data/check_dataset.py configs/structvit_k400.py \\
        --split train --workers 8 --out-dir work_dirs/check_k400_train
"""
import argparse
import os
import os.path as osp
import sys

import structvit_mm  # noqa: F401  (compat fixes + registration)
from mmengine.config import Config, DictAction
from mmengine.fileio import list_from_file
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

#: stock mmaction2 dataset -> the robust drop-in that is checked instead
ROBUST = {
    'VideoDataset': 'RobustVideoDataset',
    'RawframeDataset': 'RobustRawframeDataset',
}
#: wrappers whose inner ``dataset`` holds the samples
WRAPPERS = ('RepeatDataset', 'ClassBalancedDataset')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        epilog='Exit status: 0 = all samples good, 1 = bad samples or '
        'annotation lines found (listed in <out-dir>/bad_files.txt), '
        '2 = usage or config error.',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='mmaction2 or mmpretrain config file')
    parser.add_argument('--split', choices=['train', 'val', 'test'],
                        default='train',
                        help='which <split>_dataloader.dataset to check')
    parser.add_argument('--workers', type=int, default=min(8, os.cpu_count()
                                                           or 1),
                        help='decoding worker processes (0: in this one)')
    parser.add_argument('--out-dir', default=None,
                        help='where to write bad_files.txt and the cleaned '
                        'list (default: work_dirs/check_<config>_<split>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, as in tools/train.py')
    return parser.parse_args(argv)


def dataset_config(cfg, split: str):
    """The split's dataset config as a robust dataset, ready to check."""
    key = f'{split}_dataloader'
    if key not in cfg or cfg[key] is None:
        raise ValueError(f'the config has no {key}')
    ds_cfg = cfg[key]['dataset']
    while ds_cfg.get('type') in WRAPPERS:
        ds_cfg = ds_cfg['dataset']
    ds_cfg = ds_cfg.copy()
    ds_type = ds_cfg.get('type')
    if ds_type in ROBUST:
        ds_cfg['type'] = ROBUST[ds_type]
    elif ds_type not in ROBUST.values():
        raise ValueError(
            f'{key}.dataset is {ds_type!r}; this tool checks '
            f'{", ".join(list(ROBUST) + list(ROBUST.values()))}')
    if ds_cfg.get('num_classes') is None:
        head = cfg.get('model', {}).get('cls_head') or {}
        if head.get('num_classes') is not None:
            ds_cfg['num_classes'] = head['num_classes']
    # load every line it can and report the others; no skipping of samples
    # (the probe sees every failure) and no refetching
    ds_cfg.update(bad_line='skip', skip_bad_samples=False)
    return ds_cfg


#: mmpretrain datasets read from a "<path> <label>" list
IMAGE_DATASETS = ('CustomDataset', 'ImageNet', 'ImageNet21k')


def image_dataset(cfg, split: str):
    """The split's mmpretrain list and image folder, resolved as
    ``CustomDataset`` / ``ImageNet`` resolve them (``ann_file`` and
    ``data_prefix`` under ``data_root``; ``ImageNet``'s ``split`` gives
    ``meta/<split>.txt`` and ``<split>/``), or ``None`` for a video
    dataset. (Building the dataset would parse the list and stop at the
    first bad line.)"""
    ds_cfg = cfg[f'{split}_dataloader']['dataset']
    while ds_cfg.get('type') in WRAPPERS:
        ds_cfg = ds_cfg['dataset']
    if ds_cfg.get('type') not in IMAGE_DATASETS:
        return None
    ann_file = ds_cfg.get('ann_file') or ''
    prefix = ds_cfg.get('data_prefix') or ''
    if isinstance(prefix, dict):
        prefix = prefix.get('img_path', '')
    if ds_cfg['type'] != 'CustomDataset' and ds_cfg.get('split'):
        ann_file = ann_file or f'meta/{ds_cfg["split"]}.txt'
        prefix = prefix or ds_cfg['split']
    if not ann_file:
        raise ValueError(f'{split}_dataloader.dataset has no ann_file; this '
                         'tool checks "<path> <label>" lists')
    root = ds_cfg.get('data_root') or ''
    ann_file, prefix = (p if osp.isabs(p) else osp.join(root, p)
                        for p in (ann_file, prefix))
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'{split}_dataloader.dataset: no list file '
                                f'{ann_file}')
    return argparse.Namespace(type=ds_cfg['type'], ann_file=ann_file,
                              data_prefix=prefix)


def check_images(dataset, num_classes, workers: int):
    """``[(path, reason, line number or None)]`` for every bad line or
    image of an mmpretrain list."""
    import mmcv
    from concurrent.futures import ThreadPoolExecutor
    prefix = dataset.data_prefix
    problems, images = [], []
    for lineno, line in enumerate(list_from_file(dataset.ann_file), 1):
        if not line.strip():
            continue
        parts = line.strip().rsplit(' ', 1)
        where = f'{dataset.ann_file}:{lineno}'
        if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
            problems.append((where, f'not "<path> <label>": {line!r}',
                             lineno))
        elif not 0 <= int(parts[1]) < (num_classes or 1 << 62):
            problems.append((where, f'label {parts[1]} outside [0, '
                             f'num_classes={num_classes}): {line!r}',
                             lineno))
        else:
            images.append((osp.join(prefix, parts[0]), lineno))

    def probe(item):
        try:
            return mmcv.imread(item[0]) is None
        except Exception:  # unreadable / missing files raise in some paths
            return True

    bar = ProgressBar(len(images))
    with ThreadPoolExecutor(max(workers, 1)) as pool:
        for (path, lineno), bad in zip(images, pool.map(probe, images)):
            if bad:
                reason = ('missing file' if not osp.isfile(path) else
                          'does not decode as an image')
                problems.append((path, reason, lineno))
            bar.update()
    print()
    return problems


def check(dataset, workers: int):
    """``[(path, reason, ann_line or None)]`` for every problem found."""
    from structvit_mm.datasets import probe_samples
    problems = [(f'{err.ann_file}:{err.lineno}', f'{err.problem}: '
                 f'{err.line!r}', err.lineno) for err in dataset.bad_lines]
    bar = ProgressBar(len(dataset))
    bad = []
    for idx, reason in probe_samples(dataset, range(len(dataset)), workers):
        if reason is not None:
            bad.append((idx, reason))
        bar.update()
    print()
    for idx, reason in sorted(bad):
        info = dataset.get_data_info(idx)
        problems.append((dataset.sample_path(info), reason,
                         info.get('ann_line')))
    return problems


def write_outputs(dataset, problems, out_dir: str):
    """Write bad_files.txt and the cleaned annotation list; their paths."""
    os.makedirs(out_dir, exist_ok=True)
    bad_path = osp.join(out_dir, 'bad_files.txt')
    with open(bad_path, 'w') as f:
        for path, reason, _ in problems:
            f.write(f'{path}\t{reason}\n')
    bad_lines = {line for _, _, line in problems if line is not None}
    stem, ext = osp.splitext(osp.basename(dataset.ann_file))
    clean_path = osp.join(out_dir, f'{stem}_clean{ext}')
    with open(clean_path, 'w') as f:
        for lineno, line in enumerate(list_from_file(dataset.ann_file), 1):
            if line.strip() and lineno not in bad_lines:
                f.write(line + '\n')
    return bad_path, clean_path


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    from mmaction.registry import DATASETS

    from structvit_mm.num_classes import sync_num_classes
    try:
        # the labels are checked against the number training will use
        # (e.g. --cfg-options model.cls_head.num_classes=3)
        num_classes = sync_num_classes(cfg)
        images = image_dataset(cfg, args.split) if cfg.get(
            f'{args.split}_dataloader') else None
        ds_cfg = None if images else dataset_config(cfg, args.split)
    except (ValueError, FileNotFoundError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    out_dir = args.out_dir or osp.join(
        'work_dirs',
        f'check_{osp.splitext(osp.basename(args.config))[0]}_{args.split}')
    if images is not None:
        total = sum(1 for line in list_from_file(images.ann_file)
                    if line.strip())
        print(f'checking {total} annotation line(s) of {images.ann_file} '
              f'({images.type}, {args.workers} thread(s))')
        problems = check_images(images, num_classes, args.workers)
        bad_path, clean_path = write_outputs(images, problems, out_dir)
        return report(problems, total, None, bad_path, clean_path)
    try:
        dataset = DATASETS.build(ds_cfg)
    except (FileNotFoundError, ValueError) as exc:  # no file / no good line
        print(f'error: {exc}', file=sys.stderr)
        return 2
    total = len(dataset) + len(dataset.bad_lines)
    print(f'checking {total} annotation line(s) of {dataset.ann_file} '
          f'({ds_cfg["type"]}, {args.workers} worker(s))')
    problems = check(dataset, args.workers)
    bad_path, clean_path = write_outputs(dataset, problems, out_dir)
    return report(problems, total, len(dataset.bad_lines), bad_path,
                  clean_path)


def report(problems, total, malformed, bad_path, clean_path) -> int:
    """Print the problems and the summary; the exit status."""
    for path, reason, _ in problems:
        print(f'BAD {path}\t{reason}')
    lines = '' if malformed is None else \
        f' ({malformed} malformed annotation line(s))'
    print(f'{len(problems)} of {total} sample(s) bad{lines}; '
          f'list: {bad_path}; cleaned annotation file '
          f'({total - len(problems)} lines): {clean_path}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

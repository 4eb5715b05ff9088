"""Write model-index.yml and one metafile.yml per model family, in
OpenMMLab's format, from the configs and the paper's numbers (``PAPER``).

    python tools/misc/gen_model_index.py          # (re)write them
    python tools/misc/gen_model_index.py --check  # exit 1 if out of date

Every config under ``configs/`` but ``_base_``, ``demo`` and ``benchmark``
becomes one model: its family (collection) is its folder (``structvit``,
``structdeit``; the short-name configs at the top, ``structvit_k400.py``...,
join ``structvit``). ``Parameters`` are counted on the built model; ``FLOPs``
(per test view, multiply-accumulates) by ``tools/analysis/get_flops.py``'s
code at the config's test input, once per distinct model and input, cached
in ``tools/misc/model_index_flops.json`` (a new row costs one count).
``Results`` hold the paper's metrics only, marked ``(paper)`` in their
names: no checkpoint was trained here, so there are no ``Weights``.
Adding a row: its config, plus one line in ``PAPER`` if the paper reports
it; then run this script.
"""
import argparse
import copy
import glob
import hashlib
import importlib.util
import json
import os.path as osp
import sys

import yaml

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CACHE = osp.join(ROOT, 'tools', 'misc', 'model_index_flops.json')
# warm_start: fine-tunes from UniFormer / DeiT weights, not rows of the paper
SKIP_DIRS = ('_base_', 'demo', 'benchmark', 'warm_start')

PAPER_REF = dict(
    URL='https://openaccess.thecvf.com/content/CVPR2024/html/'
    'Kim_Learning_Correlation_Structures_for_Vision_Transformers_'
    'CVPR_2024_paper.html',
    Title='Learning Correlation Structures for Vision Transformers')
COLLECTIONS = {
    'structvit': dict(
        Name='StructViT',
        Metadata=dict(Architecture=['StructSA', 'StructViT']),
        Paper=PAPER_REF, README='README.md'),
    'structdeit': dict(
        Name='StructDeiT',
        Metadata=dict(Architecture=['StructSA', 'DeiT']),
        Paper=PAPER_REF, README='README.md'),
}

# The paper's metrics (spec sections 2, 4, 5): config name -> top-1 or
# (top-1, top-5); Gym rows: mean class accuracy. Rows the paper does not
# report (the IN-1K models that only initialise a video row, L-4-1 without
# Token Labeling) have no line.
T1, T5, MCA = 'Top 1 Accuracy', 'Top 5 Accuracy', 'Mean Class Accuracy'
PAPER = {
    # ImageNet-1K (Table 3); _tl_: Token Labeling, 384: fine-tuned at 384
    'structvit-s-4-2_in1k-224': 82.9,
    'structvit-s-4-1_in1k-224': 83.2,
    'structvit-s-8-1_in1k-224': 83.3,
    'structvit-b-4-2_in1k-224': 84.0,
    'structvit-b-4-1_in1k-224': 84.2,
    'structvit-b-8-1_in1k-224': 84.3,
    'structvit-s-4-1_tl_in1k-224': 84.0,
    'structvit-s-4-1_tl_in1k-384': 85.2,
    'structvit-b-4-1_tl_in1k-224': 85.4,
    'structvit-b-4-1_tl_in1k-384': 86.5,
    'structvit-l-4-1_tl_in1k-224': 86.0,
    'structvit-l-4-1_tl_in1k-384': 86.7,
    # Kinetics-400 (Table 4)
    'structvit-s-4-2_in1k-pre_16x4x1_k400-rgb': (81.1, 95.5),
    'structvit-s-4-1_in1k-pre_16x4x1_k400-rgb': (81.4, 95.7),
    'structvit-s-8-1_in1k-pre_16x4x1_k400-rgb': (81.6, 95.8),
    'structvit-b-4-2_in1k-pre_32x4x1_k400-rgb': (83.1, 95.5),
    'structvit-b-4-1_in1k-pre_32x4x1_k400-rgb': (83.3, 95.6),
    'structvit-b-4-1_in1k-pre_32x4x1_k400-rgb_3crop-test': (83.4, 95.8),
    # Something-Something V1 / V2 (Table 5a)
    'structvit-s-4-2_k400-pre_16x3x1_sthv1-rgb': (57.6, 85.3),
    'structvit-s-4-1_k400-pre_16x3x1_sthv1-rgb': (58.0, 85.5),
    'structvit-s-8-1_k400-pre_16x3x1_sthv1-rgb': (58.0, 85.7),
    'structvit-b-4-2_k400-pre_32x3x1_sthv1-rgb': (61.1, 87.7),
    'structvit-b-4-1_k400-pre_32x3x1_sthv1-rgb': (61.3, 87.8),
    'structvit-s-4-2_k400-pre_16x3x1_sthv2-rgb': (68.3, 91.3),
    'structvit-s-4-1_k400-pre_16x3x1_sthv2-rgb': (68.8, 91.9),
    'structvit-s-8-1_k400-pre_16x3x1_sthv2-rgb': (69.0, 92.1),
    'structvit-b-4-2_k400-pre_32x3x1_sthv2-rgb': (71.1, 92.7),
    'structvit-b-4-1_k400-pre_32x3x1_sthv2-rgb': (71.5, 93.1),
    # Diving-48 (V2), FineGym (Table 5b): top-1; Gym: mean class accuracy
    'structvit-b-4-2_k400-pre_32x3x1_diving48-rgb': 87.8,
    'structvit-b-4-1_k400-pre_32x3x1_diving48-rgb': 88.3,
    'structvit-b-4-2_k400-pre_32x3x1_gym99-rgb': {MCA: 89.3},
    'structvit-b-4-1_k400-pre_32x3x1_gym99-rgb': {MCA: 89.5},
    'structvit-b-4-2_k400-pre_32x3x1_gym288-rgb': {MCA: 53.8},
    'structvit-b-4-1_k400-pre_32x3x1_gym288-rgb': {MCA: 54.2},
}
# the analysis model (Tables 1a-c, 6a, 6b, 7): <row> -> (IN-1K, SSv1) top-1
# of structdeit-s-<row>_in1k-224 / structdeit-s-<row>_in1k-pre_16x3x1_sthv1
ANALYSIS = {
    'd0': (80.5, 48.3), 'd1': (80.8, 49.7), 'd2': (80.9, 50.1),
    'd4': (81.1, 50.4), 'd8': (81.3, 50.6),
    'd4-m1': (80.6, 48.5), 'd4-m5': (81.1, 50.5), 'd4-m7': (81.0, 50.5),
    'd4-element': (80.9, 49.6), 'd4-shared': (80.7, 48.7),
    'd4-cwcorr': (81.0, 49.9),
    'd4-uk1-uv3': (80.8, 48.7), 'd4-uk5-uv3': (81.0, 50.6),
    'd4-uk7-uv3': (80.9, 50.3), 'd4-uk3-uv5': (81.2, 50.3),
    'd4-uk3-uv7': (81.0, 50.3),
    # Table 7 (equal FLOPs): the wider / deeper ConvSA differ per dataset
    'd1-w432': (80.9, None), 'd1-w480': (None, 49.9),
    'd1-l16': (81.0, None), 'd1-l17': (None, 50.1),
}
for _row, (_in1k, _ssv1) in ANALYSIS.items():
    if _in1k is not None:
        PAPER[f'structdeit-s-{_row}_in1k-224'] = _in1k
    if _ssv1 is not None:
        PAPER[f'structdeit-s-{_row}_in1k-pre_16x3x1_sthv1-rgb'] = _ssv1

DATASETS = {  # name token -> Training Data / Results Dataset
    'k400': 'Kinetics-400', 'sthv1': 'Something-Something V1',
    'sthv2': 'Something-Something V2', 'diving48': 'Diving-48',
    'gym99': 'FineGym99', 'gym288': 'FineGym288', 'in1k': 'ImageNet-1k',
}


def config_files():
    """Every model config, relative to the repository root, sorted."""
    out = []
    for path in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                          recursive=True):
        rel = osp.relpath(path, ROOT)
        if not any(part in SKIP_DIRS for part in rel.split(osp.sep)[1:-1]):
            out.append(rel)
    return sorted(out)


def family(rel: str) -> str:
    parts = rel.split(osp.sep)
    return parts[1] if len(parts) > 2 else 'structvit'


def _row_of(rel: str, cfg) -> str:
    """The row config a short-name config (configs/structvit_k400.py)
    stands for: its only ``_base_``."""
    name = osp.splitext(osp.basename(rel))[0]
    if family(rel) != 'structvit' or len(rel.split(osp.sep)) > 2:
        return name
    from mmengine.config import Config
    bases = Config._get_base_files(osp.join(ROOT, rel))
    return osp.splitext(osp.basename(bases[0]))[0] if len(bases) == 1 \
        else name


def dataset_of(row: str) -> str:
    """The dataset of a row name: its last ``_``-part naming one."""
    for part in reversed(row.split('_')):
        for token, name in DATASETS.items():
            if part == token or part.startswith(token + '-'):
                return name
    raise ValueError(f'no dataset in the config name {row!r}')


def test_input(cfg):
    """``(input shape per view, views)`` of the config's test pipeline."""
    pipeline = cfg.test_dataloader.dataset.pipeline
    frames, clips, crops, size = None, 1, 1, None
    for step in pipeline:
        kind = step['type']
        if kind in ('SampleFrames', 'UniformSample', 'DenseSampleFrames'):
            frames, clips = step['clip_len'], step.get('num_clips', 1)
        elif kind in ('CenterCrop', 'ThreeCrop', 'TenCrop'):
            size = step['crop_size']
            crops = {'ThreeCrop': 3, 'TenCrop': 10}.get(kind, 1)
    size = size if isinstance(size, int) else size[0]
    if frames is None:
        return (1, 3, size, size), 1
    return (1, 3, frames, size, size), clips * crops


def _get_flops_module():
    spec = importlib.util.spec_from_file_location(
        'get_flops', osp.join(ROOT, 'tools', 'analysis', 'get_flops.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _flops_key(cfg, shape) -> str:
    """What the FLOPs depend on: the model without initialisation,
    regularisation, losses and class count, and the input."""
    model = copy.deepcopy(cfg.model.to_dict())
    model.pop('data_preprocessor', None)
    model.pop('train_cfg', None)
    model.pop('init_cfg', None)
    for part in ('backbone', 'neck', 'head', 'cls_head'):
        sub = model.get(part) or {}
        for key in ('init_cfg', 'pretrained', 'drop_path_rate', 'drop_rate',
                    'dropout_ratio', 'loss', 'label_smooth_eps',
                    'num_classes', 'cal_acc', 'average_clips'):
            sub.pop(key, None)
    text = json.dumps([model, list(shape)], sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def describe(rel: str, flops_cache: dict, count_flops: bool = True):
    """One metafile model entry (and whether the cache grew)."""
    import torch
    from mmengine.config import Config
    from structvit_mm.num_classes import sync_num_classes
    gf = _get_flops_module()
    cfg = Config.fromfile(osp.join(ROOT, rel))
    sync_num_classes(cfg, layers=[])
    shape, views = test_input(cfg)
    model = gf.build_model(cfg).eval()
    params = sum(p.numel() for p in model.parameters())
    key = _flops_key(cfg, shape)
    if key not in flops_cache and count_flops:
        from structvit_mm.analysis import complexity_info
        wrapped = gf.ClassifierForward(model).eval()
        res = complexity_info(wrapped, (torch.randn(*shape), ))
        flops_cache[key] = int(res['flops'])
        print(f'counted {rel}: {res["flops"] / 1e9:.2f} GFLOPs at {shape}',
              flush=True)
    name = osp.splitext(osp.basename(rel))[0]
    row = _row_of(rel, cfg)
    video = len(shape) == 5
    arch = row.split('_')[0]  # structvit-s-4-2 / structdeit-s-d4
    dataset = dataset_of(row)
    meta = {
        'Architecture': arch.replace('structvit', 'StructViT').replace(
            'structdeit', 'StructDeiT').replace('-s-', '-S-').replace(
                '-b-', '-B-').replace('-l-', '-L-'),
        'Training Data': dataset,
        'Parameters': params,
    }
    if key in flops_cache:
        meta['FLOPs'] = flops_cache[key]
    if '_tl_' in row:
        meta['Training Techniques'] = ['Token Labeling']
    if video:
        meta['Frame'] = shape[2]
        meta['Test views'] = views
        meta['Modality'] = 'RGB'
    meta['Resolution'] = f'{shape[-1]}x{shape[-1]}'
    entry = {
        'Name': name,
        'In Collection': COLLECTIONS[family(rel)]['Name'],
        'Config': rel.replace(osp.sep, '/'),
        'Metadata': meta,
    }
    if name != row:
        entry['Alias'] = [row]  # the short name of a paper row
    paper = PAPER.get(row)
    if paper is not None:
        if isinstance(paper, dict):
            metrics = dict(paper)
        elif isinstance(paper, tuple):
            metrics = {T1: paper[0], T5: paper[1]}
        else:
            metrics = {T1: paper}
        entry['Results'] = [{
            'Task': 'Action Recognition' if video else 'Image Classification',
            'Dataset': dataset,
            # the paper's numbers: nothing was trained here
            'Metrics': {f'{k} (paper)': v for k, v in metrics.items()},
        }]
    return entry


def generate(count_flops: bool = True) -> dict:
    """``{relative path: yaml text}`` of model-index.yml and metafiles."""
    cache = json.load(open(CACHE)) if osp.isfile(CACHE) else {}
    families = {}
    for rel in config_files():
        families.setdefault(family(rel), []).append(
            describe(rel, cache, count_flops))
    if count_flops:
        with open(CACHE, 'w') as f:
            json.dump(cache, f, indent=1, sort_keys=True)
            f.write('\n')
    header = ('# Written by tools/misc/gen_model_index.py from the configs '
              'and the paper\'s\n# numbers; edit that script, not this '
              'file. Metrics are the paper\'s.\n')
    out = {}
    for fam, models in sorted(families.items()):
        out[f'configs/{fam}/metafile.yml'] = header + yaml.safe_dump(
            dict(Collections=[COLLECTIONS[fam]], Models=models),
            sort_keys=False, allow_unicode=True, width=79)
    out['model-index.yml'] = header + yaml.safe_dump(
        dict(Import=sorted(k for k in out if k.endswith('metafile.yml'))),
        sort_keys=False)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='exit 1 if a written file is out of date')
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    import structvit_mm  # noqa: F401
    files = generate(count_flops=not args.check)
    stale = []
    for rel, text in files.items():
        path = osp.join(ROOT, rel)
        old = open(path).read() if osp.isfile(path) else None
        if old != text:
            stale.append(rel)
            if not args.check:
                with open(path, 'w') as f:
                    f.write(text)
    if args.check and stale:
        print('out of date (run python tools/misc/gen_model_index.py): '
              + ', '.join(stale))
        return 1
    print(('up to date: ' if args.check else 'wrote: ')
          + ', '.join(sorted(files)))
    return 0


if __name__ == '__main__':
    sys.exit(main())

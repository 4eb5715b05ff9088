"""Write what is derived from the paper's rows (``structvit_mm.zoo``) and
the configs: model-index.yml, one metafile.yml per model family (OpenMMLab's
format), the results tables of configs/structvit/README.md and
configs/structdeit/README.md, and the short-name configs
configs/structvit_<alias>.py.

    python tools/misc/gen_model_index.py          # (re)write them
    python tools/misc/gen_model_index.py --check  # exit 1 if one drifted

Every config under ``configs/`` but ``_base_``, ``demo`` and ``benchmark``
becomes one model: its family (collection) is its folder (``structvit``,
``structdeit``; the short-name configs at the top, ``structvit_k400.py``...,
join ``structvit``). ``Parameters`` are counted on the built model; ``FLOPs``
(per test view, multiply-accumulates) by ``structvit_mm.analysis`` (as
``tools/analysis/get_flops.py`` counts) at the config's test input, once per distinct model and input, cached
in ``tools/misc/model_index_flops.json`` (a new row costs one count).
``Results`` hold the paper's metrics only, marked ``(paper)`` in their
names: no checkpoint was trained here, so there are no ``Weights``.
The command line is ``tools/misc/gen_model_index.py``.
Adding a row: its config, plus one ``Row`` in ``structvit_mm/zoo.py`` if
the paper reports it; then run this script. In the READMEs only the block
between the ``<!-- zoo:... -->`` markers is written; the rest is by hand.
"""
import argparse
import copy
import glob
import hashlib
import json
import os.path as osp

import yaml

from . import zoo

# a checkout's root: the generator writes files of the repository
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CACHE = osp.join(ROOT, 'tools', 'misc', 'model_index_flops.json')
# warm_start: fine-tunes from UniFormer / DeiT weights, not rows of the paper
SKIP_DIRS = ('_base_', 'demo', 'benchmark', 'warm_start')

PAPER_REF = dict(
    URL='https://openaccess.thecvf.com/content/CVPR2024/html/'
    'Kim_Learning_Correlation_Structures_for_Vision_Transformers_'
    'CVPR_2024_paper.html',
    Title='Learning Correlation Structures for Vision Transformers')
T1, T5, MCA = 'Top 1 Accuracy', 'Top 5 Accuracy', 'Mean Class Accuracy'
COLLECTIONS = {
    'structvit': dict(
        Name='StructViT',
        Metadata=dict(Architecture=['StructSA', 'StructViT']),
        Paper=PAPER_REF, README='configs/structvit/README.md'),
    'structdeit': dict(
        Name='StructDeiT',
        Metadata=dict(Architecture=['StructSA', 'DeiT']),
        Paper=PAPER_REF, README='configs/structdeit/README.md'),
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


def _row_of(rel: str):
    """The zoo row of a config: its own, or the one its short name
    (``configs/structvit_<alias>.py``) stands for; None if neither."""
    name = osp.splitext(osp.basename(rel))[0]
    if len(rel.split(osp.sep)) == 2 and name.startswith('structvit_'):
        return zoo.ALIASES[name[len('structvit_'):]]
    return zoo.BY_NAME.get(name)


def dataset_of(name: str) -> str:
    """The dataset of a config name: its last ``_``-part naming one."""
    for part in reversed(name.split('_')):
        for token, dataset in zoo.DATASETS.items():
            if part == token or part.startswith(token + '-'):
                return dataset
    raise ValueError(f'no dataset in the config name {name!r}')


test_input = zoo.config_input


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


def _count(cfg, shape):
    """``(params, FLOPs per view)`` of the config's model at ``shape``:
    the counting of ``tools/analysis/get_flops.py``."""
    import torch
    from structvit_mm.analysis import ClassifierForward, complexity_info
    from structvit_mm.apis import init_model
    model = init_model(cfg)
    res = complexity_info(ClassifierForward(model).eval(),
                          (torch.randn(*shape), ))
    return res['params'], int(res['flops'])


def describe(rel: str, flops_cache: dict, count_flops: bool = True):
    """One metafile model entry."""
    from mmengine.config import Config
    from structvit_mm.apis import init_model
    from structvit_mm.num_classes import sync_num_classes
    cfg = Config.fromfile(osp.join(ROOT, rel))
    sync_num_classes(cfg, layers=[])
    shape, views = test_input(cfg)
    row = _row_of(rel)
    if row is not None and (tuple(row.input_shape), row.views) != (
            shape, views):
        raise ValueError(
            f'{rel}: structvit_mm.zoo gives {row.input_shape} x '
            f'{row.views} views, the test pipeline {shape} x {views}')
    params = sum(p.numel() for p in init_model(cfg).parameters())
    key = _flops_key(cfg, shape)
    if key not in flops_cache and count_flops:
        _, flops_cache[key] = _count(cfg, shape)
        print(f'counted {rel}: {flops_cache[key] / 1e9:.2f} GFLOPs at '
              f'{shape}', flush=True)
    name = osp.splitext(osp.basename(rel))[0]
    row_name = row.name if row is not None else name
    video = len(shape) == 5
    arch = row_name.split('_')[0]  # structvit-s-4-2 / structdeit-s-d4
    dataset = dataset_of(row_name)
    meta = {
        'Architecture': arch.replace('structvit', 'StructViT').replace(
            'structdeit', 'StructDeiT').replace('-s-', '-S-').replace(
                '-b-', '-B-').replace('-l-', '-L-'),
        'Training Data': dataset,
        'Parameters': params,
    }
    if key in flops_cache:
        meta['FLOPs'] = flops_cache[key]
    if '_tl_' in row_name:
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
    if name != row_name:
        entry['Alias'] = [row_name]  # the short name of a paper row
    metrics = row.metrics() if row is not None else {}
    if metrics:
        entry['Results'] = [{
            'Task': 'Action Recognition' if video else 'Image Classification',
            'Dataset': dataset,
            # the paper's numbers: nothing was trained here
            'Metrics': {f'{k} (paper)': v for k, v in metrics.items()},
        }]
    return entry


# ---------------------------------------------------------------- READMEs
BEGIN = '<!-- zoo:begin (written by tools/misc/gen_model_index.py from ' \
    'structvit_mm/zoo.py; edit those, not this block) -->'
END = '<!-- zoo:end -->'
# family -> [(section title, predicate on a row)]
SECTIONS = {
    'structvit': [
        ('ImageNet-1K (Table 3)', lambda r: r.dataset == 'in1k'),
        ('Kinetics-400 (Table 4)', lambda r: r.dataset == 'k400'),
        ('Something-Something V1 (Table 5a)',
         lambda r: r.dataset == 'sthv1'),
        ('Something-Something V2 (Table 5a)',
         lambda r: r.dataset == 'sthv2'),
        ('Diving-48, V2 labels (Table 5b)',
         lambda r: r.dataset == 'diving48'),
        ('FineGym (Table 5c)', lambda r: r.dataset.startswith('gym')),
    ],
    'structdeit': [
        ('ImageNet-1K (Tables 1, 6, 7)', lambda r: r.dataset == 'in1k'),
        ('Something-Something V1 (Tables 1, 6, 7)',
         lambda r: r.dataset == 'sthv1'),
    ],
}


def _paper(value):
    """A paper number as printed."""
    return '-' if value is None else f'{value:g}'


def _ours(value):
    if value is None:
        return '-'
    return f'{value:.2f}' if value < 100 else f'{value:.1f}'


def _table(rows, models):
    """One markdown table: the paper's numbers beside ours (counted on the
    built model, per :func:`describe`) for ``rows``."""
    video = rows[0].video
    metric_cols = [(label, key) for label, key in (
        ('top-1 (paper)', 'top1'), ('top-5 (paper)', 'top5'),
        ('mean class acc. (paper)', 'mean_class_acc'))
        if any(getattr(r, key) is not None for r in rows)]
    head = ['model', 'paper row']
    if video:
        head += ['frames', 'test views']
    else:
        head += ['resolution']
    head += [label for label, _ in metric_cols]
    head += ['params (M) paper / ours', 'GFLOPs paper / ours', 'config']
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for r in rows:
        meta = models[r.name]['Metadata']
        ours_g = meta.get('FLOPs')
        views = r.flops_views or r.views
        ours_g = None if ours_g is None else ours_g * views / 1e9
        flops = f'{_paper(r.gflops)} / {_ours(ours_g)}'
        if r.video and r.gflops is not None:
            flops += ' (1 view)' if views == 1 else f' ({views} views)'
        if r.gflops_honest is not None:
            flops += ' (paper miscounted)'
        cells = [meta['Architecture'] + ('*' if '_tl_' in r.name else ''),
                 r.ref]
        if video:
            cells += [str(r.input_shape[2]), str(r.views)]
        else:
            cells += [f'{r.input_shape[-1]}x{r.input_shape[-1]}']
        cells += [_paper(getattr(r, key)) for _, key in metric_cols]
        cells += [f'{_paper(r.params)} / {_ours(meta["Parameters"] / 1e6)}',
                  flops, f'[config]({r.name}.py)']
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def readme_block(fam: str, models: dict) -> str:
    """The generated part of ``configs/<fam>/README.md``."""
    parts = [BEGIN, '']
    rows = [r for r in zoo.ROWS if r.family == fam]
    for title, keep in SECTIONS[fam]:
        chosen = [r for r in rows if keep(r)]
        if chosen:
            parts += [f'### {title}', '', _table(chosen, models), '']
    parts.append(END)
    return '\n'.join(parts)


def replace_block(text: str, block: str, where: str = 'README') -> str:
    """``text`` with its one generated block replaced by ``block``."""
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise ValueError(f'{where}: needs one {BEGIN!r} ... {END!r} block')
    before, rest = text.split(BEGIN)
    return before + block + rest.split(END, 1)[1]


def write_readme(fam: str, models: dict) -> str:
    """``configs/<fam>/README.md`` with its block replaced."""
    path = osp.join(ROOT, 'configs', fam, 'README.md')
    return replace_block(open(path).read(), readme_block(fam, models), path)


def short_name_config(alias: str) -> str:
    """``configs/structvit_<alias>.py``: the row of that alias."""
    row = zoo.ALIASES[alias]
    return (f'# Short name (structvit_mm.zoo): {row.name}, {row.ref}.\n'
            '# Written by tools/misc/gen_model_index.py.\n'
            f"_base_ = ['./{row.config}']\n"
            "custom_imports = dict(imports=['structvit_mm'], "
            'allow_failed_imports=False)\n')


def generate(count_flops: bool = True) -> dict:
    """``{relative path: text}`` of every derived file."""
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
              'and\n# structvit_mm/zoo.py; edit those, not this file. '
              'Metrics are the paper\'s.\n')
    out = {}
    for fam, models in sorted(families.items()):
        out[f'configs/{fam}/metafile.yml'] = header + yaml.safe_dump(
            dict(Collections=[COLLECTIONS[fam]], Models=models),
            sort_keys=False, allow_unicode=True, width=79)
        out[f'configs/{fam}/README.md'] = write_readme(
            fam, {m['Name']: m for m in models})
    out['model-index.yml'] = header + yaml.safe_dump(
        dict(Import=sorted(k for k in out if k.endswith('metafile.yml'))),
        sort_keys=False)
    for alias in sorted(zoo.ALIASES):
        out[f'configs/structvit_{alias}.py'] = short_name_config(alias)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='exit 1 if a written file is out of date')
    args = parser.parse_args(argv)
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


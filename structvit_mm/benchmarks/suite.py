"""The project's three ablation grids as one suite, for one command
(``tools/analysis/run_grids.py``): placed digits on the image analysis
model, and the motion-structure benchmark on the video analysis model and
on a small StructViT. The grids share their variants
(``configs/benchmark/grid_*.py``).

For each grid the suite makes the data where it is missing, runs every
``(variant, seed)`` through :func:`structvit_mm.benchmarks.grid.run_grid`
(resumable), then writes the report, the training curves and
``machine.json`` (the device, the cores, the library versions and the
command of this session) under ``WORK_ROOT/<grid>/``; each run's
``result.json`` keeps the machine that ran it.

``scale`` multiplies every iteration count of the schedule (the warm-up,
the cosine, the checkpoint): ``scale=5`` is the GPU run of the grids.
``micro`` shrinks everything (tiny data, 2 iterations, small batches):
the CI run that proves each grid file runs end to end.
"""
import json
import os
import os.path as osp
import sys
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple


@dataclass(frozen=True)
class Suite:
    """One grid of the suite."""
    grid: str  # the grid file
    data: str  # which data: 'digits' or 'motion_structure'
    shape: Tuple[int, ...]  # input for params / FLOPs


GRIDS: Dict[str, Suite] = {
    'digits': Suite('configs/benchmark/grid_digits.py', 'digits',
                    (1, 3, 64, 64)),
    'motion_structdeit': Suite('configs/benchmark/grid_structdeit.py',
                               'motion_structure', (1, 3, 8, 32, 32)),
    'motion_structvit': Suite('configs/benchmark/grid_structvit.py',
                              'motion_structure', (1, 3, 8, 64, 64)),
}

#: the options every micro run adds (CI: a few seconds per run)
MICRO_OPTIONS = [
    'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1', 'param_scheduler=[]',
    'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False',
]


#: digits: make_digits arguments, at full and micro scale
_DIGITS = dict(full=dict(), micro=dict(train_per_class=2, test_per_class=1))
#: motion structure: make_motion_structure arguments
_MOTION = dict(full=dict(num_train=6000, num_test=800),
               micro=dict(num_train=16, num_test=16))


def _make_digits(out, scale, workers):
    from .digits import make_digits
    make_digits(out, **_DIGITS[scale])


def _digits_settings(meta, scale):
    """What of a digits ``meta.json`` must match ``scale``'s data."""
    per = _DIGITS[scale]
    want = dict(canvas=64, distractors=0, counts=dict(
        train=10 * per.get('train_per_class', 400),
        test=10 * per.get('test_per_class', 100)))
    return {k: meta.get(k) for k in want}, want


def _make_motion(out, scale, workers):
    from .motion_structure import make_motion_structure
    make_motion_structure(out, workers=1 if scale == 'micro' else workers,
                          **_MOTION[scale])


def _motion_settings(meta, scale):
    want = dict(_MOTION[scale], frames=8, size=32)
    args = meta.get('args', {})
    return {k: args.get(k) for k in want}, want


#: data name -> (maker, (meta.json, scale) -> (found, wanted) settings)
DATA: Dict[str, Tuple[Callable, Callable]] = {
    'digits': (_make_digits, _digits_settings),
    'motion_structure': (_make_motion, _motion_settings),
}


def ensure_data(data: str, out: str, micro: bool, workers: int = 2):
    """Make ``data`` in ``out`` unless it is there; refuse data made with
    other settings (micro data, or digits with distractor fragments), which
    would change every result silently."""
    maker, settings = DATA[data]
    scale = 'micro' if micro else 'full'
    meta_path = osp.join(out, 'meta.json')
    if not osp.isfile(meta_path):
        print(f'making {data} data in {out}', flush=True)
        maker(out, scale, workers)
    with open(meta_path) as f:
        found, want = settings(json.load(f), scale)
    if found != want:
        raise RuntimeError(f'{out} holds {data} data made with {found}; this '
                           f'grid needs {want}: give another --data-root or '
                           'delete it')


def data_options(data: str, root: str) -> List[str]:
    """``--cfg-options`` that point a benchmark config at data in
    ``root``."""
    if data == 'digits':
        return [f'{split}_dataloader.dataset.data_root={root}'
                for split in ('train', 'test')]
    return [opt for split in ('train', 'test') for opt in (
        f'{split}_dataloader.dataset.ann_file='
        f'{root}/{split}_list_videos.txt',
        f'{split}_dataloader.dataset.data_prefix.video='
        f'{root}/videos_{split}')]


def schedule_options(config: str, scale: int) -> List[str]:
    """``--cfg-options`` that make every iteration count of ``config``'s
    schedule ``scale`` times longer (the same shape of warm-up and cosine,
    ``scale`` times the steps)."""
    if scale == 1:
        return []
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    max_iters = cfg.train_cfg.max_iters * scale
    opts = [f'train_cfg.max_iters={max_iters}',
            f'train_cfg.val_interval={max_iters + 1}',
            f'default_hooks.checkpoint.interval={max_iters}']
    for i, sched in enumerate(cfg.get('param_scheduler') or []):
        for key in ('begin', 'end'):
            if sched.get(key) is not None:
                opts.append(f'param_scheduler.{i}.{key}='
                            f'{sched[key] * scale}')
    return opts


def run_suite(names: Optional[Sequence[str]], work_root: str,
              data_root: str = 'data', scale: int = 1,
              seeds: Optional[Sequence[int]] = None, jobs: int = 1,
              threads: Optional[int] = None, micro: bool = False,
              curve_interval: Optional[int] = None, keep_going=False,
              num_bootstrap: int = 10000, data_workers: int = 2,
              record_root: Optional[str] = None) -> dict:
    """Run the named grids (default: all three) in turn; returns
    ``{grid: report summary}``. ``data_root/<data>`` holds (or receives)
    each grid's data; results go to ``work_root/<grid>/``; with
    ``record_root``, each finished run is also recorded in
    ``record_root/<grid>/`` and the runs recorded there are done
    (:func:`structvit_mm.benchmarks.grid.record_run`)."""
    from .ablation import load_grid, plot_curves, report
    from .grid import (_write_json, curve_options, machine, run_grid,
                       save_grid)
    names = list(names or GRIDS)
    unknown = sorted(set(names) - set(GRIDS))
    if unknown:
        raise ValueError(f'unknown grids {unknown}; the suite has '
                         f'{list(GRIDS)}')
    if micro and curve_interval:  # 2 iterations: a curve point at each
        curve_interval = 1
    out = {}
    for name in names:
        suite = GRIDS[name]
        grid = load_grid(suite.grid)
        data = osp.join(data_root, suite.data)
        ensure_data(suite.data, data, micro, data_workers)
        root = osp.join(work_root, name)
        os.makedirs(root, exist_ok=True)
        options = data_options(suite.data, data)
        options += MICRO_OPTIONS if micro else schedule_options(
            grid['config'], scale)
        if curve_interval:  # in the calibrated schedule's iterations
            options += curve_options(curve_interval * (1 if micro else
                                                       scale))
        run_seeds = list(seeds or ([0] if micro else grid['seeds']))
        record = record_root and osp.join(record_root, name)
        saved = dict(config=grid['config'], grid=suite.grid,
                     variants=grid['variants'], seeds=run_seeds,
                     baseline=grid.get('baseline'), cfg_options=options)
        save_grid(root, **saved)
        # this session's command; each run keeps its own machine, so the
        # record (runs from several machines) has no machine.json
        _write_json(osp.join(root, 'machine.json'),
                    dict(machine(), scale=scale, micro=micro, jobs=jobs,
                         threads=threads, command=sys.argv), indent=1)
        failed = run_grid(grid['config'], grid['variants'], run_seeds, root,
                          options=options, jobs=jobs, keep_going=keep_going,
                          shape=suite.shape, threads=threads, record=record)
        if record:  # its runs were not refused: the grid joins it
            save_grid(record, **saved)
        title = (f'{name}: {osp.basename(grid["config"])}'
                 f'{f", {scale}x steps" if scale != 1 else ""}'
                 f'{", micro" if micro else ""} ({machine()["device"]})')
        out[name] = report(root, list(grid['variants']), grid.get('baseline'),
                           num_bootstrap, title)
        if curve_interval:
            plot_curves(root, osp.join(root, 'curves.png'),
                        list(grid['variants']), title,
                        osp.join(root, 'curves.csv'))
        if failed:
            print(f'[{name}] {len(failed)} runs failed: {failed}')
    return out

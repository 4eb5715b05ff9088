"""Train-step and inference throughput and peak memory of whole models.

The measurement and command line of ``tools/analysis/benchmark.py``
(``parse_args`` / ``main`` live here because ``tools/analysis/gpu_check.py``
measures models with the same arguments):

    python tools/analysis/benchmark.py [CONFIG ...] [--shape 1 3 16 224 224]
        [--device cpu|cuda] [--amp] [--compile] [--warmup 5] [--iters 10]
        [--cfg-options KEY=VALUE ...] [--out FILE]

Each config's ``model`` (an mmaction2 ``Recognizer3D`` or an mmpretrain
``ImageClassifier``) is measured at the same input, one model after the
other in one run, beside mmaction2's own UniFormer-S and UniFormer-B
(``--no-baselines`` to leave them out). A *train step* is backbone + head
forward, cross-entropy, backward and an AdamW step; *inference* is the
forward under ``torch.no_grad``. Times are wall-clock after ``--warmup``
steps, synchronised on GPU; throughput is clips (or images) per second.
Peak memory: ``torch.cuda.max_memory_allocated`` on GPU; on CPU each
(model, mode) runs in a fresh process and the number is the growth of its
peak resident set (``ru_maxrss``) over the peak after building the model
and its input.
``--compile`` measures each model a second time with backbone + head under
``torch.compile`` (default inductor; forward and backward compiled, the
AdamW step eager), as a row ``<model> [compiled]`` with ``compile_s``, the
first (compiling) step's time, left out of the timed steps.
``--cfg-options`` change every CONFIG (not the baselines) as in
``tools/train.py``, e.g. ``model.backbone.checkpoint_num=[0,0,8,3]`` to
measure activation checkpointing; the rows are named with them.
(mmaction2's own ``benchmark.py`` is left from 0.x and fails under mmcv 2.)
"""
import argparse
import functools
import json
import multiprocessing as mp
import os
import platform
import resource
import time
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.config import DictAction

BASELINES = {
    'UniFormer-S (mmaction2)':
    'mmaction::recognition/uniformer/'
    'uniformer-small_imagenet1k-pre_16x4x1_kinetics400-rgb.py',
    'UniFormer-B (mmaction2)':
    'mmaction::recognition/uniformer/'
    'uniformer-base_imagenet1k-pre_16x4x1_kinetics400-rgb.py',
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='*',
                        default=['configs/structvit_k400.py'])
    parser.add_argument('--shape', type=int, nargs='+',
                        default=[1, 3, 16, 224, 224],
                        help='input (B, 3, T, H, W) or (B, 3, H, W)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--amp', action='store_true',
                        help='bf16 autocast for the forward passes')
    parser.add_argument('--compile', action='store_true',
                        help='also measure every model under torch.compile')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--no-baselines', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={},
                        help='config changes for every CONFIG (not the '
                        'baselines), as tools/train.py takes them')
    parser.add_argument('--out', default='work_dirs/benchmark_models.json')
    return parser.parse_args(argv)


def build(config: str, options: Optional[dict] = None):
    """The config's model, without pretrained weights (no downloads);
    ``options`` are merged into the config first, as ``--cfg-options``
    would be."""
    from ..apis import init_model
    return init_model(config, cfg_options=options, no_pretrained=True)


def head_logits(model, x):
    """Backbone + head -> logits, for mmaction2 and mmpretrain classifiers."""
    feats = model.backbone(x)
    if hasattr(model, 'cls_head'):  # mmaction2 Recognizer3D
        return model.cls_head(feats)
    if getattr(model, 'neck', None) is not None:  # mmpretrain ImageClassifier
        feats = model.neck(feats)
    # mmpretrain heads' forward is pre_logits + classifier (LinearClsHead's
    # fc, VisionTransformerClsHead's layers.head), without the loss
    return model.head(feats)


def measure(config: str, args, train: bool,
            options: Optional[dict] = None, compiled: bool = False) -> dict:
    """Time ``args.iters`` train steps (or inference passes) of one model
    (built with :func:`build`); ``compiled``: under ``torch.compile``."""
    device = torch.device(args.device)
    model = build(config, options).to(device).train(train)
    x = torch.randn(*args.shape, device=device)
    logits = functools.partial(head_logits, model)
    if compiled:
        logits = torch.compile(logits)
    amp = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.amp)
    if train:
        with torch.no_grad():
            num_classes = head_logits(model, x).shape[-1]
        y = torch.randint(num_classes, (args.shape[0], ), device=device)
        optim = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step():
        if train:
            with amp:
                loss = F.cross_entropy(logits(x).float(), y)
            optim.zero_grad(set_to_none=True)
            loss.backward()
            optim.step()
        else:
            with torch.no_grad(), amp:
                logits(x)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first = time.perf_counter()
    step()  # compiles when compiled
    first = time.perf_counter() - first
    for _ in range(args.warmup - 1):
        step()
    if device.type == 'cuda':
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(args.iters):
        step()
    if device.type == 'cuda':
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
    seconds = (time.perf_counter() - start) / args.iters
    prefix = 'train' if train else 'infer'
    extra = {f'{prefix}_compile_s': round(first, 1)} if compiled else {}
    return {
        **extra,
        'params_m': round(sum(p.numel()
                              for p in model.parameters()) / 1e6, 2),
        f'{prefix}_ms': round(seconds * 1e3, 1),
        f'{prefix}_clips_per_s': round(args.shape[0] / seconds, 3),
        f'{prefix}_peak_mb': round(peak, 1),
    }


def _worker(config, args, train, queue, compiled=False, options=None):
    torch.manual_seed(0)
    try:
        queue.put(measure(config, args, train, options, compiled=compiled))
    except BaseException:  # the parent re-raises it with the config's name
        import traceback
        queue.put(traceback.format_exc())


def run_isolated(config: str, args, train: bool,
                 compiled: bool = False,
                 options: Optional[dict] = None) -> dict:
    """A fresh process per (model, mode): on CPU, ru_maxrss is a lifetime
    high-water mark, so only a new process measures one thing alone."""
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    proc = ctx.Process(target=_worker,
                       args=(config, args, train, queue, compiled, options))
    proc.start()
    result = queue.get()
    proc.join()
    if isinstance(result, str):
        raise RuntimeError(f'benchmark of {config} failed:\n{result}')
    return result


def main(argv=None):
    args = parse_args(argv)
    changes = ' '.join(f'{k}={v}' for k, v in args.cfg_options.items())
    models = {os.path.basename(c) + (f' ({changes})' if changes else ''):
              (c, args.cfg_options) for c in args.configs}
    if not args.no_baselines:
        models.update({n: (c, None) for n, c in BASELINES.items()})
    results = {}
    for name, (config, options) in models.items():
        for compiled in (False, True) if args.compile else (False, ):
            key = f'{name} [compiled]' if compiled else name
            results[key] = {
                **run_isolated(config, args, True, compiled, options),
                **run_isolated(config, args, False, compiled, options)
            }
            print(key, results[key], flush=True)

    cols = ['params_m', 'train_ms', 'train_clips_per_s', 'train_peak_mb',
            'infer_ms', 'infer_clips_per_s', 'infer_peak_mb']
    if args.compile:
        cols += ['train_compile_s', 'infer_compile_s']
    width = max(len(n) for n in results) + 2
    print('\n' + 'model'.ljust(width) + ''.join(c.rjust(18) for c in cols))
    for name, r in results.items():
        print(name.ljust(width) +
              ''.join(str(r.get(c, '-')).rjust(18) for c in cols))
    info = dict(shape=args.shape, device=args.device, amp=args.amp,
                compile=args.compile, cfg_options=args.cfg_options,
                warmup=args.warmup, iters=args.iters,
                torch=torch.__version__, cpus=os.cpu_count(),
                machine=platform.processor() or platform.machine(),
                gpu=torch.cuda.get_device_name()
                if args.device.startswith('cuda') else None)
    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(dict(info=info, results=results), f, indent=2)
    print(f'\nwrote {args.out}')
    return results


if __name__ == '__main__':
    main()

"""StructSA operator benchmark: fast vs literal vs vanilla vs the bound.

The measurement and command line of ``tools/analysis/benchmark_structsa.py``
(``parse_args`` / ``main`` live here because ``tools/analysis/gpu_check.py``
runs the same benchmark on single cases):

    python tools/analysis/benchmark_structsa.py [--device cpu|cuda]
        [--dtype float32|bfloat16] [--batch 1] [--warmup 2] [--iters 5]
        [--cases SUBSTR ...] [--out work_dirs/benchmark_structsa.json]

For every case (StructViT-S stage 3 / 4 shapes for images at 224 and video
at 16 frames, D = 4, strides 1 and 2, plus 8x8x8 tokens with C = 64), one
run times forward + backward (median over ``--iters`` after ``--warmup``)
of the following, taking turns within each iteration:

* ``fast``: ``StructSA(impl='fast')`` (grouped convs + one SDPA call);
* ``literal``: ``StructSA(impl='literal')``, the paper's definition, only
  where its ``O(N^2 C)`` correlation volume fits ``--literal-max-gb``;
* ``vanilla``: attention over the same tokens (``structure_dim=0``);
* ``bound``: qkv linear + SDPA over keys / values of the stacked length
  ``D * N / S^2`` + projection, i.e. the work no implementation of this
  form can avoid (the stacked copies are made by slicing and repeating,
  not convolving).

Memory: the peak of what one forward + backward allocates beyond the
inputs and weights: on GPU the growth of ``torch.cuda.max_memory_allocated``,
on CPU the highest running total of the allocation events that
``torch.profiler`` records with ``profile_memory=True``. A sweep over N and D shows
the fast path's memory divided by ``N * D * C`` staying flat.
"""
import argparse
import json
import math
import os
import platform
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..models.structsa import StructSA

# name: (grid, C, heads, D, stride)
CASES = {
    'img-s3-D4-S1': ((14, 14), 320, 5, 4, 1),
    'img-s3-D4-S2': ((14, 14), 320, 5, 4, 2),
    'img-s4-D4-S1': ((7, 7), 512, 8, 4, 1),
    'img-s4-D4-S2': ((7, 7), 512, 8, 4, 2),
    'vid-s3-D4-S1': ((8, 14, 14), 320, 5, 4, 1),
    'vid-s3-D4-S2': ((8, 14, 14), 320, 5, 4, 2),
    'vid-s4-D4-S1': ((8, 7, 7), 512, 8, 4, 1),
    'vid-s4-D4-S2': ((8, 7, 7), 512, 8, 4, 2),
    'vid-8x8x8-C64-D4-S1': ((8, 8, 8), 64, 1, 4, 1),
    'vid-8x8x8-C64-h2-D4-S1': ((8, 8, 8), 64, 2, 4, 1),
}
SWEEP_GRIDS = [(4, 7, 7), (8, 7, 7), (16, 7, 7)]
SWEEP_D = [1, 4, 8]


class Bound(nn.Module):
    """qkv linear -> SDPA over ``D * N'`` keys/values -> projection."""

    def __init__(self, op: StructSA, kv_tokens: int):
        super().__init__()
        self.qkv, self.proj = op.qkv, op.proj
        self.heads, self.kv_tokens, self.scale = op.num_heads, kv_tokens, \
            op.scale

    def forward(self, x, grid):
        B, N, C = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, self.heads,
                                      -1).permute(2, 0, 3, 1, 4)
        reps = math.ceil(self.kv_tokens / N)
        k = k.repeat(1, 1, reps, 1)[:, :, :self.kv_tokens]
        v = v.repeat(1, 1, reps, 1)[:, :, :self.kv_tokens]
        y = F.scaled_dot_product_attention(q, k, v, scale=self.scale)
        return self.proj(y.transpose(1, 2).reshape(B, N, C))


def make(grid, C, heads, D, stride, impl):
    ndim = len(grid)
    s = (stride, ) * ndim if ndim == 2 else (1, stride, stride)
    if impl == 'vanilla':
        return StructSA(C, heads, structure_dim=0, kernel_size=(3, ) * ndim,
                        stride=(1, ) * ndim)
    op = StructSA(C, heads, structure_dim=D, kernel_size=(3, ) * ndim,
                  stride=s, impl='literal' if impl == 'literal' else 'fast')
    if impl == 'bound':
        kv = D * math.prod(math.ceil(g / si) for g, si in zip(grid, s))
        return Bound(op, kv)
    return op


def literal_gb(grid, C, D, stride, batch, bytes_per):
    """Peak of the literal path: the correlation volume and its convolved
    scores, each kept for backward (``B*N*C*(2N + 2*D*N')`` elements)."""
    N = math.prod(grid)
    n_kv = math.prod(math.ceil(g / s)
                     for g, s in zip(grid, (1, ) * (len(grid) - 2) +
                                     (stride, stride)))
    return batch * N * C * (2 * N + 2 * D * n_kv) * bytes_per / 2**30


def _cpu_peak_bytes(prof) -> int:
    """Replay the profiler's CPU allocation events (frees are negative) in
    time order and return the highest running total."""
    from torch._C._profiler import _EventType
    events, stack = [], list(
        prof.profiler.kineto_results.experimental_event_tree())
    while stack:
        e = stack.pop()
        if e.tag == _EventType.Allocation and \
                e.extra_fields.device.type == 'cpu':
            events.append((e.start_time_ns, e.extra_fields.alloc_size))
        stack.extend(e.children)
    current = peak = 0
    for _, size in sorted(events):
        current += size
        peak = max(peak, current)
    return peak


def step(module, x, grid, amp):
    with amp:
        y = module(x, grid)
    y.float().sum().backward()


def time_interleaved(modules, x, grid, args, amp):
    """Median ms of forward + backward per module. The modules take turns
    within every iteration, so load from elsewhere on the machine falls on
    all of them alike and the ratios stay fair."""
    cuda = x.device.type == 'cuda'
    for _ in range(args.warmup):
        for module in modules.values():
            step(module, x, grid, amp)
    times = {name: [] for name in modules}
    for _ in range(args.iters):
        for name, module in modules.items():
            if cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            step(module, x, grid, amp)
            if cuda:
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) * 1e3 for name, t in times.items()}


def peak_mb(module, x, grid, amp):
    """Peak memory allocated during one forward + backward, in MB."""
    if x.device.type != 'cuda':
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU],
                     profile_memory=True) as prof:
            step(module, x, grid, amp)
        return _cpu_peak_bytes(prof) / 2**20
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    step(module, x, grid, amp)
    torch.cuda.synchronize()
    return (torch.cuda.max_memory_allocated() - base) / 2**20


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--dtype', choices=['float32', 'bfloat16'],
                        default='float32',
                        help='bfloat16 runs under autocast')
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--cases', nargs='*', default=None,
                        help='run only cases whose name contains one of these')
    parser.add_argument('--literal-max-gb', type=float, default=2.0)
    parser.add_argument('--threads', type=int, default=None,
                        help='CPU threads (torch.set_num_threads); on a '
                        'shared machine 1 keeps the timings stable')
    parser.add_argument('--no-sweep', action='store_true')
    parser.add_argument('--out', default='work_dirs/benchmark_structsa.json')
    return parser.parse_args(argv)


def main(argv=None, cases=None, sweep_grids=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    amp = torch.autocast(device.type, dtype=torch.bfloat16,
                         enabled=args.dtype == 'bfloat16')
    cases = cases or CASES
    if args.cases:
        cases = {n: c for n, c in cases.items()
                 if any(s in n for s in args.cases)}
    torch.manual_seed(0)
    rows = []
    for name, (grid, C, heads, D, stride) in cases.items():
        x = torch.randn(args.batch, math.prod(grid), C, device=device,
                        requires_grad=True)
        row = dict(case=name, grid=list(grid), C=C, heads=heads, D=D,
                   stride=stride)
        modules = {}
        for impl in ('fast', 'bound', 'vanilla', 'literal'):
            if impl == 'literal' and literal_gb(
                    grid, C, D, stride, args.batch, 4) > args.literal_max_gb:
                row['literal_ms'] = row['literal_mb'] = None
                continue
            modules[impl] = make(grid, C, heads, D, stride, impl).to(device)
        for impl, ms in time_interleaved(modules, x, grid, args, amp).items():
            row[f'{impl}_ms'] = ms
            row[f'{impl}_mb'] = peak_mb(modules[impl], x, grid, amp)
        row['fast_over_bound'] = row['fast_ms'] / row['bound_ms']
        row['literal_over_fast'] = (row['literal_ms'] / row['fast_ms']
                                    if row['literal_ms'] else None)
        rows.append(row)
        print(name, {k: round(v, 2) if isinstance(v, float) else v
                     for k, v in row.items() if k.endswith(('ms', 'mb'))},
              flush=True)

    sweep = []
    if not args.no_sweep:
        for grid in sweep_grids or SWEEP_GRIDS:
            for D in SWEEP_D:
                C = 64
                x = torch.randn(args.batch, math.prod(grid), C,
                                device=device, requires_grad=True)
                mb = peak_mb(make(grid, C, 1, D, 1, 'fast').to(device), x,
                             grid, amp)
                n_d_c = args.batch * math.prod(grid) * D * C
                sweep.append(dict(grid=list(grid), D=D, C=C, fast_mb=mb,
                                  bytes_per_NDC=mb * 2**20 / n_d_c))

    def fmt(v, spec):
        return format(v, spec) if v is not None else '-'

    print('\n| case | fast ms | bound ms | vanilla ms | literal ms | '
          'fast / bound | literal / fast | fast MB | vanilla MB | literal MB |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['case']} | {r['fast_ms']:.1f} | {r['bound_ms']:.1f} | "
              f"{r['vanilla_ms']:.1f} | {fmt(r['literal_ms'], '.1f')} | "
              f"{r['fast_over_bound']:.2f} | "
              f"{fmt(r['literal_over_fast'], '.1f')} | {r['fast_mb']:.1f} | "
              f"{r['vanilla_mb']:.1f} | {fmt(r['literal_mb'], '.1f')} |")
    if sweep:
        print('\n| grid | D | fast MB | bytes / (N*D*C) |')
        print('|---|---|---|---|')
        for s in sweep:
            print(f"| {'x'.join(map(str, s['grid']))} | {s['D']} | "
                  f"{s['fast_mb']:.2f} | {s['bytes_per_NDC']:.1f} |")

    info = dict(device=args.device, dtype=args.dtype, batch=args.batch,
                warmup=args.warmup, iters=args.iters, torch=torch.__version__,
                cpus=os.cpu_count(), threads=torch.get_num_threads(),
                machine=platform.processor() or platform.machine(),
                gpu=torch.cuda.get_device_name(device)
                if device.type == 'cuda' else None,
                memory='cuda max_memory_allocated' if device.type == 'cuda'
                else 'saved-for-backward activations + output')
    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(dict(info=info, cases=rows, sweep=sweep), f, indent=2)
    print(f'\nwrote {args.out}')
    return dict(info=info, cases=rows, sweep=sweep)


if __name__ == '__main__':
    main()

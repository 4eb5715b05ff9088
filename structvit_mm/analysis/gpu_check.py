"""One prepared GPU check: fused attention backends, bf16 / AMP, memory and
speed against mmaction2's UniFormer-S, in one run of a few minutes.

The harness behind ``tools/analysis/gpu_check.py``; it lives in the package
so the tests can replace a section in process and check the budget.

    python tools/analysis/gpu_check.py [--out-dir work_dirs/gpu_check]
        [--budget-s 450] [--sections NAME ...] [--smoke]

Sections, in order, each with a share of ``--budget-s`` (what one leaves
unused passes to the next; what does not fit is recorded as skipped):

``sdpa``       Which ``scaled_dot_product_attention`` kernel StructSA's fast
               path reaches at the shapes of StructViT-S-4-2 / S-4-1 stages
               3 and 4 (16x224x224 clips, batch 8), in fp32 and under bf16 /
               fp16 autocast: the default pick, then each backend forced in
               turn (``sdpa_kernel``), with the refusal and torch's reasons
               when one is refused, the dtypes / strides of q, k, v that
               reach SDPA, and forward + backward time per backend.
``op``         StructSA forward + backward against its bound, vanilla
               attention and the literal form where it fits, with peak
               memory (``tools/analysis/benchmark_structsa.py``), fp32 and
               bf16, plus the top kernels of the fast path under a profiler.
``train_step`` StructViT-S-4-2 vs mmaction2's UniFormer-S train step, batch
               8 x 16x224x224, bf16 autocast and fp32, peak memory
               (``tools/analysis/benchmark.py``); then StructViT-S-4-2 in
               bf16 with every block checkpointed (``with_cp=True``), the
               memory activation checkpointing saves and the time it costs.
``image``      Images/s of the image models at batch 128 (inference, bf16
               and fp32).
``train``      ``tools/train.py configs/structvit_k400.py --amp`` for 30
               iterations on generated clips in the Kinetics-400 layout
               (``tools/data/make_motion_demo.py``), then the same with
               ``optim_wrapper.dtype=bfloat16`` (``--amp`` alone is fp16 with
               a dynamic loss scale).
``dist``       A 2-process NCCL run through ``tools/dist_train.sh`` when
               ``torch.cuda.device_count() >= 2``; else recorded as skipped.

Output: ``<out-dir>/gpu_check.json`` and ``<out-dir>/gpu_check.md``
(rewritten after every section, so a run cut short still leaves what it
measured), with the GPU's name, driver, torch version and the exact command.
Scratch files (benchmark JSONs, clips, training work dirs) go to
``--work-dir`` (a temporary folder by default). The exit status is 1 if any
section raised (its traceback is in the JSON), else 0.

``--smoke`` runs every section's code at toy sizes on the CPU in well under
a minute (the test suite runs it): bf16 / fp16 autocast where the CPU takes
it; training without ``--amp`` (mmengine's ``AmpOptimWrapper`` needs a GPU),
which is recorded as skipped with that reason.
"""
import argparse
import contextlib
import datetime
import json
import math
import os
import os.path as osp
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

import torch

from . import model_speed as bench_models
from . import op_speed as bench_op
from .host_sync import HostSyncs
from .sdpa_backends import (BACKENDS, KERNELS, cudnn_layout,  # noqa: F401
                            record_sdpa_inputs, sdpa_inputs, sdpa_kernels)
from .timing import Clock, _autocast, _free, _median_ms, _sync  # noqa: F401

#: the checkout: configs/ and tools/ are run from here (the train and dist
#: sections start tools/train.py, tools/dist_train.sh)
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

SECTIONS = ('sdpa', 'op', 'train_step', 'image', 'train', 'dist')
#: share of the budget per section (sums to 1)
SHARES = dict(sdpa=0.10, op=0.20, train_step=0.25, image=0.10, train=0.30,
              dist=0.05)
DTYPES = dict(float32=torch.float32, bfloat16=torch.bfloat16,
              float16=torch.float16)

K400 = 'configs/structvit_k400.py'
UNIFORMER_S = bench_models.BASELINES['UniFormer-S (mmaction2)']
IMAGE_CONFIGS = {
    'StructViT-S-4-2': 'configs/structvit/structvit-s-4-2_in1k-224.py',
    'StructViT-S-4-1': 'configs/structvit/structvit-s-4-1_in1k-224.py',
    'StructDeiT-S D=4': 'configs/structdeit/structdeit-s-d4_in1k-224.py',
}


def full_sizes():
    """The GPU run: the paper's shapes (benchmark_structsa's cases are
    stages 3 and 4 of a 16x224x224 clip: 8x14x14 and 8x7x7 tokens)."""
    cases = {n: bench_op.CASES[n] for n in (
        'vid-s3-D4-S2', 'vid-s3-D4-S1', 'vid-s4-D4-S2', 'vid-s4-D4-S1')}
    return dict(
        device='cuda', op_batch=8, cases=cases, warmup=3, iters=10,
        literal_max_gb=20.0, clip_shape=[8, 3, 16, 224, 224],
        image_shape=[128, 3, 224, 224], model_warmup=3, model_iters=10,
        model_options={}, train_iters=30, train_batch=8, train_workers=8,
        train_options=[], clip_size=64)


def smoke_sizes():
    """The same code at toy sizes on the CPU. Head width 64 as in the real
    model; grids small enough for the literal form."""
    cases = {
        'toy-s3-D4-S2': ((2, 4, 4), 64, 1, 4, 2),
        'toy-s4-D4-S1': ((2, 2, 2), 128, 2, 4, 1),
    }
    # toy models: the configs' own, with fewer and narrower layers
    arch = dict(_delete_=True, depths=[1, 1, 1, 1],
                channels=[8, 16, 64, 64], heads=[1, 1, 1, 1])
    structvit = {'model.backbone.arch': arch}
    model_options = {
        K400: {**structvit, 'model.cls_head.in_channels': 64},
        UNIFORMER_S: {'model.backbone.depth': [1, 1, 1, 1],
                      'model.backbone.embed_dim': [8, 16, 64, 64],
                      'model.cls_head.in_channels': 64},
        IMAGE_CONFIGS['StructViT-S-4-2']: {**structvit,
                                           'model.head.in_channels': 64},
        IMAGE_CONFIGS['StructViT-S-4-1']: {**structvit,
                                           'model.head.in_channels': 64},
        IMAGE_CONFIGS['StructDeiT-S D=4']: {
            'model.backbone.arch': dict(_delete_=True, embed_dims=64,
                                        num_layers=2, num_heads=1),
            'model.backbone.img_size': 32, 'model.head.in_channels': 64},
    }
    tiny = ['model.backbone.arch._delete_=True',
            'model.backbone.arch.depths=[1,1,1,1]',
            'model.backbone.arch.channels=[8,16,64,64]',
            'model.backbone.arch.heads=[1,1,1,1]',
            'model.cls_head.in_channels=64']
    return dict(
        device='cpu', op_batch=2, cases=cases, warmup=0, iters=1,
        literal_max_gb=1.0, clip_shape=[1, 3, 4, 32, 32],
        image_shape=[2, 3, 32, 32], model_warmup=0, model_iters=1,
        model_options=model_options,
        train_iters=3, train_batch=2, train_workers=0, clip_size=32,
        train_options=tiny + [
            # 32 px instead of 224 (Resize -1x256 / Resize 224x224 / crop)
            'train_dataloader.dataset.pipeline.3.scale=(-1,40)',
            'train_dataloader.dataset.pipeline.6.scale=(32,32)',
            'val_dataloader.dataset.pipeline.3.scale=(-1,32)',
            'val_dataloader.dataset.pipeline.4.crop_size=32'])


# ------------------------------------------------------------- utilities
def host_syncs(op, x, grid, amp):
    """Ops of one forward + backward that would sync the host with the
    device, and on GPU what ``torch.cuda.set_sync_debug_mode('warn')``
    says of the same step."""
    with HostSyncs() as spy:
        bench_op.step(op, x, grid, amp)
    out = dict(ops=spy.ops, cuda_sync_warnings=None)
    if x.device.type == 'cuda':
        torch.cuda.synchronize()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            torch.cuda.set_sync_debug_mode('warn')
            try:
                bench_op.step(op, x, grid, amp)
            finally:
                torch.cuda.set_sync_debug_mode(0)
        out['cuda_sync_warnings'] = list(dict.fromkeys(
            _short(w.message, 300) for w in caught
            if 'synchroniz' in str(w.message).lower()))
    return out


def _op_input(grid, C, batch, device):
    return torch.randn(batch, math.prod(grid), C, device=device,
                       requires_grad=True)


def _short(text, limit=600):
    text = ' '.join(str(text).split())
    return text if len(text) <= limit else text[:limit] + ' ...'


# ---------------------------------------------------------- section: sdpa
def probe_backend(op, x, grid, amp, backend=None):
    """Forward + backward of ``op`` with SDPA left to choose (``backend``
    None) or forced to one backend. Returns ok / refused, the kernels that
    ran and, if refused, the error and the warnings torch gave as reasons."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.profiler import ProfilerActivity, profile
    force = (sdpa_kernel(getattr(SDPBackend, backend))
             if backend else contextlib.nullcontext())
    # only the default pick needs the profiler to name the kernel (a forced
    # backend that runs is the one that ran)
    watch = (profile(activities=[ProfilerActivity.CPU])
             if backend is None else contextlib.nullcontext())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            with force, watch as prof:
                bench_op.step(op, x, grid, amp)
            refused = None
        except RuntimeError as err:
            refused = err
    # torch says why a backend is not used in warnings (one per failed
    # check), before the error that no kernel is left
    said = list(dict.fromkeys(_short(w.message, 300) for w in caught))
    if refused is not None:
        return dict(status='refused', error=_short(refused), reasons=said)
    return dict(status='ok', warnings=said,
                kernels=sdpa_kernels(prof) if prof else [backend])


def section_sdpa(cfg, clock, rec):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    device = torch.device(cfg['device'])
    rows = []
    for name, (grid, C, heads, D, stride) in cfg['cases'].items():
        op = bench_op.make(grid, C, heads, D, stride, 'fast').to(device)
        x = _op_input(grid, C, cfg['op_batch'], device)
        for dtype_name, dtype in DTYPES.items():
            key = f'{name} {dtype_name}'
            if clock.left() <= 0:
                rec['skipped'].append(f'{key}: over budget')
                continue
            amp = _autocast(device, dtype)
            row = dict(case=name, grid=list(grid), C=C, heads=heads,
                       head_dim=C // heads, D=D, stride=stride,
                       batch=cfg['op_batch'], dtype=dtype_name)
            log = []
            with record_sdpa_inputs(log):
                row['default'] = probe_backend(op, x, grid, amp)
            row['sdpa_inputs'] = log[0] if log else None
            row['host_syncs'] = host_syncs(op, x, grid, amp)
            row['qkv_same_dtype'] = bool(log) and len(
                {log[0][n]['dtype'] for n in 'qkv'}) == 1
            for backend in BACKENDS:
                result = probe_backend(op, x, grid, amp, backend)
                if result['status'] == 'ok':
                    def run(b=backend):
                        with sdpa_kernel(getattr(SDPBackend, b)):
                            bench_op.step(op, x, grid, amp)
                    result['ms'] = round(_median_ms(
                        run, device, cfg['warmup'], cfg['iters']), 3)
                row[backend] = result
            if dtype != torch.float32 and log:
                row['sdpa_alone'] = sdpa_alone(cfg, log[0], dtype, device)
            rows.append(row)
            _free(device)
    rec['rows'] = rows


def sdpa_alone(cfg, seen, dtype, device):
    """SDPA by itself at the op's q / k / v shapes, forward + backward per
    forced backend, in the op's layout and in cuDNN's (is a refusal or a
    slow kernel the layout's fault?)."""
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel
    B, h, Nq, d = seen['q']['shape']
    Nkv = seen['k']['shape'][2]
    out = {}
    for layout in ('op', 'bshd'):
        q, k, v = sdpa_inputs(B, h, Nq, Nkv, d, dtype, device, layout)
        res = dict(cudnn_layout=cudnn_layout(q, k, v))
        for backend in BACKENDS:
            def run(b=backend):
                with sdpa_kernel(getattr(SDPBackend, b)):
                    F.scaled_dot_product_attention(q, k, v).sum().backward()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                try:
                    ms = _median_ms(run, device, cfg['warmup'], cfg['iters'])
                    res[backend] = dict(status='ok', ms=round(ms, 3))
                except RuntimeError as err:
                    res[backend] = dict(
                        status='refused', error=_short(err),
                        reasons=list(dict.fromkeys(
                            _short(w.message, 300) for w in caught)))
        out[layout] = res
    return out


# ------------------------------------------------------------ section: op
def top_kernels(op, x, grid, amp, device, n=12):
    """The ``n`` kernels (GPU) or ops (CPU) with the most self time in one
    forward + backward of the op."""
    from torch.profiler import ProfilerActivity, profile
    acts = [ProfilerActivity.CPU]
    if device.type == 'cuda':
        acts.append(ProfilerActivity.CUDA)
    bench_op.step(op, x, grid, amp)  # warm-up outside the profile
    _sync(device)
    with profile(activities=acts) as prof:
        bench_op.step(op, x, grid, amp)
        _sync(device)
    attr = 'self_device_time_total' if device.type == 'cuda' else \
        'self_cpu_time_total'
    rows = []
    for e in prof.key_averages():
        us = getattr(e, attr, None)
        if us is None and device.type == 'cuda':
            us = getattr(e, 'self_cuda_time_total', 0)
        if us:
            rows.append(dict(name=e.key[:120], self_us=round(us, 1),
                             count=e.count))
    rows.sort(key=lambda r: -r['self_us'])
    total = sum(r['self_us'] for r in rows)
    return dict(clock='device' if device.type == 'cuda' else 'cpu',
                total_us=round(total, 1), top=rows[:n])


def section_op(cfg, clock, rec, work_dir):
    device = torch.device(cfg['device'])
    rows = []
    for dtype_name in ('bfloat16', 'float32'):
        for name, case in cfg['cases'].items():
            key = f'{name} {dtype_name}'
            if clock.left() <= 0:
                rec['skipped'].append(f'{key}: over budget')
                continue
            argv = ['--device', cfg['device'], '--dtype', dtype_name,
                    '--batch', str(cfg['op_batch']),
                    '--warmup', str(cfg['warmup']),
                    '--iters', str(cfg['iters']), '--no-sweep',
                    '--literal-max-gb', str(cfg['literal_max_gb']),
                    '--out', osp.join(work_dir, f'op_{name}_{dtype_name}.json')]
            try:
                row = bench_op.main(argv, cases={name: case})['cases'][0]
            except torch.cuda.OutOfMemoryError:
                # the literal estimate was too low for this card: again
                # without the literal form, and say so
                _free(device)
                argv[argv.index('--literal-max-gb') + 1] = '0'
                row = bench_op.main(argv, cases={name: case})['cases'][0]
                row['literal_ms'] = 'OOM'
            row['dtype'] = dtype_name
            row['batch'] = cfg['op_batch']
            rows.append(row)
            _free(device)
    rec['rows'] = rows
    # where the fast path's time goes: the first case, in bf16
    name, (grid, C, heads, D, stride) = next(iter(cfg['cases'].items()))
    if clock.left() > 0:
        op = bench_op.make(grid, C, heads, D, stride, 'fast').to(device)
        x = _op_input(grid, C, cfg['op_batch'], device)
        rec['profile'] = dict(case=name, dtype='bfloat16', **top_kernels(
            op, x, grid, _autocast(device, torch.bfloat16), device))
    else:
        rec['skipped'].append('profile: over budget')


# ---------------------------------------------- sections: train_step, image
def _model_args(cfg, shape, amp):
    return bench_models.parse_args(
        ['--device', cfg['device'], '--shape', *map(str, shape),
         '--warmup', str(cfg['model_warmup']),
         '--iters', str(cfg['model_iters'])] + (['--amp'] if amp else []))


def _measure(cfg, config, shape, amp, train, extra=None):
    """benchmark.py's measurement, in this process. On CPU its peak memory
    (ru_maxrss) is only meaningful in a fresh process, so it is dropped.
    ``extra``: config changes on top of the size's ``model_options``."""
    device = torch.device(cfg['device'])
    torch.manual_seed(0)
    options = {**cfg['model_options'].get(config, {}), **(extra or {})}
    result = bench_models.measure(config, _model_args(cfg, shape, amp),
                                  train, options or None)
    if device.type != 'cuda':
        for key in list(result):
            if key.endswith('peak_mb'):
                result[key] = None
    _free(device)
    return result


def section_train_step(cfg, clock, rec):
    models = {'StructViT-S-4-2': K400, 'UniFormer-S (mmaction2)': UNIFORMER_S}
    rows = []
    for precision, amp in (('bf16 autocast', True), ('fp32', False)):
        for name, config in models.items():
            if clock.left() <= 0:
                rec['skipped'].append(f'{name} {precision}: over budget')
                continue
            r = _measure(cfg, config, cfg['clip_shape'], amp, train=True)
            rows.append(dict(model=name, config=config, precision=precision,
                             shape=cfg['clip_shape'], **r))
    # activation checkpointing: the bf16 row again, every block recomputed
    name = 'StructViT-S-4-2 with_cp'
    if clock.left() <= 0:
        rec['skipped'].append(f'{name}: over budget')
    else:
        r = _measure(cfg, K400, cfg['clip_shape'], True, train=True,
                     extra={'model.backbone.with_cp': True})
        rows.append(dict(model=name, config=K400, precision='bf16 autocast',
                         shape=cfg['clip_shape'], **r))
    rec['rows'] = rows
    if cfg['device'] == 'cpu':
        rec['notes'].append('peak memory is not measured on CPU in-process '
                            '(tools/analysis/benchmark.py measures it in a '
                            'fresh process)')


def section_image(cfg, clock, rec):
    rows = []
    for precision, amp in (('bf16 autocast', True), ('fp32', False)):
        for name, config in IMAGE_CONFIGS.items():
            if not osp.isfile(osp.join(ROOT, config)):
                rec['skipped'].append(f'{name}: {config} not found')
                continue
            if clock.left() <= 0:
                rec['skipped'].append(f'{name} {precision}: over budget')
                continue
            r = _measure(cfg, config, cfg['image_shape'], amp, train=False)
            rows.append(dict(model=name, config=config, precision=precision,
                             batch=cfg['image_shape'][0],
                             images_per_s=r['infer_clips_per_s'],
                             ms=r['infer_ms'], peak_mb=r['infer_peak_mb'],
                             params_m=r['params_m']))
    rec['rows'] = rows


# ------------------------------------------------- sections: train, dist
def make_clips(root, cfg, iters, world=1):
    """A few generated clips in the Kinetics-400 layout; the train list
    repeats them so that one epoch is ``iters`` iterations per process."""
    from ..benchmarks.motion_demo import make_motion_demo
    ann = make_motion_demo(root, train_per_class=2, val_per_class=1,
                           num_frames=32, size=cfg['clip_size'])
    with open(ann['train']) as f:
        lines = [line for line in f.read().splitlines() if line]
    need = iters * cfg['train_batch'] * world
    repeated = (lines * math.ceil(need / len(lines)))[:need]
    train_list = osp.join(root, f'train_x{need}.txt')
    with open(train_list, 'w') as f:
        f.write('\n'.join(repeated) + '\n')
    return train_list, ann['val']


def train_options(cfg, root, train_list, val_list, extra=()):
    opts = ['model.backbone.init_cfg=None',  # no IN-1K checkpoint here
            'train_cfg.max_epochs=1', 'default_hooks.logger.interval=5',
            f'train_dataloader.dataset.ann_file={train_list}',
            f'train_dataloader.dataset.data_prefix.video={root}/videos_train',
            f'val_dataloader.dataset.ann_file={val_list}',
            f'val_dataloader.dataset.data_prefix.video={root}/videos_val']
    for loader in ('train_dataloader', 'val_dataloader'):
        opts += [f'{loader}.batch_size={cfg["train_batch"]}',
                 f'{loader}.num_workers={cfg["train_workers"]}',
                 f'{loader}.persistent_workers=False']
    return opts + list(cfg['train_options']) + list(extra)


def parse_train_log(out, iters):
    """What the mmengine log says of a training run."""
    found = re.findall(r'Epoch\(train\)\s*\[1\]\s*\[\s*(\d+)/(\d+)\]', out)
    losses = re.findall(r'Epoch\(train\).*?\sloss: ([-0-9.e+naif]+)', out)
    times = re.findall(r'Epoch\(train\).*?\stime: ([0-9.]+)', out)
    memory = re.findall(r'Epoch\(train\).*?\smemory: ([0-9]+)', out)
    val = re.findall(r'Epoch\(val\).*?acc/top1: ([0-9.]+)', out)
    done = any(int(a) == int(b) == iters for a, b in found)
    return dict(
        iterations=int(found[-1][0]) if found else 0,
        completed=done,
        last_loss=float(losses[-1]) if losses else None,
        s_per_iter_logged=float(times[-1]) if times else None,
        memory_mb_logged=int(memory[-1]) if memory else None,
        val_top1=float(val[-1]) if val else None,
        amp_optim_wrapper='AmpOptimWrapper' in out,
        distributed='Distributed training: True' in out)


def _run_logged(cmd, timeout, env=None):
    start = time.perf_counter()
    env = dict(os.environ, PYTHONUNBUFFERED='1', **(env or {}))
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    # torchrun / python of this interpreter's environment
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              timeout=max(timeout, 1))
        out, rc = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as err:
        out = err.stdout or ''
        out = out.decode(errors='replace') if isinstance(out, bytes) else out
        rc = 'timeout'
    return out, rc, round(time.perf_counter() - start, 1)


def _train_record(cmd, out, rc, seconds, iters, log_path):
    with open(log_path, 'w') as f:
        f.write(out)
    r = dict(command=shlex.join(cmd), returncode=rc, seconds=seconds,
             log=log_path, **parse_train_log(out, iters))
    r['status'] = 'ok' if rc == 0 and r['completed'] else 'failed'
    if r['status'] == 'failed':
        r['log_tail'] = out[-3000:]
    return r


def section_train(cfg, clock, rec, work_dir):
    gpu = cfg['device'] == 'cuda'
    iters = cfg['train_iters']
    root = osp.join(work_dir, 'k400_clips')
    train_list, val_list = make_clips(root, cfg, iters)
    runs = [('--amp (fp16, dynamic loss scale)', ['--amp'], []),
            ('--amp, optim_wrapper.dtype=bfloat16', ['--amp'],
             ['optim_wrapper.dtype=bfloat16'])]
    if not gpu:
        rec['skipped'].append(
            '--amp: mmengine AmpOptimWrapper needs a GPU; the CPU smoke '
            'trains the same config without it')
        runs = [('fp32 (smoke, no --amp)', [], [])]
    rows = []
    for i, (name, flags, extra) in enumerate(runs):
        if clock.left() < (30 if gpu else 5):
            rec['skipped'].append(f'{name}: over budget')
            continue
        wd = osp.join(work_dir, f'train_{i}')
        cmd = [sys.executable, 'tools/train.py', K400, '--work-dir', wd,
               *flags, '--cfg-options',
               *train_options(cfg, root, train_list, val_list, extra)]
        out, rc, seconds = _run_logged(cmd, clock.left())
        rows.append(dict(run=name, **_train_record(
            cmd, out, rc, seconds, iters, osp.join(work_dir,
                                                   f'train_{i}.log'))))
    rec['rows'] = rows
    if any(r['status'] != 'ok' for r in rows):
        rec['status'] = 'failed'


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def section_dist(cfg, clock, rec, work_dir, world=2):
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if cfg['device'] == 'cuda' and gpus < world:
        rec['status'] = 'skipped'
        rec['skipped'].append(
            f'2-process NCCL run: torch.cuda.device_count() = {gpus} < '
            f'{world}')
        return
    iters = max(cfg['train_iters'] // world, 1)
    root = osp.join(work_dir, 'k400_clips_dist')
    train_list, val_list = make_clips(root, cfg, iters, world=world)
    flags = ['--amp'] if cfg['device'] == 'cuda' else []
    wd = osp.join(work_dir, 'dist')
    cmd = ['bash', 'tools/dist_train.sh', K400, str(world), '--work-dir',
           wd, *flags, '--cfg-options',
           *train_options(cfg, root, train_list, val_list,
                          ['env_cfg.dist_cfg.backend=nccl'])]
    out, rc, seconds = _run_logged(cmd, clock.left(),
                                   env=dict(PORT=str(_free_port()),
                                            OMP_NUM_THREADS='1'))
    r = _train_record(cmd, out, rc, seconds, iters,
                      osp.join(work_dir, 'dist.log'))
    # on a CPU-only machine structvit_mm.compat switches nccl to gloo
    r['backend'] = 'gloo (nccl -> gloo, no GPU)' if 'nccl -> gloo' in out \
        else 'nccl'
    r['world_size'] = world
    rec['rows'] = [r]
    if r['status'] != 'ok' or not r['distributed']:
        rec['status'] = 'failed'


# ------------------------------------------------------------- reporting
def environment(args, cfg):
    def version(pkg):
        try:
            from importlib.metadata import version as v
            return v(pkg)
        except Exception:
            return None

    info = dict(
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
        command=shlex.join(['python', 'tools/analysis/gpu_check.py',
                            *args.argv]),
        smoke=args.smoke, device=cfg['device'], budget_s=args.budget_s,
        python=platform.python_version(), torch=torch.__version__,
        cuda=torch.version.cuda,
        cudnn=torch.backends.cudnn.version()
        if torch.backends.cudnn.is_available() else None,
        packages={p: version(p) for p in ('mmengine', 'mmcv-lite', 'mmcv',
                                          'mmaction2', 'mmpretrain',
                                          'decord')},
        cpus=os.cpu_count(),
        cpu=platform.processor() or platform.machine(),
        cpu_capability=getattr(torch.backends.cpu, 'get_cpu_capability',
                               lambda: None)(),
        gpu=None, gpu_count=0, driver=None, nvidia_smi=None)
    try:
        info['git_commit'] = subprocess.run(
            ['git', 'rev-parse', 'HEAD'], cwd=ROOT, text=True,
            capture_output=True, timeout=10).stdout.strip() or None
    except Exception:
        info['git_commit'] = None
    if torch.cuda.is_available():
        info['gpu_count'] = torch.cuda.device_count()
        props = torch.cuda.get_device_properties(0)
        info['gpu'] = props.name
        info['gpu_memory_gib'] = round(props.total_memory / 2**30, 1)
        info['gpu_capability'] = '.'.join(
            map(str, torch.cuda.get_device_capability(0)))
    if shutil.which('nvidia-smi'):
        try:
            smi = subprocess.run(
                ['nvidia-smi', '--query-gpu=name,driver_version,memory.total',
                 '--format=csv,noheader'], text=True, capture_output=True,
                timeout=30).stdout.strip()
            info['nvidia_smi'] = smi or None
            if smi:
                info['driver'] = smi.splitlines()[0].split(',')[1].strip()
        except Exception as err:
            info['nvidia_smi'] = f'failed: {err}'
    return info


def verdicts(result):
    """The issue's two numbers to meet, read from the measurements."""
    out = {}
    op = result['sections'].get('op', {}).get('rows', [])
    bf16 = [r for r in op if r.get('dtype') == 'bfloat16']
    if bf16:
        worst = max(bf16, key=lambda r: r['fast_over_bound'])
        out['op_fast_over_bound_bf16'] = {
            r['case']: round(r['fast_over_bound'], 3) for r in bf16}
        out['op_within_1.3x_of_bound_bf16'] = \
            worst['fast_over_bound'] <= 1.3
    steps = result['sections'].get('train_step', {}).get('rows', [])
    ratios = {}
    for precision in {r['precision'] for r in steps}:
        by = {r['model']: r for r in steps if r['precision'] == precision}
        if {'StructViT-S-4-2', 'UniFormer-S (mmaction2)'} <= set(by):
            ratios[precision] = round(
                by['StructViT-S-4-2']['train_ms'] /
                by['UniFormer-S (mmaction2)']['train_ms'], 3)
    if ratios:
        out['train_step_structvit_over_uniformer'] = ratios
        out['train_step_no_slower_than_uniformer'] = all(
            v <= 1.0 for v in ratios.values())
    if result['info']['smoke']:
        out['note'] = ('smoke run: toy sizes on CPU; these ratios say '
                       'nothing about the GPU')
    return out


def _fmt(v, spec='.2f'):
    if v is None:
        return '-'
    if isinstance(v, float):
        return format(v, spec)
    return str(v)


def _table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(_fmt(c) for c in row) + ' |' for row in rows]
    return lines


def render_markdown(result):
    info = result['info']
    md = [f"# StructViT GPU check{' (smoke: CPU, toy sizes)' if info['smoke'] else ''}",
          '',
          f"- date: {info['date']}",
          f"- command: `{info['command']}`",
          f"- device: {info['gpu'] or 'CPU'} (x{info['gpu_count']}), "
          f"driver {info['driver'] or '-'}, CUDA {info['cuda'] or '-'}, "
          f"cuDNN {info['cudnn'] or '-'}",
          f"- torch {info['torch']}, Python {info['python']}, "
          f"{info['cpus']} CPUs ({info['cpu']}), commit "
          f"{(info.get('git_commit') or '-')[:12]}",
          f"- total {result['seconds']:.0f} s of a {info['budget_s']:.0f} s "
          'budget', '']
    v = result.get('verdicts', {})
    if v:
        md += ['## Targets', '']
        for key, value in v.items():
            md.append(f'- {key}: {value}')
        md.append('')
    sections = result['sections']

    s = sections.get('sdpa')
    if s and s.get('rows'):
        md += ['## SDPA backend per StructSA shape (forward + backward)', '',
               'ms: forced backend; `refused` with torch\'s reason below.', '']
        rows = []
        for r in s['rows']:
            dt = r['sdpa_inputs']['q']['dtype'] if r['sdpa_inputs'] else '-'
            syncs = r.get('host_syncs') or {}
            n_sync = len(syncs.get('ops', [])) + len(
                syncs.get('cuda_sync_warnings') or [])
            cells = [r['case'], r['dtype'], dt,
                     ','.join(r['default'].get('kernels', [])) or
                     r['default']['status'], n_sync]
            for b in BACKENDS:
                cells.append(_fmt(r[b].get('ms'), '.2f')
                             if r[b]['status'] == 'ok' else 'refused')
            rows.append(cells)
        md += _table(['case', 'dtype', 'q/k/v at SDPA', 'default pick',
                      'host syncs',
                      *[b.split('_')[0].lower() for b in BACKENDS]], rows)
        alone = [r for r in s['rows'] if r.get('sdpa_alone')]
        if alone:
            md += ['', 'SDPA alone at the same q / k / v shapes, forward + '
                   'backward ms, in the op\'s layout and in cuDNN\'s '
                   '(B, S, h, d) layout:', '']
            rows = []
            for r in alone:
                for layout, res in r['sdpa_alone'].items():
                    rows.append([r['case'], r['dtype'], layout,
                                 res['cudnn_layout']] + [
                        _fmt(res[b].get('ms'), '.2f')
                        if res[b]['status'] == 'ok' else 'refused'
                        for b in BACKENDS])
            md += _table(['case', 'dtype', 'layout', 'cuDNN sees',
                          *[b.split('_')[0].lower() for b in BACKENDS]],
                         rows)
        reasons = {}
        for r in s['rows']:
            for b in BACKENDS:
                if r[b]['status'] == 'refused':
                    why = '; '.join(r[b]['reasons']) or r[b]['error']
                    reasons.setdefault((b, why), []).append(
                        f"{r['case']} {r['dtype']}")
        if reasons:
            md += ['', 'Refusals:', '']
            for (b, why), where in reasons.items():
                md.append(f'- {b} ({", ".join(where)}): {why}')
        md.append('')

    s = sections.get('op')
    if s and s.get('rows'):
        md += ['## StructSA forward + backward vs its bound', '']
        rows = [[r['case'], r['dtype'], r['batch'], r['fast_ms'],
                 r['bound_ms'], r['vanilla_ms'], r['literal_ms'],
                 r['fast_over_bound'], r['fast_mb'], r['bound_mb'],
                 r['literal_mb']] for r in s['rows']]
        md += _table(['case', 'dtype', 'batch', 'fast ms', 'bound ms',
                      'vanilla ms', 'literal ms', 'fast / bound', 'fast MB',
                      'bound MB', 'literal MB'], rows)
        p = s.get('profile')
        if p:
            md += ['', f"Top kernels of the fast path ({p['case']}, "
                   f"{p['dtype']}, {p['clock']} self time, total "
                   f"{p['total_us']:.0f} us):", '']
            md += _table(['kernel / op', 'self us', 'calls'],
                         [[k['name'], k['self_us'], k['count']]
                          for k in p['top']])
        md.append('')

    s = sections.get('train_step')
    if s and s.get('rows'):
        md += ['## Train step (forward, loss, backward, AdamW)', '']
        md += _table(['model', 'precision', 'input', 'ms', 'clips/s',
                      'peak MB', 'params M'],
                     [[r['model'], r['precision'],
                       'x'.join(map(str, r['shape'])), r['train_ms'],
                       r['train_clips_per_s'], r['train_peak_mb'],
                       r['params_m']] for r in s['rows']])
        md.append('')

    s = sections.get('image')
    if s and s.get('rows'):
        md += ['## Image models, inference', '']
        md += _table(['model', 'precision', 'batch', 'images/s', 'ms',
                      'peak MB'],
                     [[r['model'], r['precision'], r['batch'],
                       r['images_per_s'], r['ms'], r['peak_mb']]
                      for r in s['rows']])
        md.append('')

    for key, title in (('train', 'tools/train.py on generated clips'),
                       ('dist', 'Distributed run (tools/dist_train.sh)')):
        s = sections.get(key)
        if s and s.get('rows'):
            md += [f'## {title}', '']
            md += _table(['run', 'status', 'iterations', 'AMP wrapper',
                          's total', 's/iter (log)', 'memory MB (log)',
                          'last loss'],
                         [[r.get('run', r.get('backend')), r['status'],
                           r['iterations'], r['amp_optim_wrapper'],
                           r['seconds'], r['s_per_iter_logged'],
                           r['memory_mb_logged'], r['last_loss']]
                          for r in s['rows']])
            md.append('')

    md += ['## Sections', '']
    md += _table(['section', 'status', 's', 'budget s', 'skipped / notes'],
                 [[name, s['status'], s['seconds'], s['budget_s'],
                   '; '.join(s['skipped'] + s['notes'] +
                             ([s['error'].strip().splitlines()[-1]]
                              if s.get('error') else [])) or '-']
                  for name, s in sections.items()])
    return '\n'.join(md) + '\n'


def write(result, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    result['verdicts'] = verdicts(result)
    with open(osp.join(out_dir, 'gpu_check.json'), 'w') as f:
        json.dump(result, f, indent=2, default=str)
    with open(osp.join(out_dir, 'gpu_check.md'), 'w') as f:
        f.write(render_markdown(result))


# ------------------------------------------------------------------ main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default='work_dirs/gpu_check',
                        help='where gpu_check.json / gpu_check.md go')
    parser.add_argument('--work-dir', default=None,
                        help='scratch (clips, logs, benchmark JSONs); a '
                        'temporary folder if not given')
    parser.add_argument('--budget-s', type=float, default=None,
                        help='total time budget (default 450 on GPU, 50 '
                        'with --smoke)')
    parser.add_argument('--sections', nargs='+', choices=SECTIONS,
                        default=list(SECTIONS))
    parser.add_argument('--smoke', action='store_true',
                        help='toy sizes on the CPU: every code path, fast')
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.budget_s is None:
        args.budget_s = 50. if args.smoke else 450.
    return args


def main(argv=None):
    args = parse_args(argv)
    if not args.smoke and not torch.cuda.is_available():
        sys.exit('gpu_check: no CUDA device; use --smoke for the CPU run')
    cfg = smoke_sizes() if args.smoke else full_sizes()
    if args.smoke:
        torch.set_num_threads(min(torch.get_num_threads(), 2))
    work_dir = args.work_dir or tempfile.mkdtemp(prefix='gpu_check_')
    os.makedirs(work_dir, exist_ok=True)
    start = time.perf_counter()
    result = dict(info=environment(args, cfg), sections={}, seconds=0.)
    result['info']['work_dir'] = work_dir
    runners = dict(
        sdpa=lambda c, r: section_sdpa(cfg, c, r),
        op=lambda c, r: section_op(cfg, c, r, work_dir),
        train_step=lambda c, r: section_train_step(cfg, c, r),
        image=lambda c, r: section_image(cfg, c, r),
        train=lambda c, r: section_train(cfg, c, r, work_dir),
        dist=lambda c, r: section_dist(cfg, c, r, work_dir))
    chosen = [s for s in SECTIONS if s in args.sections]
    share_left = sum(SHARES[s] for s in chosen)
    failed = False
    for name in chosen:
        left = args.budget_s - (time.perf_counter() - start)
        # this section's share of what is left, in proportion to the shares
        budget = max(left * SHARES[name] / share_left, 0.)
        share_left -= SHARES[name]
        rec = dict(status='ok', budget_s=round(budget, 1), skipped=[],
                   notes=[], rows=[])
        clock = Clock(budget)
        print(f'[gpu_check] {name}: budget {budget:.0f} s', flush=True)
        try:
            runners[name](clock, rec)
            if rec['skipped'] and rec['status'] == 'ok':
                rec['status'] = 'partial' if rec['rows'] else 'skipped'
        except Exception:
            rec['status'] = 'error'
            rec['error'] = traceback.format_exc()
            failed = True
            print(rec['error'], flush=True)
        rec['seconds'] = round(clock.elapsed(), 1)
        result['sections'][name] = rec
        result['seconds'] = round(time.perf_counter() - start, 1)
        write(result, args.out_dir)
        print(f'[gpu_check] {name}: {rec["status"]} in {rec["seconds"]} s',
              flush=True)
    print(render_markdown(result))
    print(f'wrote {osp.join(args.out_dir, "gpu_check.json")} and '
          f'gpu_check.md')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

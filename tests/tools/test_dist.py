"""Two-process distributed training and testing on CPU through
``tools/dist_train.sh`` / ``tools/dist_test.sh`` (torchrun, gloo).

mmengine 0.10.7 alone fails here (``torch.cuda.set_device`` in
``init_dist``, ``device_ids`` for a CPU module in DDP); the fix lives in
``structvit_mm/compat.py`` (``_allow_cpu_distributed``).
"""
import os
import os.path as osp
import pickle
import re
import socket
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'structvit-tiny_motion-demo.py')
TRAIN_CLIPS, VAL_CLIPS, BATCH, WORLD = 8, 4, 2, 2  # 4 classes x (2, 1) clips


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _bash(args):
    return _bash_env(args, {})


def _bash_env(args, extra_env):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore',
               PORT=str(_free_port()))
    env.update(extra_env)
    # the scripts call `torchrun` / `python`: this interpreter's environment
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    proc = subprocess.run(['bash'] + args, cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-8000:]
    return proc.stdout


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from structvit_mm.benchmarks.motion_demo import make_motion_demo
    root = str(tmp_path_factory.mktemp('motion_demo'))
    make_motion_demo(root, train_per_class=TRAIN_CLIPS // 4,
                     val_per_class=VAL_CLIPS // 4, num_frames=16, size=32)
    return root


def _options(data_root):
    opts = ['train_cfg.max_epochs=1',
            f'train_dataloader.batch_size={BATCH}',
            'model.backbone.arch.channels=[8,16,32,32]',
            'model.cls_head.in_channels=32',
            'default_hooks.logger.interval=1']
    for split, videos in (('train', 'train'), ('val', 'val'), ('test', 'val')):
        prefix = f'{split}_dataloader.'
        opts += [
            f'{prefix}dataset.ann_file='
            f'{data_root}/kinetics400_{videos}_list_videos.txt',
            f'{prefix}dataset.data_prefix.video={data_root}/videos_{videos}',
            f'{prefix}num_workers=0', f'{prefix}persistent_workers=False']
    return ['--cfg-options'] + opts


@pytest.fixture(scope='module')
def dist_trained(data_root, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('dist_work'))
    out = _bash(['tools/dist_train.sh', CONFIG, str(WORLD),
                 '--work-dir', work_dir] + _options(data_root))
    return work_dir, out


def test_dist_train_two_processes_on_cpu(dist_trained):
    work_dir, out = dist_trained
    assert 'Distributed training: True' in out
    assert f'GPU number: {WORLD}' in out  # mmengine's name for world size
    # each rank takes half of the 8 clips: 8 / (2 ranks x 2) = 2 iterations
    # per epoch (one process would take 4)
    iters = TRAIN_CLIPS // (WORLD * BATCH)
    assert f'Epoch(train) [1][{iters}/{iters}]' in out, out[-4000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))

    import torch

    import structvit_mm  # noqa: F401  (checkpoints load with weights_only)
    ckpt = torch.load(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 1 and ckpt['meta']['iter'] == iters
    # the weights are the module's, not DDP's (no `module.` prefix)
    assert all(not k.startswith('module.') for k in ckpt['state_dict'])
    # and one random-state snapshot per rank for an exact --resume
    assert len(ckpt['random_states']['states']) == WORLD


def test_dist_test_two_processes_nccl_falls_back_to_gloo(
        dist_trained, data_root, tmp_path):
    """dist_test.sh with mmaction2's default backend (nccl): on a machine
    without GPU the fix switches to gloo; the dump holds every val video
    once, gathered from both ranks."""
    work_dir, _ = dist_trained
    dump = str(tmp_path / 'preds.pkl')
    out = _bash(['tools/dist_test.sh', CONFIG,
                 osp.join(work_dir, 'epoch_1.pth'), str(WORLD),
                 '--work-dir', str(tmp_path), '--dump', dump] +
                _options(data_root) + ['env_cfg.dist_cfg.backend=nccl'])
    assert 'nccl -> gloo' in out
    assert f'GPU number: {WORLD}' in out
    assert re.search(r'Epoch\(test\).*acc/top1: [0-9.]+', out), out[-4000:]
    with open(dump, 'rb') as f:
        results = pickle.load(f)
    assert len(results) == VAL_CLIPS
    labels = sorted(int(r['gt_label']) for r in results)
    assert labels == sorted(list(range(4)) * (VAL_CLIPS // 4))


FAKE_SRUN = r'''#!/usr/bin/env bash
# Stand-in for Slurm's srun on one machine: records its arguments, then
# starts --ntasks copies of the command with the variables srun sets.
echo "$@" > "$(dirname "$0")/srun_args.txt"
ntasks=1
while [ $# -gt 0 ] && [ "$1" != python ]; do
    case "$1" in --ntasks=*) ntasks=${1#--ntasks=} ;; esac
    shift
done
pids=()
for ((i = 0; i < ntasks; i++)); do
    SLURM_PROCID=$i SLURM_LOCALID=$i SLURM_NTASKS=$ntasks \
    SLURM_NODELIST=localhost MASTER_ADDR=127.0.0.1 "$@" &
    pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do wait "$pid" || rc=$?; done
exit $rc
'''


def test_slurm_train_script_with_fake_srun(data_root, tmp_path):
    """tools/slurm_train.sh's srun line, run by a local stand-in for srun
    (2 tasks): the arguments reach train.py intact (one of them holds a
    space) and mmengine's slurm launcher trains on CPU."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(FAKE_SRUN)
    (bin_dir / 'srun').chmod(0o755)
    work_dir = tmp_path / 'work dir'  # a space: the script must quote
    env_path = f'{bin_dir}{os.pathsep}{os.environ["PATH"]}'
    out = _bash_env(['tools/slurm_train.sh', 'cpu', 'structvit', CONFIG,
                     '--work-dir', str(work_dir)] + _options(data_root),
                    dict(GPUS=str(WORLD), GPUS_PER_NODE=str(WORLD),
                         CPUS_PER_TASK='1', PATH=env_path))
    args = (bin_dir / 'srun_args.txt').read_text()
    assert '-p cpu --job-name=structvit' in args
    assert f'--ntasks={WORLD} --ntasks-per-node={WORLD}' in args
    assert 'Distributed launcher: slurm' in out
    assert f'GPU number: {WORLD}' in out
    assert osp.isfile(work_dir / 'epoch_1.pth'), out[-4000:]


@pytest.mark.parametrize('on_cpu', [True, False])
def test_cpu_fix_only_acts_without_gpu(on_cpu, monkeypatch):
    """The wrapped ``_init_dist_*``: on CPU, nccl -> gloo and
    ``torch.cuda.set_device`` skipped; with a device, mmengine's function
    gets its arguments unchanged and its real ``set_device``."""
    import torch

    from structvit_mm import compat
    calls = []

    def fake_init(backend, **kwargs):  # stands in for mmengine's
        calls.append((backend, kwargs))
        torch.cuda.set_device(0)

    real_set_device = torch.cuda.set_device
    monkeypatch.setattr(torch.cuda, 'set_device',
                        lambda d: calls.append(('set_device', d)))
    monkeypatch.setattr(compat, '_on_cpu', lambda: on_cpu)
    compat._cpu_safe_init(fake_init)('nccl', timeout=5)
    if on_cpu:
        assert calls == [('gloo', dict(timeout=5))]
    else:
        assert calls == [('nccl', dict(timeout=5)), ('set_device', 0)]
    monkeypatch.undo()
    assert torch.cuda.set_device is real_set_device  # nothing left patched

    import mmengine.dist.utils as dist_utils
    assert dist_utils._init_dist_pytorch._structvit_cpu_safe
    assert dist_utils._init_dist_slurm._structvit_cpu_safe

"""NonFiniteLossHook: training stops at the first NaN loss, naming the
iteration, and no checkpoint with NaN weights is ever written.

The NaN is made deterministic by a test-only plugin (written to a tmp dir
and loaded with ``custom_imports``) whose hook sets one weight to NaN just
before a chosen iteration, so that iteration's loss is NaN.
"""
import os
import os.path as osp
import textwrap

import pytest
from tool_runner import run_tool
import torch

import structvit_mm  # noqa: F401  (weights_only loading of mmengine files)
from structvit_mm.engine import NonFiniteLossError, NonFiniteLossHook

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'structvit-tiny_motion-demo.py')

POISON = textwrap.dedent('''
    import torch
    from mmengine.hooks import Hook
    from mmengine.registry import HOOKS

    @HOOKS.register_module()
    class PoisonWeightsHook(Hook):
        """Set one weight to NaN before global iteration ``at_iter`` (1-based)."""
        priority = 'HIGHEST'

        def __init__(self, at_iter):
            self.at_iter = at_iter

        def before_train_iter(self, runner, batch_idx, data_batch=None):
            if runner.iter + 1 == self.at_iter:
                with torch.no_grad():
                    next(runner.model.parameters()).fill_(float('nan'))
''')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    from structvit_mm.benchmarks.motion_demo import make_motion_demo
    root = tmp_path_factory.mktemp('nonfinite')
    data = str(root / 'data')
    # 8 training clips, batch 4: 2 iterations per epoch
    make_motion_demo(data, train_per_class=2, val_per_class=1,
                     num_frames=8, size=32)
    (root / 'plugin').mkdir()
    (root / 'plugin' / 'poison_plugin.py').write_text(POISON)
    return data, str(root / 'plugin')


def _train(data, plugin, work_dir, hooks, extra=()):
    # custom_hooks in a child config (--cfg-options cannot parse dicts in
    # lists)
    config = osp.join(work_dir, 'nan_cfg.py')
    with open(config, 'w') as f:
        f.write(f'_base_ = [{CONFIG!r}]\n'
                "custom_imports = dict(imports=['structvit_mm', "
                "'poison_plugin'], allow_failed_imports=False)\n"
                f'custom_hooks = {hooks}\n')
    ds = 'train_dataloader.dataset.'
    args = [
        'tools/train.py', config, '--work-dir', work_dir, '--no-validate',
        '--cfg-options', 'train_cfg.max_epochs=3',
        f'{ds}ann_file={data}/kinetics400_train_list_videos.txt',
        f'{ds}data_prefix.video={data}/videos_train',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'train_dataloader.batch_size=4',
        'model.backbone.arch.channels=[8,16,32,32]',
        'model.cls_head.in_channels=32',
        'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.save_best=None',
    ] + list(extra)
    return run_tool(args, extra_env=dict(PYTHONPATH=plugin + os.pathsep +
                                         os.environ.get('PYTHONPATH', '')))


def _finite_checkpoint(path):
    state = torch.load(path, map_location='cpu')['state_dict']
    assert state, path
    return all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())


HOOKS = "[dict(type='PoisonWeightsHook',at_iter=3)," \
    "dict(type='NonFiniteLossHook')]"


def test_epoch_checkpoints(setup, tmp_path):
    """NaN at global iteration 3 = epoch 2, iteration 1 of 2."""
    data, plugin = setup
    proc = _train(data, plugin, str(tmp_path), HOOKS)
    out = proc.stdout
    assert proc.returncode != 0, out[-3000:]
    assert 'NonFiniteLossError' in out, out[-3000:]
    assert ('Non-finite loss at epoch 2, iteration 1/2 of the epoch '
            '(global iteration 3): loss=nan') in out, out[-3000:]
    assert 'epoch_1.pth, is the last good one' in out
    assert _finite_checkpoint(tmp_path / 'epoch_1.pth')
    assert not (tmp_path / 'epoch_2.pth').exists()
    assert not (tmp_path / 'epoch_3.pth').exists()


def test_iteration_checkpoints(setup, tmp_path):
    """With a checkpoint after every iteration, the NaN iteration's own
    checkpoint (saved in the same ``after_train_iter``) must not appear."""
    data, plugin = setup
    proc = _train(data, plugin, str(tmp_path), HOOKS, [
        'default_hooks.checkpoint.by_epoch=False',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=5'])
    out = proc.stdout
    assert proc.returncode != 0, out[-3000:]
    assert 'global iteration 3' in out, out[-3000:]
    assert _finite_checkpoint(tmp_path / 'iter_2.pth')
    assert not (tmp_path / 'iter_3.pth').exists(), os.listdir(tmp_path)


def test_without_hook_nan_checkpoint_is_written(setup, tmp_path):
    """The control: without the hook the same run writes NaN weights."""
    data, plugin = setup
    proc = _train(data, plugin, str(tmp_path),
                  "[dict(type='PoisonWeightsHook',at_iter=3)]", [
                      'train_cfg.max_epochs=2',
                      'default_hooks.checkpoint.by_epoch=False',
                      'default_hooks.checkpoint.interval=1',
                      'default_hooks.checkpoint.max_keep_ckpts=5'])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert not _finite_checkpoint(tmp_path / 'iter_3.pth')


class _FakeRunner:
    iter = 7
    work_dir = '/nonexistent'

    class logger:  # noqa: N801
        @staticmethod
        def error(msg):
            pass


def test_hook_unit():
    hook = NonFiniteLossHook()
    assert hook.priority == 'HIGHEST'
    runner = _FakeRunner()
    hook.after_train_iter(runner, 0, outputs=dict(
        loss=torch.tensor(1.), loss_cls=torch.tensor(1.),
        top1_acc=torch.tensor(float('nan'))))  # not a loss term: ignored
    with pytest.raises(NonFiniteLossError,
                       match=r'iteration 8: .*loss_cls=inf'):
        hook.after_train_iter(runner, 0, outputs=dict(
            loss=torch.tensor(float('inf')),
            loss_cls=torch.tensor(float('inf'))))
    hook.before_save_checkpoint(runner, dict(state_dict=dict(
        w=torch.ones(2), n=torch.tensor(3))))
    with pytest.raises(NonFiniteLossError, match=r"state_dict\['w'\]"):
        hook.before_save_checkpoint(runner, dict(state_dict=dict(
            w=torch.tensor([1., float('nan')]))))


def test_registered_in_both_scopes():
    from mmaction.registry import HOOKS as ACTION_HOOKS
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import HOOKS as PRETRAIN_HOOKS
    for scope, registry in (('mmaction', ACTION_HOOKS),
                            ('mmpretrain', PRETRAIN_HOOKS)):
        with DefaultScope.overwrite_default_scope(scope):
            hook = registry.build(dict(type='NonFiniteLossHook'))
        assert isinstance(hook, NonFiniteLossHook)

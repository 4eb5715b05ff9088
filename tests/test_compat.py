"""The stack's known bugs are worked around, and only the safe way."""
import pickle
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

import structvit_mm  # noqa: F401  (applies the fixes)


def test_mmaction_models_imports_in_a_fresh_interpreter():
    code = ('import structvit_mm, mmaction.models; '
            'from mmaction.registry import MODELS; '
            'MODELS.build(dict(type="I3DHead", num_classes=3, in_channels=8)); '
            'print("ok")')
    out = subprocess.run([sys.executable, '-W', 'ignore', '-c', code],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith('ok')


def test_drn_placeholder_says_why():
    from mmaction.models.localizers.drn.drn import DRN
    with pytest.raises(ImportError, match='ships without'):
        DRN()


class _Toy(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode='tensor'):
        out = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=((out.squeeze(1) - labels)**2).mean())
        return out


class _ToyData(torch.utils.data.Dataset):
    metainfo = dict()

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(inputs=torch.tensor([float(i), 1.]),
                    labels=torch.tensor(float(i)))


def _runner(work_dir, **kwargs):
    return Runner(
        model=_Toy(),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=_ToyData(), batch_size=4,
                              sampler=dict(type='DefaultSampler',
                                           shuffle=False),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmengine',
        **kwargs)


def test_mmengine_checkpoint_resumes_with_weights_only(tmp_path):
    runner = _runner(tmp_path / 'a')
    runner.train()
    ckpt = tmp_path / 'a' / 'epoch_2.pth'
    # plain torch.load: weights_only=True is torch's default and stays on
    assert torch.load(ckpt)['meta']['epoch'] == 2
    resumed = _runner(tmp_path / 'b', resume=True, load_from=str(ckpt))
    resumed.train()  # max_epochs already reached: loads and stops
    assert resumed.epoch == 2
    torch.testing.assert_close(resumed.model.state_dict(),
                               runner.model.state_dict())


class _RunsCode:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_checkpoint_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    with open(path, 'wb') as f:
        torch.save({'state_dict': {}, 'x': _RunsCode(str(marker))}, f,
                   pickle_module=pickle)
    with pytest.raises(pickle.UnpicklingError, match='Weights only load'):
        _load_checkpoint(str(path), map_location='cpu')
    assert not marker.exists()


class _GetsAttribute:

    def __reduce__(self):
        import numpy as np
        return (getattr, (np.ndarray, 'tofile'))


def test_allowed_getattr_is_limited_to_history_buffer(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save({'state_dict': {}, 'x': _GetsAttribute()}, path)
    with pytest.raises(pickle.UnpicklingError, match='only HistoryBuffer'):
        _load_checkpoint(str(path), map_location='cpu')

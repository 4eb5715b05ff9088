"""End-to-end checks of tools/train.py and tools/test.py (as subprocesses).

A handful of synthetic motion clips (tools/data/make_motion_demo.py) in the
Kinetics-400 layout; the demo config, shrunk with ``--cfg-options``, with
drop-path and dropout switched on so that training draws from every random
generator (clip offsets: NumPy; drop-path / dropout: torch).
"""
import os
import os.path as osp
import pickle
import re
import signal
import textwrap

import pytest
from tool_runner import run_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'structvit-tiny_motion-demo.py')


def _run(args, cwd, returncode=0, extra_env=None):
    proc = run_tool(args, cwd=cwd, threads=2, extra_env=extra_env)
    assert proc.returncode == returncode, proc.stdout[-6000:]
    return proc.stdout


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from structvit_mm.benchmarks.motion_demo import make_motion_demo
    root = str(tmp_path_factory.mktemp('motion_demo'))
    make_motion_demo(root, train_per_class=2, val_per_class=1,
                     num_frames=16, size=32)
    return root


def _options(data_root, max_epochs):
    train_ds = 'train_dataloader.dataset.'
    val_ds = 'val_dataloader.dataset.'
    return [
        '--cfg-options',
        f'train_cfg.max_epochs={max_epochs}',
        f'{train_ds}ann_file={data_root}/kinetics400_train_list_videos.txt',
        f'{train_ds}data_prefix.video={data_root}/videos_train',
        f'{val_ds}ann_file={data_root}/kinetics400_val_list_videos.txt',
        f'{val_ds}data_prefix.video={data_root}/videos_val',
        # the demo's test_dataloader is its val_dataloader
        'test_dataloader.dataset.ann_file='
        f'{data_root}/kinetics400_val_list_videos.txt',
        f'test_dataloader.dataset.data_prefix.video={data_root}/videos_val',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'train_dataloader.batch_size=4',
        'model.backbone.arch.channels=[8,16,32,32]',
        'model.cls_head.in_channels=32',
        'default_hooks.logger.interval=1',
        # randomness in the model too, so a resume must restore torch's RNG
        'model.backbone.drop_path_rate=0.2',
        'model.cls_head.dropout_ratio=0.5',
        'randomness.seed=0',
        'randomness.deterministic=True',
    ]


@pytest.fixture(scope='module')
def trained(data_root, tmp_path_factory):
    """One epoch through tools/train.py; returns its work dir and log."""
    work_dir = str(tmp_path_factory.mktemp('work'))
    out = _run(['tools/train.py', CONFIG, '--work-dir', work_dir] +
               _options(data_root, 1), ROOT)
    return work_dir, out


@pytest.fixture(scope='module')
def uninterrupted(data_root, tmp_path_factory):
    """Two epochs in one go: what every resumed run must end with."""
    work_dir = str(tmp_path_factory.mktemp('uninterrupted'))
    _run(['tools/train.py', CONFIG, '--work-dir', work_dir] +
         _options(data_root, 2), ROOT)
    return osp.join(work_dir, 'epoch_2.pth')


def _load(path):
    import structvit_mm  # noqa: F401  (mmengine checkpoints, weights_only)
    import torch
    return torch.load(path, map_location='cpu')


def _epoch_of(path):
    return _load(path)['meta']['epoch']


def _assert_same_training_state(path_a, path_b):
    """Bit-identical weights, optimizer state and scheduler state.

    Exact (not approximate) equality: same seed, data order, kernels and
    thread count, so both runs do the same float operations in the same
    order; any difference means some state was lost on resume.
    """
    import torch
    a, b = _load(path_a), _load(path_b)
    assert (a['meta']['epoch'], a['meta']['iter']) == \
        (b['meta']['epoch'], b['meta']['iter'])
    assert a['state_dict'].keys() == b['state_dict'].keys()
    differ = [k for k in a['state_dict']
              if not torch.equal(a['state_dict'][k], b['state_dict'][k])]
    assert not differ, f'{len(differ)} tensors differ, e.g. {differ[:3]}'
    opt_a, opt_b = a['optimizer'], b['optimizer']
    assert opt_a['param_groups'] == opt_b['param_groups']
    assert opt_a['state'].keys() == opt_b['state'].keys()
    for i, state in opt_a['state'].items():
        for name, value in state.items():
            assert torch.equal(torch.as_tensor(value),
                               torch.as_tensor(opt_b['state'][i][name])), \
                f'optimizer state {i}.{name} differs'
    assert a['param_schedulers'] == b['param_schedulers']


def test_train_writes_checkpoint(trained):
    work_dir, out = trained
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth')), os.listdir(work_dir)
    assert _epoch_of(osp.join(work_dir, 'epoch_1.pth')) == 1
    assert 'Epoch(val) [1]' in out and 'acc/top1' in out


def test_resume_continues_from_saved_epoch(trained, uninterrupted,
                                           data_root, tmp_path):
    work_dir, _ = trained
    # resume from a path into a fresh work dir, one more epoch (1 -> 2)
    out = _run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                '--resume', osp.join(work_dir, 'epoch_1.pth')] +
               _options(data_root, 2), ROOT)
    assert 'resumed epoch: 1' in out, out[-3000:]
    assert 'Epoch(train) [1]' not in out
    assert 'Epoch(train) [2]' in out
    assert not osp.exists(tmp_path / 'epoch_1.pth')
    assert _epoch_of(str(tmp_path / 'epoch_2.pth')) == 2
    # 1 epoch + resume + 1 epoch == 2 epochs in one go, bit for bit
    _assert_same_training_state(uninterrupted, str(tmp_path / 'epoch_2.pth'))


KILL_HOOK = textwrap.dedent('''
    """Kills its own process (SIGKILL: no clean-up, like a lost node) once
    the checkpoint of a given epoch is written."""
    import os
    import signal

    from mmengine.hooks import Hook
    from mmengine.registry import HOOKS


    @HOOKS.register_module()
    class SigkillAfterEpochHook(Hook):
        priority = 'LOWEST'  # after CheckpointHook (VERY_LOW) has saved

        def __init__(self, epoch):
            self.epoch = epoch

        def after_train_epoch(self, runner):
            if runner.epoch + 1 == self.epoch:
                os.kill(os.getpid(), signal.SIGKILL)
''')


def test_killed_run_resumes_exactly(uninterrupted, data_root, tmp_path):
    """A 2-epoch run SIGKILLed right after its epoch-1 checkpoint, then
    ``--resume`` without a path (the work dir's latest checkpoint): ends
    bit-identical to the uninterrupted run (which,
    unlike the killed one, also validated after epoch 1)."""
    (tmp_path / 'kill_hook.py').write_text(KILL_HOOK)
    killing = tmp_path / 'killing.py'
    killing.write_text(textwrap.dedent(f'''
        _base_ = [{CONFIG!r}]
        custom_imports = dict(imports=['structvit_mm', 'kill_hook'],
                              allow_failed_imports=False)
        custom_hooks = [dict(type='SigkillAfterEpochHook', epoch=1)]
    '''))
    work_dir = tmp_path / 'work'
    out = _run(['tools/train.py', str(killing), '--work-dir', str(work_dir)]
               + _options(data_root, 2), ROOT, returncode=-signal.SIGKILL,
               extra_env=dict(PYTHONPATH=os.pathsep.join(
                   [str(tmp_path), os.environ.get('PYTHONPATH', '')])))
    assert 'Epoch(train) [1]' in out and 'Epoch(val) [1]' not in out
    assert osp.isfile(work_dir / 'epoch_1.pth')
    assert not osp.exists(work_dir / 'epoch_2.pth')

    out = _run(['tools/train.py', CONFIG, '--work-dir', str(work_dir),
                '--resume'] + _options(data_root, 2), ROOT)
    assert 'resumed epoch: 1' in out, out[-3000:]
    _assert_same_training_state(uninterrupted, str(work_dir / 'epoch_2.pth'))


def test_random_states_round_trip(tmp_path):
    """The saved states restore every generator, and load with torch's
    ``weights_only=True`` (no pickled code in the checkpoint)."""
    import random

    import numpy as np
    import torch

    import structvit_mm  # noqa: F401
    from structvit_mm.engine.random_state_hook import (get_random_state,
                                                       set_random_state)
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    random.random(), np.random.randn(), torch.randn(3)  # cached gaussian
    path = tmp_path / 'states.pth'
    torch.save(dict(random_states=dict(epoch=1, states=[get_random_state()])),
               path)
    expected = (random.random(), np.random.randn(3), torch.rand(3))
    random.seed(2), np.random.seed(2), torch.manual_seed(2)
    state = torch.load(path, weights_only=True)['random_states']['states'][0]
    set_random_state(state)
    got = (random.random(), np.random.randn(3), torch.rand(3))
    assert got[0] == expected[0]
    np.testing.assert_array_equal(got[1], expected[1])
    assert torch.equal(got[2], expected[2])


# ---------------------------------------------------------------- multi-view
MULTIVIEW_CLIPS, MULTIVIEW_CROPS = 2, 3


@pytest.fixture(scope='module')
def multiview_test(trained, data_root, tmp_path_factory):
    """tools/test.py with a 2-clip x ThreeCrop test pipeline (6 views per
    video), ``--dump`` and ``--show-dir``."""
    work_dir, _ = trained
    tmp = tmp_path_factory.mktemp('multiview')
    config = tmp / 'multiview.py'
    config.write_text(textwrap.dedent(f'''
        _base_ = [{CONFIG!r}]
        test_pipeline = [
            dict(type='DecordInit'),
            dict(type='SampleFrames', clip_len=8, frame_interval=1,
                 num_clips={MULTIVIEW_CLIPS}, test_mode=True),
            dict(type='DecordDecode'),
            dict(type='Resize', scale=(48, 32), keep_ratio=False),
            dict(type='ThreeCrop', crop_size=32),
            dict(type='FormatShape', input_format='NCTHW'),
            dict(type='PackActionInputs')
        ]
        test_dataloader = dict(batch_size=1,
                               dataset=dict(pipeline=test_pipeline))
    '''))
    dump, show_dir = tmp / 'preds.pkl', tmp / 'show'
    out = _run(['tools/test.py', str(config),
                osp.join(work_dir, 'epoch_1.pth'), '--work-dir', str(tmp),
                '--dump', str(dump), '--show-dir', str(show_dir)] +
               _options(data_root, 1), ROOT)
    return dict(config=str(config), checkpoint=osp.join(work_dir,
                'epoch_1.pth'), dump=str(dump), show_dir=str(show_dir),
                out=out)


def _build_recognizer(config, data_root, checkpoint=None):
    from mmengine.config import Config, DictAction
    from mmengine.registry import DefaultScope
    from mmengine.runner import load_checkpoint

    import structvit_mm  # noqa: F401
    from mmaction.registry import DATASETS, MODELS
    cfg = Config.fromfile(config)
    # the test's --cfg-options, parsed as DictAction does
    options = (o.split('=', 1) for o in _options(data_root, 1)[1:])
    cfg.merge_from_dict(
        {k: DictAction._parse_iterable(v) for k, v in options})
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(cfg.model).eval()
        dataset = DATASETS.build(cfg.test_dataloader.dataset)
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu')
    return model, dataset


def _view_scores(model, sample):
    """Per-video score of all views at once, and each view's score alone."""
    import torch
    batch = model.data_preprocessor(
        dict(inputs=[sample['inputs']], data_samples=[sample['data_samples']]),
        training=False)
    inputs, data_samples = batch['inputs'], batch['data_samples']
    with torch.no_grad():
        joint = model(inputs, data_samples, mode='predict')[0].pred_score
        single = [model(inputs[:, v:v + 1], [data_samples[0].clone()],
                        mode='predict')[0].pred_score
                  for v in range(inputs.shape[1])]
    return joint, torch.stack(single)


def test_multiview_score_is_mean_of_single_view_probs(data_root):
    """In process, random weights: ``average_clips='prob'`` scores a video
    with the mean of its views' softmaxes, ``'score'`` with the softmax-free
    mean of their logits."""
    import torch
    torch.manual_seed(0)
    model, dataset = _build_recognizer(CONFIG, data_root)
    # four 8-frame clips of a 16-frame video: four different views
    dataset.pipeline.transforms[1].num_clips = 4
    sample = dataset[0]
    assert sample['inputs'].shape[:2] == (4, 3)
    joint, single = _view_scores(model, sample)
    # each single view alone is already a softmax: its own mean
    assert torch.allclose(single.sum(-1), torch.ones(4), atol=1e-6)
    # batched vs one-by-one forward: float32 sums in another order -> 1e-6
    torch.testing.assert_close(joint, single.mean(0), atol=1e-6, rtol=0)
    assert not torch.allclose(single[0], single[1], atol=1e-4), \
        'views should differ, else the test proves nothing'

    model.cls_head.average_clips = 'score'
    joint_logits, single_logits = _view_scores(model, sample)
    torch.testing.assert_close(joint_logits, single_logits.mean(0),
                               atol=1e-5, rtol=0)


def test_test_tool_reports_accuracy(multiview_test):
    acc = re.findall(r'Epoch\(test\).*acc/top1: ([0-9.]+)',
                     multiview_test['out'])
    assert acc, multiview_test['out'][-3000:]
    assert 0. <= float(acc[-1]) <= 1.


def test_test_tool_multiview_dump(multiview_test, data_root):
    """tools/test.py's dumped per-video score (6 views) == the mean of the
    softmaxes of the 6 views scored one at a time, for every video."""
    import torch
    with open(multiview_test['dump'], 'rb') as f:
        dumped = pickle.load(f)
    model, dataset = _build_recognizer(multiview_test['config'], data_root,
                                       multiview_test['checkpoint'])
    assert len(dumped) == len(dataset) == 4
    for i, result in enumerate(dumped):
        sample = dataset[i]
        views = MULTIVIEW_CLIPS * MULTIVIEW_CROPS
        assert sample['inputs'].shape[0] == views
        assert int(result['gt_label']) == int(sample['data_samples'].gt_label)
        _, single = _view_scores(model, sample)
        torch.testing.assert_close(torch.as_tensor(result['pred_score']),
                                   single.mean(0), atol=1e-5, rtol=0)


def test_test_tool_show_dir_writes_video_frames(multiview_test):
    """``--show-dir`` on a video config: one folder of frames per video,
    all 6 views x 8 frames (mmaction2 1.2.0 itself fails here)."""
    show_dir = multiview_test['show_dir']
    videos = sorted(os.listdir(show_dir))
    assert len(videos) == 4, videos
    for video in videos:
        frames = os.listdir(osp.join(show_dir, video, 'frames_0'))
        assert len(frames) == MULTIVIEW_CLIPS * MULTIVIEW_CROPS * 8
        assert all(f.endswith('.png') for f in frames)

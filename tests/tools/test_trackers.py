"""Experiment trackers: ``tools/train.py --vis-backend tensorboard`` and the
plain ``--cfg-options visualizer.vis_backends...`` route (the one that also
works under the stock tools and ``mim train``) write TensorBoard event files
holding the training loss and the validation metric."""
import glob
import importlib.util
import os.path as osp

import pytest
from small_runs import make_videos, small_options, video_data_options
from tool_runner import run_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'structvit_k400.py')


@pytest.fixture(scope='module')
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('videos'))
    make_videos(root, num_classes=3)
    return root


def _scalars(work_dir):
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    events = glob.glob(osp.join(work_dir, '*', 'vis_data', 'events.out.*'))
    assert len(events) == 1, events
    acc = EventAccumulator(events[0])
    acc.Reload()
    return {tag: [e.value for e in acc.Scalars(tag)]
            for tag in acc.Tags()['scalars']}


@pytest.mark.parametrize('route', ['flag', 'cfg-options'])
def test_tensorboard_gets_loss_and_validation_metric(route, videos,
                                                     tmp_path):
    extra = (['--vis-backend', 'tensorboard'] if route == 'flag' else [])
    options = (['visualizer.vis_backends.0.type=TensorboardVisBackend']
               if route == 'cfg-options' else [])
    proc = run_tool([
        'tools/train.py', CONFIG, '--work-dir', str(tmp_path), *extra,
        '--cfg-options', *small_options(CONFIG), *video_data_options(videos),
        'model.cls_head.num_classes=3', *options
    ])
    assert proc.returncode == 0, proc.stdout[-6000:]
    scalars = _scalars(str(tmp_path))
    # 6 clips / batch 2 = 3 iterations, logged every iteration
    assert len(scalars['loss']) == 3, scalars.keys()
    assert all(v > 0 for v in scalars['loss'])
    assert len(scalars['acc/top1']) == 1
    assert 0 <= scalars['acc/top1'][0] <= 1
    # the flag keeps mmengine's local scalars.json beside TensorBoard
    local = glob.glob(str(tmp_path / '*' / 'vis_data' / 'scalars.json'))
    assert bool(local) == (route == 'flag')


@pytest.mark.skipif(importlib.util.find_spec('aim') is not None,
                    reason='needs an environment without aim')
def test_missing_tracker_package_is_named_before_anything_runs():
    proc = run_tool(['tools/train.py', CONFIG, '--vis-backend', 'aim'])
    assert proc.returncode == 2
    assert 'needs the aim package (pip install aim)' in proc.stdout

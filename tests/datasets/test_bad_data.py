"""Bad videos, missing frames and broken annotation lists (real files).

A few synthetic clips (tools/data/make_motion_demo.py) plus real broken
files next to them: a truncated mp4 (a good one cut to half its bytes), an
empty mp4, a list entry whose file is missing, a rawframe directory with a
frame deleted and a missing directory, malformed list lines. Training runs
through ``tools/train.py`` on the demo config shrunk with ``--cfg-options``.
"""
import os
import os.path as osp
import re
import shutil

import pytest
from tool_runner import run_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'structvit-tiny_motion-demo.py')
CHECKER = osp.join(ROOT, 'tools', 'data', 'check_dataset.py')

PIPELINE = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=1, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(16, 16), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
RAW_PIPELINE = [
    dict(type='SampleFrames', clip_len=8, frame_interval=1, num_clips=1,
         test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
BAD_VIDEOS = ['broken/truncated.mp4', 'broken/empty.mp4',
              'broken/missing.mp4']


def _run(args, cwd, expect_ok=True):
    proc = run_tool(args, cwd=cwd, threads=2)
    if expect_ok:
        assert proc.returncode == 0, proc.stdout[-6000:]
    return proc


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    """8 good train clips, 4 good val clips, 3 broken videos, lists."""
    from structvit_mm.benchmarks.motion_demo import make_motion_demo
    root = str(tmp_path_factory.mktemp('bad_data'))
    make_motion_demo(root, train_per_class=2, val_per_class=1,
                     num_frames=16, size=32)
    broken = osp.join(root, 'videos_train', 'broken')
    os.makedirs(broken)
    good = osp.join(root, 'videos_train', 'move_left', 'train_0000.mp4')
    with open(good, 'rb') as f:
        payload = f.read()
    with open(osp.join(broken, 'truncated.mp4'), 'wb') as f:
        f.write(payload[:len(payload) // 2])
    open(osp.join(broken, 'empty.mp4'), 'wb').close()
    # broken/missing.mp4 is listed but never written

    good_train = _read(osp.join(root, 'kinetics400_train_list_videos.txt'))
    _write(osp.join(root, 'train_with_bad.txt'),
           good_train + [f'{p} 1' for p in BAD_VIDEOS])
    good_val = _read(osp.join(root, 'kinetics400_val_list_videos.txt'))
    _write(osp.join(root, 'val_with_bad.txt'),
           good_val[:2] + ['broken/empty.mp4 2'] + good_val[2:])
    # the val videos live in videos_val: the broken ones in videos_train
    shutil.copytree(broken, osp.join(root, 'videos_val', 'broken'))
    return root


def _read(path):
    with open(path) as f:
        return [ln.rstrip('\n') for ln in f if ln.strip()]


def _write(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def _build(**kwargs):
    import structvit_mm  # noqa: F401
    from mmaction.registry import DATASETS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    kwargs.setdefault('type', 'RobustVideoDataset')
    kwargs.setdefault('pipeline', PIPELINE)
    return DATASETS.build(kwargs)


# ------------------------------------------------------------ annotations
@pytest.mark.parametrize('line,problem', [
    ('move_left/train_0001.mp4 1 2', 'expected "<filename> <label>", got 3'),
    ('move_left/train_0001.mp4 one', "label is not an integer ('one')"),
    ('move_left/train_0001.mp4 4', 'label 4 outside [0, num_classes=4)'),
    ('move_left/train_0001.mp4 -2', 'label -2 outside [0, num_classes=4)'),
    ('move_left/train_0001.mp4', 'no label'),
])
def test_video_annotation_error_names_file_and_line(tmp_path, line, problem):
    from structvit_mm.datasets import AnnotationError
    ann = str(tmp_path / 'list.txt')
    _write(ann, ['a.mp4 0', 'b.mp4 3', line, 'c.mp4 1'])
    with pytest.raises(AnnotationError) as info:
        _build(ann_file=ann, num_classes=4)
    msg = str(info.value)
    assert msg.startswith(f'{ann}:3: ')
    assert problem in msg and repr(line) in msg


def test_annotation_rules_follow_mode_and_num_classes(tmp_path):
    ann = str(tmp_path / 'list.txt')
    _write(ann, ['a.mp4 0', 'b.mp4 9', '', 'c.mp4'])
    # no num_classes: any label >= 0 is fine; test mode: unlabeled is fine
    ds = _build(ann_file=ann, test_mode=True)
    assert [ds.get_data_info(i)['label'] for i in range(3)] == [0, 9, -1]
    assert [ds.get_data_info(i)['ann_line'] for i in range(3)] == [1, 2, 4]
    # bad_line='skip' drops and remembers the bad lines
    ds = _build(ann_file=ann, num_classes=4, bad_line='skip')
    assert len(ds) == 1
    assert [(e.lineno, e.line) for e in ds.bad_lines] == [(2, 'b.mp4 9'),
                                                          (4, 'c.mp4')]


def test_missing_annotation_file_named(tmp_path):
    ann = str(tmp_path / 'nowhere' / 'list.txt')
    with pytest.raises(FileNotFoundError, match=re.escape(ann)):
        _build(ann_file=ann)


@pytest.mark.parametrize('line,problem', [
    ('dir_a', 'expected "<frame_dir> <total_frames> <label>", got 1'),
    ('dir_a x 1', "total_frames is not an integer ('x')"),
    ('dir_a 0 1', 'total_frames must be positive'),
    ('dir_a 8 1 2', 'several labels need multi_class=True'),
    ('dir_a 8 5', 'label 5 outside [0, num_classes=3)'),
])
def test_rawframe_annotation_error_names_file_and_line(tmp_path, line,
                                                       problem):
    from structvit_mm.datasets import AnnotationError
    ann = str(tmp_path / 'frames.txt')
    _write(ann, ['dir_b 8 0', line])
    with pytest.raises(AnnotationError) as info:
        _build(type='RobustRawframeDataset', ann_file=ann, num_classes=3,
               pipeline=RAW_PIPELINE)
    assert str(info.value).startswith(f'{ann}:2: ')
    assert problem in str(info.value) and repr(line) in str(info.value)


# ------------------------------------------------------------ bad samples
def _raw_frames(root):
    """good/ (8 frames), holes/ (frame 5 deleted), nodir (missing)."""
    import cv2
    import numpy as np
    for name in ('good', 'holes'):
        os.makedirs(osp.join(root, name))
        for i in range(1, 9):
            cv2.imwrite(osp.join(root, name, f'img_{i:05}.jpg'),
                        np.full((16, 16, 3), 20 * i, np.uint8))
    os.remove(osp.join(root, 'holes', 'img_00005.jpg'))
    ann = osp.join(root, 'frames.txt')
    _write(ann, ['good 8 0', 'holes 8 1', 'nodir 8 2'])
    return ann


def test_rawframes_missing_frames_and_dir(tmp_path):
    from structvit_mm.datasets import BadSampleError
    root = str(tmp_path)
    ann = _raw_frames(root)
    kw = dict(type='RobustRawframeDataset', ann_file=ann,
              data_prefix=dict(img=root), pipeline=RAW_PIPELINE)
    # training: every index yields the good sample, replacements recorded
    train = _build(**kw)
    assert train.skip_bad_samples
    out = train[1]
    assert tuple(out['inputs'].shape) == (1, 3, 8, 16, 16)
    (path, reason), *_ = out['data_samples'].metainfo['bad_samples']
    assert path in (osp.join(root, 'holes'), osp.join(root, 'nodir'))
    assert 'FileNotFoundError' in reason and 'img_0000' in reason
    # test mode: a clear error naming the directory and the missing frame
    test = _build(test_mode=True, **kw)
    with pytest.raises(BadSampleError) as info:
        test[1]
    msg = str(info.value)
    assert osp.join(root, 'holes') in msg and 'img_00005.jpg' in msg
    assert f'{ann}:2' in msg and 'skip_bad_samples=True' in msg
    with pytest.raises(BadSampleError, match='nodir'):
        test[2]
    # test mode + skip: the bad ones are left out and listed
    skip = _build(test_mode=True, skip_bad_samples=True, **kw)
    assert len(skip) == 1 and skip.get_data_info(0)['ann_line'] == 1
    assert [p for _, p, _ in skip.skipped_samples] == [
        osp.join(root, 'holes'), osp.join(root, 'nodir')]


def test_test_mode_video_raises_or_leaves_out(data_root, capsys):
    from structvit_mm.datasets import BadSampleError
    kw = dict(ann_file=osp.join(data_root, 'val_with_bad.txt'),
              data_prefix=dict(video=osp.join(data_root, 'videos_val')),
              test_mode=True)
    ds = _build(**kw)
    assert not ds.skip_bad_samples and len(ds) == 5
    ds[0]
    with pytest.raises(BadSampleError) as info:
        ds[2]
    assert osp.join(data_root, 'videos_val', 'broken', 'empty.mp4') in str(
        info.value)
    assert 'empty file: 0 bytes' in str(info.value)

    ds = _build(skip_bad_samples=True, **kw)
    assert len(ds) == 4
    assert [(i, osp.basename(p)) for i, p, _ in ds.skipped_samples] == [
        (2, 'empty.mp4')]
    assert [ds.get_data_info(i)['ann_line'] for i in range(4)] == [
        1, 2, 4, 5]


def test_mostly_broken_dataset_raises_clear_error(data_root, tmp_path):
    from structvit_mm.datasets import BadDatasetError
    ann = str(tmp_path / 'all_bad.txt')
    _write(ann, [f'{p} 0' for p in BAD_VIDEOS] * 3)
    kw = dict(ann_file=ann,
              data_prefix=dict(video=osp.join(data_root, 'videos_train')))
    # bounded refetch: max_refetch + 1 failures in a row
    ds = _build(max_refetch=4, fail_fast=0, **kw)
    with pytest.raises(BadDatasetError) as info:
        ds[0]
    msg = str(info.value)
    assert msg.startswith('dataset mostly broken: 5 samples in a row')
    assert 'broken/' in msg and ann in msg
    # fail fast: no good sample at all in the first `fail_fast` tries
    ds = _build(fail_fast=3, **kw)
    with pytest.raises(BadDatasetError, match='first 3 distinct samples'):
        ds[0]


# ------------------------------------------------------- tools/train.py
def _config(tmp_path, dataset_type='RobustVideoDataset', **hook):
    """The demo config with robust datasets and the report hook."""
    path = str(tmp_path / 'robust_demo.py')
    ds = f"dict(type='{dataset_type}', num_classes=4)"
    hook_args = ''.join(f', {k}={v!r}' for k, v in hook.items())
    with open(path, 'w') as f:
        f.write(f'_base_ = [{CONFIG!r}]\n'
                f"custom_hooks = [dict(type='BadSampleReportHook'"
                f'{hook_args})]\n'
                f'train_dataloader = dict(dataset={ds})\n'
                f'val_dataloader = dict(dataset={ds})\n'
                f'test_dataloader = dict(dataset={ds})\n')
    return path


def _options(data_root, epochs, workers, train_list='train_with_bad.txt',
             test_list='kinetics400_val_list_videos.txt'):
    opts = [
        f'train_cfg.max_epochs={epochs}',
        f'train_dataloader.dataset.ann_file={data_root}/{train_list}',
        f'train_dataloader.dataset.data_prefix.video={data_root}/'
        'videos_train',
        f'train_dataloader.num_workers={workers}',
        'train_dataloader.persistent_workers=False',
        'train_dataloader.batch_size=4',
        'model.backbone.arch.channels=[8,16,32,32]',
        'model.cls_head.in_channels=32',
        'default_hooks.logger.interval=1',
    ]
    for split in ('val', 'test'):
        opts += [
            f'{split}_dataloader.dataset.ann_file={data_root}/{test_list}',
            f'{split}_dataloader.dataset.data_prefix.video={data_root}/'
            'videos_val',
            f'{split}_dataloader.num_workers=0',
            f'{split}_dataloader.persistent_workers=False',
        ]
    return ['--cfg-options'] + opts


def _bad_sample_log(out):
    """{path: number of 'bad sample replaced' lines} and per-epoch counts."""
    named = re.findall(r'bad sample replaced by another: (\S+): ', out)
    counts = re.findall(
        r'Epoch\(train\) \[(\d+)\]: (\d+) bad sample load\(s\) replaced', out)
    return ({p: named.count(p) for p in named},
            [(int(e), int(k)) for e, k in counts])


@pytest.fixture(scope='module')
def trained(data_root, tmp_path_factory):
    """One epoch over a list with 3 broken videos, no dataloader workers."""
    tmp = tmp_path_factory.mktemp('train0')
    work_dir = str(tmp / 'work')
    proc = _run(['tools/train.py', _config(tmp), '--work-dir', work_dir] +
                _options(data_root, epochs=1, workers=0), ROOT)
    return work_dir, tmp, proc.stdout


def _expected_paths(data_root):
    return {osp.join(data_root, 'videos_train', p) for p in BAD_VIDEOS}


def test_train_survives_bad_videos(trained, data_root):
    work_dir, _, out = trained
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    named, counts = _bad_sample_log(out)
    # every broken file named exactly once, with its reason
    assert named == {p: 1 for p in _expected_paths(data_root)}, named
    assert re.search(r'broken/empty\.mp4: RuntimeError: .*empty file', out)
    assert re.search(r'broken/missing\.mp4: FileNotFoundError', out)
    # each of the 3 bad indices is drawn once per epoch (more if a random
    # replacement hits a bad one again)
    assert len(counts) == 1 and counts[0][0] == 1 and counts[0][1] >= 3
    assert 'Epoch(val) [1]' in out


def test_train_counts_cross_worker_boundary(data_root, tmp_path):
    """num_workers=1, workers restarted each epoch: the main process still
    counts every epoch and names every file once over the run."""
    out = _run(['tools/train.py', _config(tmp_path), '--work-dir',
                str(tmp_path / 'work')] +
               _options(data_root, epochs=2, workers=1), ROOT).stdout
    named, counts = _bad_sample_log(out)
    assert named == {p: 1 for p in _expected_paths(data_root)}, named
    assert [e for e, _ in counts] == [1, 2]
    assert all(k >= 3 for _, k in counts), counts


def test_report_hook_counts_and_stops_mostly_broken_run():
    """The hook's ratio check over what the batches carry."""
    from types import SimpleNamespace

    from mmaction.structures import ActionDataSample
    from mmengine.logging import MessageHub

    from structvit_mm.datasets import BadDatasetError
    from structvit_mm.engine import BadSampleReportHook

    def batch(n_bad):  # 2 loaded samples; the first replaced n_bad bad ones
        first = ActionDataSample()
        first.set_metainfo(dict(bad_samples=[('x.mp4', 'broken')] * n_bad))
        return dict(data_samples=[first, ActionDataSample()])

    runner = SimpleNamespace(epoch=0, message_hub=MessageHub.get_instance(
        'test_bad_data'))
    hook = BadSampleReportHook(max_bad_ratio=0.5, min_loads=10)
    hook.before_train_epoch(runner)
    hook.after_train_iter(runner, 0, batch(3))  # 3 of 5 loads: < min_loads
    with pytest.raises(BadDatasetError, match='3 of 5 sample loads failed '
                       'in epoch 1'):
        hook.after_train_epoch(runner)  # checked at the end of an epoch
    runner.epoch = 1
    hook.before_train_epoch(runner)
    hook.after_train_iter(runner, 0, batch(1))
    hook.after_train_epoch(runner)  # 1 of 3: fine
    assert runner.message_hub.get_info('train/bad_samples') == 1
    hook.before_train_epoch(runner)
    hook.after_train_iter(runner, 0, batch(2))  # 2 of 4
    hook.after_train_iter(runner, 1, batch(1))  # 3 of 7
    with pytest.raises(BadDatasetError,
                       match=r'mostly broken: 9 of 15 sample loads failed '
                       r'in epoch 2 \(max_bad_ratio=0.5\), first: x.mp4'):
        hook.after_train_iter(runner, 2, batch(6))  # 9 of 15 >= min_loads


# -------------------------------------------------------- tools/test.py
def test_test_tool_skips_with_option(trained, data_root):
    work_dir, tmp, _ = trained
    ckpt = osp.join(work_dir, 'epoch_1.pth')
    args = ['tools/test.py', _config(tmp), ckpt, '--work-dir',
            str(tmp / 'test')] + _options(data_root, 1, 0,
                                          test_list='val_with_bad.txt')
    # (that the default raises is test_test_mode_video_raises_or_leaves_out)
    out = _run(args + ['test_dataloader.dataset.skip_bad_samples=True'],
               ROOT).stdout
    assert re.search(r'leaving out \S+broken/empty\.mp4: RuntimeError', out)
    assert 'metrics are computed over 4 samples, not 5' in out
    assert re.search(r'Epoch\(test\).*acc/top1', out)


# ------------------------------------------------- tools/data/check_dataset
def test_checker_finds_bad_files_and_cleans_list(data_root, tmp_path,
                                                 capsys):
    lines = _read(osp.join(data_root, 'train_with_bad.txt'))
    lines[1:1] = ['move_left/train_0000.mp4 1 2',  # line 2: 3 fields
                  'move_up/train_0001.mp4 7']  # line 3: label >= 4
    ann = osp.join(data_root, 'to_check.txt')
    _write(ann, lines)
    out_dir = str(tmp_path / 'check')
    opts = ['--cfg-options', f'train_dataloader.dataset.ann_file={ann}',
            f'train_dataloader.dataset.data_prefix.video={data_root}/'
            'videos_train']
    proc = _run([CHECKER, CONFIG, '--workers', '1', '--out-dir', out_dir] +
                opts, ROOT, expect_ok=False)
    assert proc.returncode == 1, proc.stdout[-4000:]
    bad = dict(ln.split('\t', 1) for ln in
               _read(osp.join(out_dir, 'bad_files.txt')))
    assert set(bad) == _expected_paths(data_root) | {f'{ann}:2', f'{ann}:3'}
    assert bad[f'{ann}:3'].startswith('label 7 outside [0, num_classes=4)')
    assert 'empty file' in bad[osp.join(data_root, 'videos_train', 'broken',
                                        'empty.mp4')]
    assert '5 of 13 sample(s) bad' in proc.stdout

    clean = osp.join(out_dir, 'to_check_clean.txt')
    assert _read(clean) == _read(
        osp.join(data_root, 'kinetics400_train_list_videos.txt'))
    # the cleaned list loads and checks clean
    ds = _build(ann_file=clean, num_classes=4,
                data_prefix=dict(video=osp.join(data_root, 'videos_train')))
    assert len(ds) == 8
    proc = run_tool([CHECKER, CONFIG, '--workers', '0', '--out-dir',
                     str(tmp_path / 'again'), '--cfg-options',
                     f'train_dataloader.dataset.ann_file={clean}',
                     'train_dataloader.dataset.data_prefix.video='
                     f'{data_root}/videos_train'])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert '0 of 8 sample(s) bad' in proc.stdout
    assert _read(str(tmp_path / 'again' / 'bad_files.txt')) == []

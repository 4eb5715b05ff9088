"""The motion-structure benchmark (tools/data/make_motion_structure.py) and
its label-consistent augmentation (ReverseClip).

What must hold for the benchmark to measure motion: classes balanced,
train and test cut from disjoint photos, clips reproducible from the seed,
the odd class of each pair the exact time reversal of the even one, and no
label information in any single frame or in the unordered set of frames
within a pair. The probes are cheap sklearn models; each check is paired
with one that must succeed (a deliberately leaky variant, an order-aware
probe on the same features) so that "near chance" cannot pass by a probe
too weak to see anything.
"""
import json
import os.path as osp

import numpy as np
import pytest

from tool_runner import ROOT, run_ok

from structvit_mm.benchmarks import motion_structure as mms

pytest.importorskip('skimage')
pytest.importorskip('sklearn')

TOOL = osp.join('tools', 'data', 'make_motion_structure.py')


def _read_list(path):
    with open(path) as f:
        return [line.split() for line in f.read().splitlines() if line]


def _decode(path):
    import decord
    vr = decord.VideoReader(path)
    return vr.get_batch(list(range(len(vr)))).asnumpy()


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp('ms') / 'a'
    run_ok([TOOL, '--out', str(out), '--seed', '3', '--num-train', '48',
            '--num-test', '16', '--frames', '8', '--size', '32',
            '--workers', '2'])
    return out


def test_layout_balance_and_disjoint_sources(dataset):
    classes = (dataset / 'classes.txt').read_text().split()
    assert classes == list(mms.CLASSES)
    meta = json.loads((dataset / 'meta.json').read_text())
    assert meta['seed'] == 3 and meta['args']['frames'] == 8
    train_src, test_src = (set(meta['sources'][s]) for s in ('train',
                                                             'test'))
    assert train_src and test_src and not train_src & test_src
    for src in meta['sources'].values():
        assert all(v['licence'] for v in src.values())
    for split, n in (('train', 48), ('test', 16)):
        rows = _read_list(dataset / f'{split}_list_videos.txt')
        assert len(rows) == n
        counts = np.bincount([int(label) for _, label in rows],
                             minlength=8)
        assert (counts == n // 8).all(), counts
        for rel, label in rows:
            assert rel.split('/')[0] == classes[int(label)]
            assert (dataset / f'videos_{split}' / rel).is_file()
    clip = _decode(str(dataset / 'videos_test' / rows[0][0]))
    assert clip.shape == (8, 32, 32, 3)


def test_deterministic_from_seed(dataset, tmp_path):
    run_ok([TOOL, '--out', str(tmp_path / 'b'), '--seed', '3',
            '--num-train', '8', '--num-test', '8', '--workers', '1'])
    run_ok([TOOL, '--out', str(tmp_path / 'c'), '--seed', '4',
            '--num-train', '8', '--num-test', '8', '--workers', '1'])
    for split in ('train', 'test'):
        rel = _read_list(dataset / f'{split}_list_videos.txt')[0][0]
        a = _decode(str(dataset / f'videos_{split}' / rel))
        b = _decode(str(tmp_path / 'b' / f'videos_{split}' / rel))
        c = _decode(str(tmp_path / 'c' / f'videos_{split}' / rel))
        # the same clip whatever the number of clips and workers ...
        np.testing.assert_array_equal(a, b)
        # ... and another clip from another seed
        assert np.abs(a.astype(int) - c.astype(int)).mean() > 5
    assert _read_list(tmp_path / 'b' / 'train_list_videos.txt') == \
        _read_list(dataset / 'train_list_videos.txt')[:8]


def test_partner_is_exact_time_reversal():
    for even in (0, 2, 4, 6):
        a = mms.render_clip(np.random.default_rng(7), even)
        b = mms.render_clip(np.random.default_rng(7), even + 1)
        np.testing.assert_array_equal(a[::-1], b)
        assert mms.REVERSE_MAP[even] == even + 1
        assert mms.REVERSE_MAP[even + 1] == even
    # the flip map swaps left/right-handed motions and only those
    assert {k for k, v in mms.HFLIP_MAP.items() if k != v} == {0, 1, 4, 5}


def test_bad_arguments_fail_clearly(tmp_path):
    with pytest.raises(ValueError, match='multiples of 8'):
        mms.make_motion_structure(str(tmp_path), num_train=10, num_test=8)


# ------------------------------------------------------------------ probes
def _render(split, n, labels=tuple(range(8)), leak=False):
    clips, ys = [], []
    for i in range(n):
        label = labels[i % len(labels)]
        rng = np.random.default_rng(mms.clip_seed(11, split, i))
        clips.append(mms.render_clip(rng, label, 8, 32,
                                     mms.SPLIT_SOURCES[split], leak=leak))
        ys.append(label)
    return np.stack(clips).astype(np.float32) / 255, np.array(ys)


def _frame_features(frames):
    """A single frame's appearance: 8x8 thumbnail + colour mean / std."""
    import cv2
    thumbs = np.stack([cv2.resize(f, (8, 8), interpolation=cv2.INTER_AREA)
                       for f in frames]).reshape(len(frames), -1)
    return np.concatenate(
        [thumbs, frames.mean((1, 2)), frames.std((1, 2))], axis=1)


def _probe(x_train, y_train, x_test, y_test):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    clf = make_pipeline(StandardScaler(),
                        LogisticRegression(max_iter=2000, C=0.1))
    clf.fit(x_train, y_train)
    return float((clf.predict(x_test) == y_test).mean())


@pytest.fixture(scope='module')
def probe_data():
    return _render('train', 320), _render('test', 160)


@pytest.mark.parametrize('frame', [0, -1])
def test_single_frame_probe_at_chance(probe_data, frame):
    (xtr, ytr), (xte, yte) = probe_data
    acc = _probe(_frame_features(xtr[:, frame]), ytr,
                 _frame_features(xte[:, frame]), yte)
    # chance 1/8; 160 test clips: one std is 0.026
    assert acc < 0.25, acc


def test_single_frame_probe_sees_a_leak():
    """The same probe on a variant whose frames are tinted by the label:
    it must find the label, or the test above proves nothing."""
    xtr, ytr = _render('train', 160, leak=True)
    xte, yte = _render('test', 80, leak=True)
    acc = _probe(_frame_features(xtr[:, 0]), ytr, _frame_features(xte[:, 0]),
                 yte)
    assert acc > 0.5, acc


def test_bag_of_frames_blind_within_pairs(probe_data):
    """Frame-to-frame change energy, in order vs sorted (a bag): in order it
    tells speed-up from slow-down; as a bag it cannot, because each partner
    is the other played backwards."""
    (xtr, ytr), (xte, yte) = probe_data

    def energy(x):
        return np.abs(np.diff(x, axis=1)).mean((2, 3, 4))

    pair = (2, 3)
    mtr, mte = np.isin(ytr, pair), np.isin(yte, pair)
    etr, ete = energy(xtr[mtr]), energy(xte[mte])
    ordered = _probe(etr, ytr[mtr], ete, yte[mte])
    bag = _probe(np.sort(etr, 1), ytr[mtr], np.sort(ete, 1), yte[mte])
    # chance 1/2; 40 test clips: one std is 0.08
    assert ordered > 0.75, (ordered, bag)
    assert bag < 0.7, (ordered, bag)


# ------------------------------------------------------------------ augment
def test_reverse_clip_transform():
    from mmaction.registry import TRANSFORMS

    import structvit_mm  # noqa: F401
    t = TRANSFORMS.build(dict(type='ReverseClip', p=1.0,
                              label_map=mms.REVERSE_MAP))
    out = t.transform(dict(frame_inds=np.arange(8), label=2, num_clips=1))
    np.testing.assert_array_equal(out['frame_inds'], np.arange(8)[::-1])
    assert out['label'] == 3 and out['reversed']
    imgs = [np.full((2, 2, 3), i) for i in range(4)]
    out = t.transform(dict(imgs=imgs, label=np.array([7])))
    assert [int(i[0, 0, 0]) for i in out['imgs']] == [3, 2, 1, 0]
    assert out['label'] == 6
    # string keys (a config dumped and reloaded) work too
    t2 = TRANSFORMS.build(dict(type='ReverseClip', p=1.0,
                               label_map={'0': '1'}))
    assert t2.transform(dict(frame_inds=np.arange(3), label=0))['label'] == 1
    with pytest.raises(KeyError, match='not in label_map'):
        t2.transform(dict(frame_inds=np.arange(3), label=5))
    keep = TRANSFORMS.build(dict(type='ReverseClip', p=0.0,
                                 label_map=mms.REVERSE_MAP))
    out = keep.transform(dict(frame_inds=np.arange(8), label=2))
    assert out['label'] == 2 and not out['reversed']
    with pytest.raises(ValueError):
        TRANSFORMS.build(dict(type='ReverseClip', p=2.0))


def test_benchmark_pipeline_reverses_with_label(dataset):
    """The benchmark config's training pipeline on generated clips: a
    reversed sample holds the decoded frames backwards under the partner
    label."""
    from mmengine import Config
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope

    import structvit_mm  # noqa: F401
    init_default_scope('mmaction')
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/benchmark/_base_/motion-structure_8x32.py'))
    assert cfg.reverse_label_map == mms.REVERSE_MAP
    assert cfg.hflip_label_map == mms.HFLIP_MAP
    pipe = [dict(p) for p in cfg.train_pipeline]
    rev = next(p for p in pipe if p['type'] == 'ReverseClip')
    rev['p'] = 1.0
    pipe = [p for p in pipe if p['type'] not in ('Flip', 'FormatShape',
                                                 'PackActionInputs')]
    rel, label = _read_list(dataset / 'train_list_videos.txt')[2]
    path = str(dataset / 'videos_train' / rel)
    out = Compose(pipe)(dict(filename=path, label=int(label),
                             start_index=0, modality='RGB'))
    assert out['label'] == mms.REVERSE_MAP[int(label)]
    np.testing.assert_array_equal(np.stack(out['imgs']), _decode(path)[::-1])

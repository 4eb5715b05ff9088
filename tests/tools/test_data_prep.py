"""The data-preparation commands of docs/en/user_guides/data_preparation.md,
run on small samples of each dataset's official annotation files.

Each test lays out a miniature of the downloaded dataset (the official
annotation formats, media files named as the release names them), runs the
documented command from a working directory that plays the repository root,
and checks the list it writes line by line; then the list is loaded through
the dataset of our config for that dataset, so docs, tools and configs agree.
"""
import csv
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
WRAPPER = osp.join(ROOT, 'tools', 'data', 'mmaction_data.sh')


def _run(args, cwd):
    env = dict(os.environ, PYTHON=sys.executable, PYTHONWARNINGS='ignore')
    proc = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc.stdout


def _build_file_list(cwd, *args):
    return _run(['bash', WRAPPER, 'build_file_list.py', *args], cwd)


def _lines(path):
    with open(path) as f:
        return sorted(line.split() for line in f if line.strip())


def _touch(path, n_bytes=16):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'\0' * n_bytes)


def _load_with_config(short_name, split, ann_file, data_prefix):
    """Load ``ann_file`` with the dataset our config ``short_name`` uses for
    ``split`` (``train`` / ``val``); returns its data infos."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import structvit_mm  # noqa: F401
    from mmaction.registry import DATASETS
    cfg = Config.fromfile(osp.join(ROOT, 'configs', short_name))
    ds_cfg = cfg[f'{split}_dataloader'].dataset
    ds_cfg.ann_file = ann_file
    key = 'img' if 'img' in ds_cfg.data_prefix else 'video'
    ds_cfg.data_prefix = {key: data_prefix}
    ds_cfg.pipeline = []
    init_default_scope('mmaction')
    ds = DATASETS.build(ds_cfg)
    # mmengine serialises data_list away by default: read back through the API
    return [ds.get_data_info(i) for i in range(len(ds))]


def test_wrapper_rejects_unknown_script(tmp_path):
    proc = subprocess.run(['bash', WRAPPER, 'no_such_script.py'],
                          cwd=tmp_path, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          env=dict(os.environ, PYTHON=sys.executable))
    assert proc.returncode == 2
    assert 'no_such_script.py' in proc.stdout


def test_kinetics400_lists(tmp_path):
    ann = tmp_path / 'data/kinetics400/annotations'
    ann.mkdir(parents=True)
    header = ['label', 'youtube_id', 'time_start', 'time_end', 'split',
              'is_cc']
    rows = {
        'train': [('air drumming', '--nQbRBEz2s', 104, 114),
                  ('abseiling', '-3B32lodo2M', 59, 69),
                  ('abseiling', '0347ZoDXyP0', 5, 15)],
        'val': [('air drumming', '-2xiZAJ5-8E', 19, 29),
                ('abseiling', '0wR5jVB-WPk', 417, 427)],
        'test': [('', 'zzzzzzzzzzz', 0, 10)],
    }
    for split, name in (('train', 'train'), ('val', 'val'),
                        ('test', 'test')):
        with open(ann / f'kinetics_{name}.csv', 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(header)
            for label, yid, s, e in rows[split]:
                w.writerow([label, yid, s, e, split, 0])
    # videos as kinetics/download.py names them, class folders renamed
    # with underscores as the docs say
    for split in ('train', 'val'):
        for label, yid, s, e in rows[split]:
            _touch(tmp_path / f'data/kinetics400/videos_{split}/'
                   f'{label.replace(" ", "_")}/{yid}_{s:06d}_{e:06d}.mp4')
    for subset in ('train', 'val'):
        _build_file_list(tmp_path, 'kinetics400',
                         f'data/kinetics400/videos_{subset}/', '--level', '2',
                         '--format', 'videos', '--num-split', '1',
                         '--subset', subset, '--shuffle')
    # labels: sorted class names (abseiling 0, air_drumming 1)
    out = tmp_path / 'data/kinetics400/kinetics400_val_list_videos.txt'
    assert _lines(out) == [['abseiling/0wR5jVB-WPk_000417_000427.mp4', '0'],
                           ['air_drumming/-2xiZAJ5-8E_000019_000029.mp4', '1']]
    assert len(_lines(tmp_path / 'data/kinetics400/'
                      'kinetics400_train_list_videos.txt')) == 3

    infos = _load_with_config('structvit_k400.py', 'val', str(out),
                              str(tmp_path / 'data/kinetics400/videos_val'))
    assert sorted(d['label'] for d in infos) == [0, 1]
    assert all(osp.isfile(d['filename']) for d in infos)


def test_sthv1_rawframe_lists(tmp_path):
    ann = tmp_path / 'data/sthv1/annotations'
    ann.mkdir(parents=True)
    labels = ['Holding something', 'Moving something from left to right',
              'Moving something from right to left']
    (ann / 'something-something-v1-labels.csv').write_text(
        '\n'.join(labels) + '\n')
    (ann / 'something-something-v1-train.csv').write_text(
        '100218;Moving something from left to right\n'
        '24000;Holding something\n')
    (ann / 'something-something-v1-validation.csv').write_text(
        '9223;Moving something from right to left\n')
    (ann / 'something-something-v1-test.csv').write_text('1420\n')
    frames = {'100218': 5, '24000': 3, '9223': 4}
    for vid, n in frames.items():
        for i in range(1, n + 1):
            _touch(tmp_path / f'data/sthv1/rawframes/{vid}/{i:05d}.jpg')
    for subset in ('train', 'val'):
        _build_file_list(tmp_path, 'sthv1', 'data/sthv1/rawframes/',
                         '--rgb-prefix', '0', '--num-split', '1', '--level',
                         '1', '--subset', subset, '--format', 'rawframes',
                         '--shuffle')
    train = tmp_path / 'data/sthv1/sthv1_train_list_rawframes.txt'
    assert _lines(train) == [['100218', '5', '1'], ['24000', '3', '0']]
    assert _lines(tmp_path / 'data/sthv1/sthv1_val_list_rawframes.txt') == [
        ['9223', '4', '2']]

    infos = _load_with_config('structvit_sthv1.py', 'train', str(train),
                           str(tmp_path / 'data/sthv1/rawframes'))
    assert sorted((osp.basename(d['frame_dir']), d['total_frames'])
                  for d in infos) == [('100218', 5), ('24000', 3)]


def test_sthv2_video_lists(tmp_path):
    ann = tmp_path / 'data/sthv2/annotations'
    ann.mkdir(parents=True)
    labels = {'Holding something next to something': '0',
              'Pushing something from left to right': '1'}
    (ann / 'something-something-v2-labels.json').write_text(
        json.dumps(labels))
    train = [{'id': '78687', 'label': 'holding potato next to vicks bottle',
              'template': 'Holding [something] next to [something]',
              'placeholders': ['potato', 'vicks bottle']},
             {'id': '42326', 'label': 'pushing a cup from left to right',
              'template': 'Pushing [something] from left to right',
              'placeholders': ['a cup']}]
    val = [{'id': '74225', 'label': 'pushing pen from left to right',
            'template': 'Pushing [something] from left to right',
            'placeholders': ['pen']}]
    (ann / 'something-something-v2-train.json').write_text(json.dumps(train))
    (ann / 'something-something-v2-validation.json').write_text(
        json.dumps(val))
    (ann / 'something-something-v2-test.json').write_text(
        json.dumps([{'id': '1420'}]))
    for vid in ('78687', '42326', '74225', '1420'):
        _touch(tmp_path / f'data/sthv2/videos/{vid}.webm')
    for subset in ('train', 'val'):
        _build_file_list(tmp_path, 'sthv2', 'data/sthv2/videos/',
                         '--num-split', '1', '--level', '1', '--subset',
                         subset, '--format', 'videos', '--shuffle')
    out = tmp_path / 'data/sthv2/sthv2_train_list_videos.txt'
    assert _lines(out) == [['42326.webm', '1'], ['78687.webm', '0']]

    infos = _load_with_config('structvit_sthv2.py', 'train', str(out),
                           str(tmp_path / 'data/sthv2/videos'))
    assert sorted(d['label'] for d in infos) == [0, 1]
    assert all(osp.isfile(d['filename']) for d in infos)


def test_diving48_v2_lists(tmp_path):
    ann = tmp_path / 'data/diving48/annotations'
    ann.mkdir(parents=True)
    train = [{'vid_name': '-mmq0PT-u8k_00155', 'label': 0,
              'start_frame': 0, 'end_frame': 59},
             {'vid_name': '-mmq0PT-u8k_00156', 'label': 47,
              'start_frame': 0, 'end_frame': 41}]
    test = [{'vid_name': '0eBVHBEKm3o_00000', 'label': 12,
             'start_frame': 0, 'end_frame': 80}]
    (ann / 'Diving48_V2_train.json').write_text(json.dumps(train))
    (ann / 'Diving48_V2_test.json').write_text(json.dumps(test))
    for item in train + test:
        _touch(tmp_path / f'data/diving48/videos/{item["vid_name"]}.mp4')
    for subset in ('train', 'val'):
        _build_file_list(tmp_path, 'diving48', 'data/diving48/videos/',
                         '--num-split', '1', '--level', '1', '--subset',
                         subset, '--format', 'videos', '--shuffle')
    assert _lines(tmp_path / 'data/diving48/diving48_train_list_videos.txt') \
        == [['-mmq0PT-u8k_00155.mp4', '0'], ['-mmq0PT-u8k_00156.mp4', '47']]
    val = tmp_path / 'data/diving48/diving48_val_list_videos.txt'
    assert _lines(val) == [['0eBVHBEKm3o_00000.mp4', '12']]

    infos = _load_with_config('structvit_diving48.py', 'val', str(val),
                           str(tmp_path / 'data/diving48/videos'))
    assert [d['label'] for d in infos] == [12]


@pytest.mark.parametrize('label_set,labels', [('gym99', (17, 98)),
                                              ('gym288', (268, 3))])
def test_gym_lists(tmp_path, label_set, labels):
    ann = tmp_path / 'data/gym/annotations'
    ann.mkdir(parents=True)
    names = ['A0xAXXysHUo_E_002407_002435_A_0003_0005',
             'A0xAXXysHUo_E_002407_002435_A_0006_0008',
             'A0xAXXysHUo_E_002407_002435_A_0009_0011']
    (ann / f'{label_set}_train_org.txt').write_text(
        f'{names[0]} {labels[0]}\n{names[1]} {labels[1]}\n')
    (ann / f'{label_set}_val_org.txt').write_text(f'{names[2]} {labels[1]}\n')
    # names[1] was never cut (its video is gone from YouTube): left out
    for name in (names[0], names[2]):
        _touch(tmp_path / f'data/gym/subactions/{name}.mp4')
    out = _run([sys.executable, osp.join(ROOT, 'tools/data/gym/'
                                         'generate_file_list.py'),
                '--label-set', label_set], tmp_path)
    assert '1 listed' in out  # the missing clip is reported
    train = ann / f'{label_set}_train.txt'
    assert _lines(train) == [[f'{names[0]}.mp4', str(labels[0])]]
    assert _lines(ann / f'{label_set}_val.txt') == [
        [f'{names[2]}.mp4', str(labels[1])]]

    infos = _load_with_config(f'structvit_{label_set}.py', 'train', str(train),
                           str(tmp_path / 'data/gym/subactions'))
    assert [d['label'] for d in infos] == [labels[0]]


def test_gym_list_errors_name_file_and_line(tmp_path):
    ann = tmp_path / 'data/gym/annotations'
    ann.mkdir(parents=True)
    (tmp_path / 'data/gym/subactions').mkdir()
    (ann / 'gym99_train_org.txt').write_text('clip_a 3\nclip_b 99\n')
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools/data/gym/generate_file_list.py'),
         '--label-set', 'gym99', '--splits', 'train'], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode != 0
    assert 'gym99_train_org.txt:2: label 99' in proc.stdout

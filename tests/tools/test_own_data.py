"""docs/en/user_guides/own_data.md "Train on your own data": its configs
and commands, run as written on generated data (3 classes), from a working
directory that holds them, ``configs/``, ``tools/`` and ``data/``. The only
addition: toy-size ``--cfg-options`` on the train and test commands
(tests/small_runs.py), so that a CPU runs them in seconds."""
import os
import os.path as osp
import re
import shlex
import shutil
import subprocess
import sys

import pytest
from small_runs import make_images, make_videos, small_options

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DOC = osp.join(ROOT, 'docs', 'en', 'user_guides', 'own_data.md')


def _blocks(section):
    """``({file name: text}, [command])`` of one ``##`` section."""
    text = open(DOC).read().split('# Train on your own data\n', 1)[1]
    text = text.split(f'\n## {section}\n', 1)[1]
    text = re.split(r'\n## ', text, 1)[0]
    files, commands = {}, []
    for lang, body in re.findall(r'```(\w*)\n(.*?)```', text, re.S):
        if lang == 'python':
            name = body.splitlines()[0].lstrip('# ').strip()
            files[name] = body
        elif lang == 'bash':
            commands += [c for c in body.replace('\\\n', ' ').splitlines()
                         if c.strip()]
    return files, commands


def _workspace(tmp_path, files):
    for name in ('configs', 'tools'):
        os.symlink(osp.join(ROOT, name), tmp_path / name)
    for name, body in files.items():
        (tmp_path / name).write_text(body)


def _run(commands, cwd, config):
    shrink = ' '.join(shlex.quote(o) for o in small_options(
        osp.join(cwd, config)))
    outputs = []
    for command in commands:
        assert command.startswith('python '), command
        command = shlex.quote(sys.executable) + command[len('python'):]
        if re.search(r'tools/(train|test)\.py', command):
            command += f' --cfg-options {shrink}'
        proc = subprocess.run(
            ['bash', '-c', command], cwd=cwd, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600,
            env=dict(os.environ, OMP_NUM_THREADS='1',
                     PYTHONWARNINGS='ignore'))
        assert proc.returncode == 0, (command, proc.stdout[-6000:])
        outputs.append(proc.stdout)
    return outputs


def _as_guide_layout(generated, root, video):
    """make_videos / make_images' layout -> the guide's (train/, val/,
    train.txt, val.txt)."""
    for split in ('train', 'val'):
        src = f'videos_{split}' if video else split
        shutil.move(osp.join(generated, src), osp.join(root, split))
        ann = (f'kinetics400_{split}_list_videos.txt' if video else
               osp.join('meta', f'{split}.txt'))
        shutil.move(osp.join(generated, ann), osp.join(root, f'{split}.txt'))


@pytest.mark.parametrize('section', ['Videos', 'Images'])
def test_own_data_guide_runs_as_written(section, tmp_path):
    files, commands = _blocks(section)
    assert len(files) == 1 and len(commands) == 4, (files, commands)
    config = next(iter(files))
    _workspace(tmp_path, files)
    video = section == 'Videos'
    generated = str(tmp_path / 'generated')
    root = str(tmp_path / 'data' / ('my_videos' if video else 'my_images'))
    os.makedirs(root)
    (make_videos if video else make_images)(generated, num_classes=3)
    _as_guide_layout(generated, root, video)

    check_train, check_val, train, test = _run(commands, str(tmp_path),
                                               config)
    for out in (check_train, check_val):
        assert re.search(r'0 of \d+ sample\(s\) bad', out), out[-3000:]
    assert 'number of classes: 3' in train
    assert (tmp_path / 'work_dirs' / config[:-3] / 'epoch_1.pth').exists()
    metric = 'acc/top1' if video else 'accuracy/top1'
    assert re.search(rf'Epoch\(test\).*{metric}: [\d.]+', test), test[-3000:]
    assert 'top5' not in test.split('Epoch(test)')[-1]


def test_checker_finds_bad_image_lines_labels_and_files(tmp_path):
    """The image branch of tools/data/check_dataset.py (the guide's first
    step): bad lines, labels and files are listed and left out."""
    files, _ = _blocks('Images')
    _workspace(tmp_path, files)
    root = tmp_path / 'data' / 'my_images'
    make_images(str(tmp_path / 'generated'), num_classes=3)
    _as_guide_layout(str(tmp_path / 'generated'), str(root), video=False)
    (root / 'train' / 'class_0' / 'broken.png').write_bytes(b'not an image')
    with open(root / 'train.txt', 'a') as f:
        f.write('class_0/broken.png 0\nclass_1/missing.png 1\n'
                'class_2/train_0.png 3\nno_label_here\n')
    proc = subprocess.run(
        [sys.executable, 'tools/data/check_dataset.py', 'my_images.py',
         '--out-dir', 'out'], cwd=tmp_path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.returncode == 1, proc.stdout[-3000:]
    bad = (tmp_path / 'out' / 'bad_files.txt').read_text()
    assert 'broken.png\tdoes not decode as an image' in bad
    assert 'missing.png\tmissing file' in bad
    assert 'label 3 outside [0, num_classes=3)' in bad
    assert 'not "<path> <label>"' in bad
    clean = (tmp_path / 'out' / 'train_clean.txt').read_text().splitlines()
    assert len(clean) == 6 and all(' ' in line for line in clean)

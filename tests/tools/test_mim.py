"""model-index.yml / metafiles against the configs, and ``mim`` on them:
``mim search structvit_mm`` lists every row with the paper's metrics,
``mim train mmaction`` / ``mim test mmaction`` run a config of ours."""
import json
import os.path as osp
import re
import subprocess
import sys

import pytest
from small_runs import (index_models, make_videos, small_options,
                        video_data_options)

import structvit_mm  # noqa: F401
from structvit_mm import model_index as gen

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_every_config_is_listed_once_and_every_listed_config_exists():
    models = index_models()
    listed = sorted(m['Config'] for m in models.values())
    assert len(listed) == len(set(listed))
    assert listed == gen.config_files()  # each config under configs/, once
    for m in models.values():
        assert osp.isfile(osp.join(ROOT, m['Config'])), m['Config']
        assert 'Weights' not in m  # no checkpoint was trained here


def test_metafiles_are_what_the_generator_writes():
    """Builds every listed config and counts its parameters; a new
    config, a changed model or a new number in structvit_mm/zoo.py makes
    this fail until `python tools/misc/gen_model_index.py` is run: the
    metafiles, model-index.yml, the tables of configs/*/README.md and the
    short-name configs (FLOPs come from its cache, checked in
    test_paper_rows.py)."""
    for rel, text in gen.generate(count_flops=False).items():
        assert open(osp.join(ROOT, rel)).read() == text, (
            f'{rel} is out of date: python tools/misc/gen_model_index.py')


def test_check_fails_on_a_drifted_readme(monkeypatch, capsys):
    """--check exits 1 and writes nothing when a derived file (here a
    README table) differs from what the generator writes."""
    rel = 'configs/structvit/README.md'
    text = open(osp.join(ROOT, rel)).read()
    stale = gen.replace_block(text, gen.BEGIN + '\n| stale |\n' + gen.END)
    assert stale != text
    monkeypatch.setattr(gen, 'generate', lambda count_flops: {rel: stale})
    assert gen.main(['--check']) == 1
    assert rel in capsys.readouterr().out
    assert open(osp.join(ROOT, rel)).read() == text
    # the block is all the generator owns: the text around it stays
    block = gen.BEGIN + '\nnew\n' + gen.END
    assert gen.replace_block('abstract\n' + gen.BEGIN + 'old' + gen.END
                             + '\ncitation', block) == \
        'abstract\n' + block + '\ncitation'
    with pytest.raises(ValueError):
        gen.replace_block('no markers', block)


def test_paper_metrics_are_marked_and_every_paper_row_has_them():
    models = index_models()
    with_results = {n for n, m in models.items() if m.get('Results')}
    for name in with_results:
        for result in models[name]['Results']:
            assert all(k.endswith(' (paper)') for k in result['Metrics'])
    # (every zoo row is listed with its metrics: test_paper_rows.py)
    assert models['structvit-s-4-1_in1k-224']['Results'][0]['Metrics'] == {
        'Top 1 Accuracy (paper)': 83.2}
    assert models['structvit_k400']['Results'] == models[
        'structvit-s-4-2_in1k-pre_16x4x1_k400-rgb']['Results']


def _mim(*args, **kwargs):
    return subprocess.run(
        [sys.executable, '-m', 'mim', *args], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600,
        env=dict(__import__('os').environ, OMP_NUM_THREADS='1',
                 PYTHONWARNINGS='ignore'), **kwargs)


def test_mim_search_lists_every_row_with_the_papers_metrics(tmp_path):
    """``python -m mim`` from the repository root: with an editable
    install, pkg_resources finds the package (and its .mim) through the
    root's structvit_mm.egg-info (README, "mim and the model index")."""
    out = tmp_path / 'search.json'
    proc = _mim('search', 'structvit_mm', '--json', str(out))
    assert proc.returncode == 0, proc.stdout[-3000:]
    found = json.load(open(out))  # field -> {config id: value}
    models = index_models()
    assert set(found['config']) == set(models)
    for name, model in models.items():
        assert found['config'][name] == model['Config']
        assert found['flops'][name] == model['Metadata']['FLOPs']
        for result in model.get('Results', []):
            for metric, value in result['Metrics'].items():
                field = (f"{result['Dataset']}/{metric}").lower().replace(
                    ' ', '_').replace('something-something_v',
                                      'something-something v')
                assert found[field][name] == value, (name, field)
    # the human-readable listing of one family
    proc = _mim('search', 'structvit_mm', '--model', 'structdeit')
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'config id: structdeit-s-d4_in1k-224' in proc.stdout
    assert 'imagenet-1k/top_1_accuracy_(paper)' in proc.stdout


def test_mim_train_and_test_run_our_config(tmp_path):
    videos = str(tmp_path / 'videos')
    make_videos(videos, num_classes=3)
    config = 'configs/structvit_k400.py'
    opts = ['--cfg-options', *small_options(osp.join(ROOT, config)),
            *video_data_options(videos), 'model.cls_head.num_classes=3']
    work = str(tmp_path / 'work')
    proc = _mim('train', 'mmaction', config, '--gpus', '0', '--work-dir',
                work, *opts)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert 'Training finished successfully' in proc.stdout
    ckpt = osp.join(work, 'epoch_1.pth')
    proc = _mim('test', 'mmaction', config, '--checkpoint', ckpt, '--gpus',
                '0', '--work-dir', work, *opts)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert re.search(r'Epoch\(test\).*acc/top1: [\d.]+', proc.stdout)

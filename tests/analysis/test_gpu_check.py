"""The prepared GPU check (tools/analysis/gpu_check.py) in its CPU smoke mode:
every section's code runs at toy sizes, so the one-call GPU run cannot die
of a typo, and its JSON / markdown say what the GPU run will say."""
import json

import pytest
import torch
from tool_runner import run_ok

from structvit_mm.analysis import gpu_check as gc

BACKENDS = ('FLASH_ATTENTION', 'EFFICIENT_ATTENTION', 'CUDNN_ATTENTION',
            'MATH')


@pytest.fixture(scope='module')
def smoke(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp('gpu_check_out')
    work_dir = tmp_path_factory.mktemp('gpu_check_work')
    # a budget no CI machine runs out of: the test is about the content,
    # the budget cut-off has its own test below
    log = run_ok(['tools/analysis/gpu_check.py', '--smoke', '--out-dir',
                  str(out_dir), '--work-dir', str(work_dir), '--budget-s',
                  '900'], threads=2)
    result = json.loads((out_dir / 'gpu_check.json').read_text())
    markdown = (out_dir / 'gpu_check.md').read_text()
    return result, markdown, log


def test_smoke_environment_and_sections(smoke):
    result, markdown, _ = smoke
    info = result['info']
    assert info['smoke'] is True and info['device'] == 'cpu'
    assert info['torch'] == torch.__version__
    assert info['command'].startswith('python tools/analysis/gpu_check.py '
                                      '--smoke')
    assert info['packages']['mmaction2'] and info['packages']['mmengine']
    sections = result['sections']
    assert list(sections) == ['sdpa', 'op', 'train_step', 'image', 'train',
                              'dist']
    for name, s in sections.items():
        assert 'error' not in s, f'{name}: {s.get("error")}'
        assert s['rows'], name
    # on CPU only the AMP training run is left out, and it says why
    assert [n for n, s in sections.items() if s['skipped']] == ['train']
    assert 'AmpOptimWrapper needs a GPU' in sections['train']['skipped'][0]
    assert sections['train']['status'] == 'partial'
    assert all(s['status'] == 'ok' for n, s in sections.items()
               if n != 'train')


def test_smoke_sdpa_backends(smoke):
    rows = smoke[0]['sections']['sdpa']['rows']
    cases = {r['case'] for r in rows}
    assert len(cases) == 2
    assert sorted(r['dtype'] for r in rows) == sorted(
        ['float32', 'bfloat16', 'float16'] * 2)
    for r in rows:
        # under autocast q, k and v reach SDPA in the autocast dtype, and
        # the default pick is the fused CPU kernel, not the math fallback
        assert r['qkv_same_dtype']
        assert r['sdpa_inputs']['q']['dtype'] == r['dtype']
        assert r['sdpa_inputs']['q']['stride'][-1] == 1
        assert r['default'] == dict(status='ok', kernels=['FLASH_ATTENTION'],
                                    warnings=[])
        # nothing in the op's forward + backward waits for the device
        assert r['host_syncs'] == dict(ops=[], cuda_sync_warnings=None)
        # forced: the CPU has flash and math; the other two are refused,
        # with torch's error kept
        for backend in ('FLASH_ATTENTION', 'MATH'):
            assert r[backend]['status'] == 'ok' and r[backend]['ms'] > 0
        for backend in ('EFFICIENT_ATTENTION', 'CUDNN_ATTENTION'):
            assert r[backend]['status'] == 'refused'
            assert 'backend' in r[backend]['error']
        if r['dtype'] == 'float32':
            assert 'sdpa_alone' not in r
        else:
            alone = r['sdpa_alone']
            assert alone['bshd']['cudnn_layout'] == 'bshd'
            assert alone['op']['cudnn_layout'] == 'neither'
            assert alone['op']['MATH']['ms'] > 0


def test_smoke_op_and_profile(smoke):
    s = smoke[0]['sections']['op']
    rows = s['rows']
    assert sorted((r['case'], r['dtype']) for r in rows) == sorted(
        (c, d) for c in ('toy-s3-D4-S2', 'toy-s4-D4-S1')
        for d in ('bfloat16', 'float32'))
    for r in rows:
        for impl in ('fast', 'bound', 'vanilla', 'literal'):
            assert r[f'{impl}_ms'] > 0 and r[f'{impl}_mb'] > 0
        assert r['fast_over_bound'] == pytest.approx(r['fast_ms'] /
                                                     r['bound_ms'])
    names = [k['name'] for k in s['profile']['top']]
    assert s['profile']['clock'] == 'cpu' and len(names) > 3
    # the key / value convolutions are the fast path's own work
    assert any('convolution' in n for n in names), names


def test_smoke_models_training_and_dist(smoke):
    result = smoke[0]
    sections = result['sections']
    steps = sections['train_step']['rows']
    assert {(r['model'], r['precision']) for r in steps} == {
        (m, p) for m in ('StructViT-S-4-2', 'UniFormer-S (mmaction2)')
        for p in ('bf16 autocast', 'fp32')} | {
            ('StructViT-S-4-2 with_cp', 'bf16 autocast')}
    assert all(r['train_ms'] > 0 and r['train_peak_mb'] is None
               for r in steps)
    images = sections['image']['rows']
    assert {r['model'] for r in images} == {
        'StructViT-S-4-2', 'StructViT-S-4-1', 'StructDeiT-S D=4'}
    assert all(r['images_per_s'] > 0 for r in images)

    train, = sections['train']['rows']
    assert train['status'] == 'ok' and train['returncode'] == 0
    assert train['iterations'] == 3 and train['completed']
    assert not train['amp_optim_wrapper'] and not train['distributed']
    assert '--cfg-options' in train['command']
    dist, = sections['dist']['rows']
    # two CPU processes: structvit_mm.compat turns nccl into gloo
    assert dist['status'] == 'ok' and dist['distributed']
    assert dist['backend'].startswith('gloo') and dist['world_size'] == 2

    v = result['verdicts']
    assert set(v['op_fast_over_bound_bf16']) == {'toy-s3-D4-S2',
                                                 'toy-s4-D4-S1'}
    assert set(v['train_step_structvit_over_uniformer']) == {
        'bf16 autocast', 'fp32'}
    assert 'smoke run' in v['note']


def test_smoke_markdown(smoke):
    result, md, log = smoke
    assert md.startswith('# StructViT GPU check (smoke: CPU, toy sizes)')
    assert f"`{result['info']['command']}`" in md
    assert f"torch {torch.__version__}" in md
    for heading in ('## Targets', '## SDPA backend per StructSA shape',
                    '## StructSA forward + backward vs its bound',
                    '## Train step', '## Image models, inference',
                    '## tools/train.py on generated clips',
                    '## Distributed run', '## Sections'):
        assert heading in md, heading
    assert '| toy-s3-D4-S2 | bfloat16 | bfloat16 | FLASH_ATTENTION | 0 |' \
        in md
    assert '| StructViT-S-4-2 | fp32 | 1x3x4x32x32 |' in md
    assert '| train | partial |' in md
    assert md in log  # the same report goes to stdout


def test_budget_cut_records_what_was_skipped(tmp_path):
    assert gc.main(['--smoke', '--sections', 'sdpa', 'op', '--budget-s',
                    '0', '--out-dir', str(tmp_path),
                    '--work-dir', str(tmp_path / 'w')]) == 0
    result = json.loads((tmp_path / 'gpu_check.json').read_text())
    sdpa, op = result['sections']['sdpa'], result['sections']['op']
    assert sdpa['status'] == op['status'] == 'skipped'
    assert not sdpa['rows'] and not op['rows']
    assert len(sdpa['skipped']) == 2 * 3  # cases x dtypes
    assert all(s.endswith('over budget') for s in sdpa['skipped'])
    assert 'profile: over budget' in op['skipped']
    assert '| sdpa | skipped |' in (tmp_path / 'gpu_check.md').read_text()


def test_section_error_is_recorded_and_fails_the_run(tmp_path, monkeypatch):

    def broken(cfg, clock, rec):
        raise KeyError('typo')

    monkeypatch.setattr(gc, 'section_image', broken)
    assert gc.main(['--smoke', '--sections', 'image', '--out-dir',
                    str(tmp_path), '--work-dir', str(tmp_path / 'w')]) == 1
    s = json.loads((tmp_path / 'gpu_check.json').read_text())['sections']
    assert s['image']['status'] == 'error'
    assert "KeyError: 'typo'" in s['image']['error']


def test_without_gpu_the_full_run_says_use_smoke(tmp_path):
    if torch.cuda.is_available():
        pytest.skip('a GPU is present: the full run would start')
    with pytest.raises(SystemExit, match='no CUDA device; use --smoke'):
        gc.main(['--out-dir', str(tmp_path)])


def test_cudnn_layout_names():
    B, h, S, d = 2, 3, 5, 8
    qkv = torch.randn(B, S, 3, h, d).permute(2, 0, 3, 1, 4)
    assert gc.cudnn_layout(*qkv) == 'packed'
    bshd = [torch.randn(B, S, h, d).transpose(1, 2) for _ in range(3)]
    assert gc.cudnn_layout(*bshd) == 'bshd'
    bhsd = [torch.randn(B, h, S, d) for _ in range(3)]
    assert gc.cudnn_layout(*bhsd) == 'neither'
    q, k, v = gc.sdpa_inputs(B, h, S, 4 * S, d, torch.float32, 'cpu', 'op')
    assert gc.cudnn_layout(q, k, v) == 'neither'
    assert q.stride() == (S * 3 * h * d, d, 3 * h * d, 1)


def test_dist_on_one_gpu_is_a_skipped_record(tmp_path, monkeypatch):
    """The GPU run's dist section on a machine with fewer than 2 GPUs."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 1)
    rec = dict(status='ok', skipped=[], notes=[], rows=[])
    gc.section_dist(gc.full_sizes(), gc.Clock(60), rec, str(tmp_path))
    assert rec['status'] == 'skipped' and not rec['rows']
    assert rec['skipped'] == [
        '2-process NCCL run: torch.cuda.device_count() = 1 < 2']

"""Per-stage activation checkpointing (``checkpoint_num``) of StructViT and
StructDeiT: the chosen blocks are recomputed, the outputs and gradients are
the same as without, bad counts stop with the key and the fix."""
import json

import pytest
import torch
import torch.utils.checkpoint as cp
from tool_runner import run_tool

import structvit_mm  # noqa: F401
from structvit_mm.models import StructViT, StructViT3D
from structvit_mm.models.structdeit import StructDeiT, StructDeiT3D

TINY = dict(depths=[1, 2, 2, 1], channels=[8, 16, 32, 64], heads=[1, 1, 2, 4])
DEIT = dict(arch=dict(embed_dims=32, num_layers=3, num_heads=2),
            img_size=32, patch_size=4)
DEIT3D = dict(DEIT, num_frames=4, patch_size=(2, 4, 4))


def _counting_checkpoint(monkeypatch):
    """Record which modules go through torch.utils.checkpoint."""
    calls = []
    real = cp.checkpoint

    def spy(fn, *args, **kwargs):
        calls.append(fn)
        return real(fn, *args, **kwargs)

    monkeypatch.setattr(cp, 'checkpoint', spy)
    return calls


def _outputs_and_grads(model, x):
    torch.manual_seed(1)  # the same DropPath masks in both runs
    x = x.clone().requires_grad_(True)
    out = model(x)
    out = out if isinstance(out, (tuple, list)) else (out, )
    sum((o.float()**2).mean() for o in out).backward()
    return ([o.detach() for o in out],
            [x.grad] + [p.grad for p in model.parameters()])


CASES = [
    (StructViT, dict(arch=TINY, out_indices=(1, 3)), (2, 3, 64, 64),
     [0, 1, 2, 0]),
    (StructViT3D, dict(arch=TINY, out_indices=(1, 3)), (1, 3, 4, 64, 64),
     [1, 0, 1, 1]),
    (StructDeiT, DEIT, (2, 3, 32, 32), 2),
    (StructDeiT3D, DEIT3D, (1, 3, 4, 32, 32), 3),
]


@pytest.mark.parametrize('cls,kwargs,shape,counts', CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_same_outputs_and_grads_with_and_without(cls, kwargs, shape, counts,
                                                 monkeypatch):
    torch.manual_seed(0)
    ref = cls(drop_path_rate=0.2, **kwargs).train()
    ckp = cls(drop_path_rate=0.2, checkpoint_num=counts, **kwargs).train()
    ckp.load_state_dict(ref.state_dict())
    x = torch.randn(*shape)
    calls = _counting_checkpoint(monkeypatch)
    out_ref, grad_ref = _outputs_and_grads(ref, x)
    assert calls == []
    out, grad = _outputs_and_grads(ckp, x)
    # exactly the first `count` blocks of each stage were checkpointed
    if cls in (StructViT, StructViT3D):
        expected = [getattr(ckp, f'blocks{i + 1}')[j]
                    for i, n in enumerate(counts) for j in range(n)]
    else:
        expected = list(ckp.layers[:counts])
    assert calls == expected
    for a, b in zip(out, out_ref):
        torch.testing.assert_close(a, b)
    for a, b in zip(grad, grad_ref):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_no_checkpointing_in_eval_or_without_grad(monkeypatch):
    model = StructViT(arch=TINY, checkpoint_num=[1, 2, 2, 1])
    calls = _counting_checkpoint(monkeypatch)
    model.eval()(torch.randn(1, 3, 64, 64))
    with torch.no_grad():
        model.train()(torch.randn(1, 3, 64, 64))
    assert calls == []


def test_with_cp_is_every_block():
    assert StructViT(arch=TINY, with_cp=True).checkpoint_num == [1, 2, 2, 1]
    assert StructViT(arch=TINY).checkpoint_num == [0, 0, 0, 0]


@pytest.mark.parametrize('counts,match', [
    ([0, 3, 0, 0], r'checkpoint_num=\[0, 3, 0, 0\] asks for 3 checkpointed '
     r'blocks for stage 2, which has 2 \(depths \[1, 2, 2, 1\]\)'),
    ([0, 0, -1, 0], 'asks for -1 checkpointed blocks for stage 3'),
    ([0, 0, 1.5, 0], 'asks for 1.5 checkpointed'),
    ([1, 1], r'must be 4 ints, one per stage \(depths \[1, 2, 2, 1\]\)'),
    (2, 'must be 4 ints, one per stage'),
])
def test_bad_counts_name_the_key_and_the_fix(counts, match):
    for cls in (StructViT, StructViT3D):
        with pytest.raises(ValueError, match=match) as err:
            cls(arch=TINY, checkpoint_num=counts)
        assert str(err.value).startswith(f'{cls.__name__}: checkpoint_num=')
    with pytest.raises(ValueError, match='both set'):
        StructViT(arch=TINY, with_cp=True, checkpoint_num=[0, 0, 1, 1])


def test_bad_deit_counts():
    with pytest.raises(ValueError, match=r'checkpoint_num=4 asks for 4 '
                       r'checkpointed blocks, which has 3 \(depths \[3\]\)'
                       r'.*model.backbone.checkpoint_num'):
        StructDeiT(checkpoint_num=4, **DEIT)
    with pytest.raises(ValueError, match='must be an int'):
        StructDeiT3D(checkpoint_num=[1, 1], **DEIT3D)


def test_model_benchmark_takes_the_counts(tmp_path):
    """tools/analysis/benchmark.py --cfg-options, as the docs' memory
    figures were measured (toy size here)."""
    out = tmp_path / 'bench.json'
    proc = run_tool([
        'tools/analysis/benchmark.py', 'configs/structvit_k400.py',
        '--shape', '1', '3', '4', '32', '32', '--warmup', '1', '--iters',
        '1', '--no-baselines', '--out', str(out), '--cfg-options',
        'model.backbone.arch._delete_=True',
        'model.backbone.arch.depths=[1,1,2,1]',
        'model.backbone.arch.channels=[8,16,32,64]',
        'model.backbone.arch.heads=[1,1,2,4]',
        'model.cls_head.in_channels=64',
        'model.backbone.checkpoint_num=[0,0,2,1]'], threads=2)
    assert proc.returncode == 0, proc.stdout[-4000:]
    result = json.loads(out.read_text())
    assert result['info']['cfg_options'][
        'model.backbone.checkpoint_num'] == [0, 0, 2, 1]
    (name, row), = result['results'].items()
    assert 'model.backbone.checkpoint_num=[0, 0, 2, 1]' in name
    assert row['train_peak_mb'] is not None and row['params_m'] < 1
    # a count the toy arch cannot take is refused with the key
    bad = run_tool([
        'tools/analysis/benchmark.py', 'configs/structvit_k400.py',
        '--no-baselines', '--out', str(tmp_path / 'bad.json'),
        '--cfg-options', 'model.backbone.checkpoint_num=[0,0,9,0]'])
    assert bad.returncode != 0
    assert 'checkpoint_num=[0, 0, 9, 0] asks for 9' in bad.stdout

"""What StructSA's fast path hands to ``scaled_dot_product_attention``,
checked on the CPU so that nothing on our side rules out the GPU's fused
kernels (flash / memory-efficient / cuDNN attention):

- under autocast, q, k and v reach SDPA in one dtype (the key / value
  convolutions run in the autocast dtype too), with a unit-stride head dim;
- the fast path runs (forward and backward) on the fused CPU kernel when
  SDPA is restricted to it, which takes the same stride / dtype checks as
  flash attention on GPU;
- no host-device sync in the op or the backbone, forward and backward: no
  op that reads a value from a tensor (``.item()``, ``int(t)``, ``if t:``)
  or sizes its output by values (recorded at the dispatcher, on CPU);
- no graph break under ``torch.compile(fullgraph=True)``;
- fp16: scores beyond fp16's range (|q.k| > 65504 before the 1/sqrt(d)
  scale) stay finite, on the fused and the math kernel alike.

The GPU side of the same questions is tools/analysis/gpu_check.py.
"""
import pytest
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.profiler import ProfilerActivity, profile

from structvit_mm.analysis.host_sync import HostSyncs
from structvit_mm.analysis.sdpa_backends import record_sdpa_inputs
from structvit_mm.models.structsa import StructSA
from structvit_mm.models.structvit import StructViT3D


GRIDS = {2: (4, 6), 3: (2, 4, 4)}


def _op(ndim, heads=2, C=128, D=4):
    stride = (2, 2) if ndim == 2 else (1, 2, 2)
    return StructSA(C, heads, structure_dim=D, kernel_size=(3, ) * ndim,
                    stride=stride)


def _x(grid, prefix=0, C=128, scale=1.):
    n = prefix + torch.Size(grid).numel()
    return (torch.randn(2, n, C) * scale).requires_grad_()


def _dense(t):
    """A recorded (B, h, S, c) tensor is dense in (B, h, S, c) or in
    (B, S, h, c) order: no gaps for the kernels to stride over."""
    B, h, S, c = t['shape']
    return t['stride'] in ([h * S * c, S * c, c, 1],
                           [S * h * c, c, h * c, 1])


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
@pytest.mark.parametrize('ndim,prefix', [(2, 0), (3, 0), (2, 1)])
def test_autocast_qkv_reach_sdpa_in_one_dtype(dtype, ndim, prefix):
    op, grid = _op(ndim), GRIDS[ndim]
    log = []
    with record_sdpa_inputs(log), torch.autocast('cpu', dtype=dtype):
        y = op(_x(grid, prefix), grid, num_prefix_tokens=prefix)
    seen, = log  # dtype / shape / stride of q, k, v
    q, k, v = (seen[name] for name in 'qkv')
    assert q['dtype'] == k['dtype'] == v['dtype'] == \
        str(dtype).replace('torch.', '')
    assert y.dtype == dtype
    for t in (q, k, v):
        assert t['stride'][-1] == 1
    # the stacked copies are dense: D * (prefix + N') keys per head (each
    # detector's map holds the prefix keys)
    n_kv = 4 * prefix + 4 * torch.Size(
        [(g + s - 1) // s for g, s in zip(grid, op.stride)]).numel()
    assert k['shape'] == v['shape'] == [2, 2, n_kv, 64]
    assert _dense(k) and _dense(v)


def _ran(prof):
    return {e.name for e in prof.events()
            if e.name.startswith('aten::_scaled_dot_product')}


@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
@pytest.mark.parametrize('ndim,prefix', [(3, 0), (2, 1)])
def test_fast_path_runs_on_the_fused_kernel_alone(dtype, ndim, prefix):
    op, grid = _op(ndim), GRIDS[ndim]
    x = _x(grid, prefix)
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION), \
            profile(activities=[ProfilerActivity.CPU]) as prof, \
            torch.autocast('cpu', dtype=dtype,
                           enabled=dtype != torch.float32):
        y = op(x, grid, num_prefix_tokens=prefix)
        y.float().sum().backward()
    ran = _ran(prof)
    assert 'aten::_scaled_dot_product_flash_attention_for_cpu' in ran
    assert 'aten::_scaled_dot_product_flash_attention_for_cpu_backward' \
        in ran
    assert 'aten::_scaled_dot_product_attention_math' not in ran
    assert torch.isfinite(x.grad).all()
    assert op.key_conv.weight.grad is not None


def test_a_strided_head_dim_is_refused_by_the_fused_kernel():
    """The check above can fail: flash refuses a head dim of stride != 1
    (what a wrong permute in the op would hand it)."""
    q = torch.randn(2, 2, 8, 64).transpose(-1, -2).contiguous() \
        .transpose(-1, -2)
    assert q.stride(-1) != 1
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION), \
            pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, q, q)


def _host_syncs():
    """gpu_check's recorder of ops that wait for the GPU (a value read from
    a tensor, value-dependent output sizes)."""
    return HostSyncs()


def _compiled(module):
    torch._dynamo.reset()
    return torch.compile(module, fullgraph=True, backend='eager')


@pytest.mark.parametrize('ndim,prefix', [(3, 0), (2, 1)])
def test_op_makes_no_host_sync(ndim, prefix):
    op, grid = _op(ndim), GRIDS[ndim]
    x = _x(grid, prefix)
    with _host_syncs() as syncs, torch.autocast('cpu', dtype=torch.bfloat16):
        op(x, grid, num_prefix_tokens=prefix).float().sum().backward()
    assert syncs.ops == []


def test_host_sync_recorder_sees_value_reads():
    """The check above can fail: ``.item()``, ``int(t)``, ``if t:`` and
    ``nonzero`` are recorded."""
    x = torch.randn(4)
    with _host_syncs() as syncs:
        x.abs().max().item()
        int(x.abs().sum())
        if (x > 0).any():
            pass
        x.nonzero()
    assert syncs.ops == ['_local_scalar_dense'] * 3 + ['nonzero']


def _tiny_backbone():
    torch.manual_seed(0)
    return StructViT3D(
        arch=dict(depths=[1, 1, 1, 1], channels=[8, 16, 64, 64],
                  heads=[1, 1, 1, 1]), structure_dim=4, kv_stride=2,
        drop_path_rate=0.1).train()


def test_backbone_train_step_makes_no_host_sync():
    model, x = _tiny_backbone(), torch.randn(2, 3, 4, 32, 32)
    with _host_syncs() as syncs, torch.autocast('cpu', dtype=torch.bfloat16):
        model(x).float().sum().backward()
    assert syncs.ops == []


@pytest.mark.parametrize('ndim,prefix', [(3, 0), (2, 1)])
def test_op_has_no_graph_break(ndim, prefix):
    op, grid = _op(ndim), GRIDS[ndim]
    x = _x(grid, prefix)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y = _compiled(op)(x, grid, num_prefix_tokens=prefix)
    y.float().sum().backward()  # the backward graph as well
    assert torch.isfinite(x.grad).all()


def test_fullgraph_refuses_a_graph_break():
    """The check above can fail: a branch on a tensor's value breaks the
    graph, which ``fullgraph=True`` refuses."""
    class Branchy(torch.nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x

    with pytest.raises(Exception, match='[Dd]ata-dependent|graph break'):
        _compiled(Branchy())(torch.randn(3))


def test_backbone_has_no_graph_break():
    model = _tiny_backbone()
    out = _compiled(model)(torch.randn(1, 3, 4, 32, 32))
    out.sum().backward()
    assert out.shape == (1, 64, 2, 1, 1)


@pytest.mark.parametrize('backend', ['FLASH_ATTENTION', 'MATH'])
def test_fp16_scores_beyond_fp16_range_stay_finite(backend):
    torch.manual_seed(0)
    op, grid = _op(3, heads=1, C=64).double(), GRIDS[3]
    x = _x(grid, C=64, scale=100.).detach().double()
    with torch.no_grad():
        ref = op(x, grid)
        q, k, _ = op.qkv(x).reshape(2, -1, 3, 64).unbind(2)
        # raw scores overflow fp16, the scaled ones (/ 8) do not
        assert (q @ k.transpose(1, 2)).abs().max() > 65504
        op.float()
        with sdpa_kernel(getattr(SDPBackend, backend)), \
                torch.autocast('cpu', dtype=torch.float16):
            y = op(x.float(), grid)
    assert y.dtype == torch.float16 and torch.isfinite(y).all()
    err = (y.double() - ref).abs().max() / ref.abs().max()
    assert err < 1e-2

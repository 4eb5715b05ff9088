"""StructSA: the fast form equals the paper's literal definition."""
import itertools

import pytest
import torch
import torch.nn.functional as F

from structvit_mm.models.structsa import StructSA

GRIDS = {2: [(5, 7), (6, 6)], 3: [(3, 5, 5), (2, 4, 5)]}


def _make(ndim, D=4, stride=1, embed_dims=16, num_heads=2, **kwargs):
    kernel = (3, ) * ndim
    s = (stride, ) * ndim if ndim == 2 else (1, stride, stride)
    torch.manual_seed(0)
    m = StructSA(embed_dims, num_heads, structure_dim=D, kernel_size=kernel,
                 stride=s, **kwargs).double()
    # Random (not default-initialised) structure kernels, so that a wrong
    # channel/detector layout cannot cancel out.
    for p in m.parameters():
        torch.nn.init.normal_(p, std=0.5)
    return m


def _run(m, x, grid, impl, prefix=0):
    m.impl = impl
    m.zero_grad()
    x = x.clone().requires_grad_(True)
    y = m(x, grid, prefix)
    # a random linear functional makes every output entry matter
    g = torch.randn(y.shape, generator=torch.Generator().manual_seed(1),
                    dtype=y.dtype)
    (y * g).sum().backward()
    grads = {n: p.grad.clone() for n, p in m.named_parameters()}
    return y.detach(), x.grad, grads


def _assert_fast_equals_literal(m, grid, batch=2, prefix=0):
    x = torch.randn(batch, torch.Size(grid).numel() + prefix, m.embed_dims,
                    dtype=torch.double)
    y_f, gx_f, gp_f = _run(m, x, grid, 'fast', prefix)
    y_l, gx_l, gp_l = _run(m, x, grid, 'literal', prefix)
    torch.testing.assert_close(y_f, y_l, rtol=0, atol=1e-10)
    torch.testing.assert_close(gx_f, gx_l, rtol=0, atol=1e-10)
    assert gp_f.keys() == gp_l.keys()
    for name in gp_f:
        torch.testing.assert_close(gp_f[name], gp_l[name], rtol=0, atol=1e-10,
                                   msg=f'gradient of {name}')


NORMS = ['joint', 'per_detector']


@pytest.mark.parametrize('score_norm', NORMS)
@pytest.mark.parametrize(
    'ndim,grid_idx,stride,D',
    list(itertools.product([2, 3], [0, 1], [1, 2], [1, 4, 8])))
def test_fast_equals_literal(ndim, grid_idx, stride, D, score_norm):
    _assert_fast_equals_literal(_make(ndim, D, stride, score_norm=score_norm),
                                GRIDS[ndim][grid_idx])


VARIANTS = {
    'shared_correlation': dict(channelwise_correlation=False),
    'shared_both': dict(channelwise_correlation=False,
                        channelwise_aggregation=False),
    'shared_aggregation': dict(channelwise_aggregation=False),
    'element': dict(aggregation='element'),
    'element_shared': dict(aggregation='element',
                           channelwise_aggregation=False),
    'value_kernel_5': dict(value_kernel_size=None),  # set per rank below
    'value_kernel_1': dict(value_kernel_size=None),
    'qk_scale_no_bias': dict(qk_scale=0.3, qkv_bias=False),
    'vanilla': dict(),
}


@pytest.mark.parametrize('variant,ndim,stride', [
    (variant, ndim, stride) for variant in VARIANTS
    for ndim, stride in ((2, 1), (2, 2), (3, 2), (3, 1))
    if variant != 'vanilla' or stride == 1  # vanilla attention has no stride
])
@pytest.mark.parametrize('score_norm', NORMS)
def test_variants_fast_equals_literal(variant, ndim, stride, score_norm):
    kwargs = dict(VARIANTS[variant], score_norm=score_norm)
    D = 4
    if variant.startswith('value_kernel'):
        kwargs['value_kernel_size'] = (int(variant[-1]), ) * ndim
    if variant == 'vanilla':
        D = 0
    m = _make(ndim, D, stride, **kwargs)
    if variant.startswith('shared'):
        conv = m.key_conv if 'correlation' in variant or 'both' in variant \
            else m.value_conv
        assert conv.weight.shape == (D, 1, *m.kernel_size)
    _assert_fast_equals_literal(m, GRIDS[ndim][0])


@pytest.mark.parametrize('ndim,stride,D,prefix', [
    (2, 1, 4, 1), (2, 2, 4, 1), (3, 1, 1, 1), (3, 2, 8, 2), (2, 1, 0, 1),
    (3, 1, 4, 0)])
@pytest.mark.parametrize('score_norm', NORMS)
def test_prefix_tokens_fast_equals_literal(ndim, stride, D, prefix,
                                           score_norm):
    """A cls token outside the grid (the analysis model, paper section 4.2)."""
    _assert_fast_equals_literal(
        _make(ndim, D, stride, score_norm=score_norm), GRIDS[ndim][0],
        prefix=prefix)


@pytest.mark.parametrize('impl', ['fast', 'literal'])
def test_prefix_token_is_one_unconvolved_key(impl):
    """With kernel 1 and unit detector weights, StructSA with a prefix token
    is plain attention over prefix + grid tokens, the prefix counted once."""
    torch.manual_seed(0)
    m = StructSA(16, 2, structure_dim=1, kernel_size=(1, 1),
                 impl=impl).double()
    torch.nn.init.ones_(m.key_conv.weight)
    torch.nn.init.ones_(m.value_conv.weight)
    ref = StructSA(16, 2, structure_dim=0).double()
    ref.load_state_dict(m.state_dict(), strict=False)
    x = torch.randn(2, 21, 16, dtype=torch.double)
    torch.testing.assert_close(m(x, (4, 5), 1), ref(x, (4, 5), 1), rtol=0,
                               atol=1e-10)
    # and the prefix really is attended: changing it changes every output
    x2 = x.clone()
    x2[:, 0] += 1.
    assert (m(x2, (4, 5), 1) - m(x, (4, 5), 1))[:, 1:].abs().min() > 0


def test_vanilla_stride_is_an_error():
    with pytest.raises(ValueError, match='stride'):
        StructSA(16, 2, structure_dim=0, stride=(2, 2))


def test_parameter_layout():
    m = StructSA(32, 4, structure_dim=4, kernel_size=(3, 3, 3),
                 stride=(1, 2, 2), value_kernel_size=(1, 3, 3))
    shapes = {n: tuple(p.shape) for n, p in m.named_parameters()}
    assert shapes == {
        'qkv.weight': (96, 32), 'qkv.bias': (96, ),
        'key_conv.weight': (128, 1, 3, 3, 3),
        'value_conv.weight': (128, 1, 1, 3, 3),
        'proj.weight': (32, 32), 'proj.bias': (32, ),
    }
    assert m.key_conv.stride == (1, 2, 2) and m.key_conv.groups == 32
    vanilla = StructSA(32, 4, structure_dim=0)
    assert {n for n, _ in vanilla.named_parameters()} == {
        'qkv.weight', 'qkv.bias', 'proj.weight', 'proj.bias'}


def _conv_sa(m, x, grid):
    """ConvSA written from scratch: depthwise-conv keys and values, softmax."""
    B, N, C = x.shape
    h, c = m.num_heads, C // m.num_heads
    conv = F.conv2d if len(grid) == 2 else F.conv3d
    q, k, v = m.qkv(x).chunk(3, dim=-1)

    def dw(t, weight):
        t = t.transpose(1, 2).reshape(B, C, *grid)
        t = conv(t, weight, stride=m.stride, padding=1, groups=C)
        return t.flatten(2).transpose(1, 2)  # (B, N', C)

    k, v = dw(k, m.key_conv.weight), dw(v, m.value_conv.weight)
    out = []
    for head in range(h):
        sl = slice(head * c, (head + 1) * c)
        attn = torch.softmax(q[..., sl] @ k[..., sl].transpose(1, 2) * c**-0.5,
                             dim=-1)
        out.append(attn @ v[..., sl])
    return m.proj(torch.cat(out, dim=-1))


@pytest.mark.parametrize('ndim,stride', [(2, 1), (2, 2), (3, 1), (3, 2)])
@pytest.mark.parametrize('impl', ['fast', 'literal'])
def test_structure_dim_1_is_convsa(ndim, stride, impl):
    m = _make(ndim, D=1, stride=stride, impl=impl)
    grid = GRIDS[ndim][0]
    x = torch.randn(2, torch.Size(grid).numel(), 16, dtype=torch.double)
    torch.testing.assert_close(m(x, grid), _conv_sa(m, x, grid), rtol=0,
                               atol=1e-10)


@pytest.mark.parametrize('impl', ['fast', 'literal'])
def test_kernel_1_structure_dim_1_is_plain_attention(impl):
    torch.manual_seed(0)
    m = StructSA(16, 2, structure_dim=1, kernel_size=(1, 1),
                 impl=impl).double()
    ref = StructSA(16, 2, structure_dim=0).double()
    ref.load_state_dict(m.state_dict(), strict=False)
    torch.nn.init.ones_(m.key_conv.weight)
    torch.nn.init.ones_(m.value_conv.weight)
    x = torch.randn(2, 20, 16, dtype=torch.double)
    expected = F.scaled_dot_product_attention(
        *ref.qkv(x).reshape(2, 20, 3, 2, 8).permute(2, 0, 3, 1, 4))
    expected = ref.proj(expected.transpose(1, 2).reshape(2, 20, 16))
    torch.testing.assert_close(m(x, (4, 5)), expected, rtol=0, atol=1e-10)
    torch.testing.assert_close(ref(x, (4, 5)), expected, rtol=0, atol=1e-10)


def test_joint_softmax_over_detectors():
    """Scores of all D detectors compete in one softmax (not D softmaxes):
    with identical detectors the result equals ConvSA with that detector."""
    m4 = _make(2, D=4)
    m1 = _make(2, D=1)
    with torch.no_grad():
        for conv4, conv1 in ((m4.key_conv, m1.key_conv),
                             (m4.value_conv, m1.value_conv)):
            conv4.weight.copy_(conv1.weight.repeat_interleave(4, dim=0))
        m4.qkv.load_state_dict(m1.qkv.state_dict())
        m4.proj.load_state_dict(m1.proj.state_dict())
    x = torch.randn(1, 35, 16, dtype=torch.double)
    for impl in ('fast', 'literal'):
        m4.impl = impl
        # D identical copies: softmax over D*N' entries splits mass D ways,
        # and the D identical contexts add it back.
        torch.testing.assert_close(m4(x, (5, 7)), m1(x, (5, 7)), rtol=0,
                                   atol=1e-10)


@pytest.mark.parametrize('ndim', [2, 3])
def test_bf16_autocast_cpu(ndim):
    torch.manual_seed(0)
    kernel = (3, ) * ndim
    stride = (2, 2) if ndim == 2 else (1, 2, 2)
    m = StructSA(64, 2, structure_dim=4, kernel_size=kernel, stride=stride)
    grid = (7, 7) if ndim == 2 else (3, 7, 7)
    x = torch.randn(2, torch.Size(grid).numel(), 64, requires_grad=True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y = m(x, grid)
    assert y.dtype == torch.bfloat16
    y.float().sum().backward()
    assert torch.isfinite(x.grad).all()
    assert torch.isfinite(m.key_conv.weight.grad).all()
    ref = m(x, grid)
    assert (y.float() - ref).abs().max() < 0.05 * ref.abs().max()


def test_attn_dropout_only_in_training():
    m = _make(2, D=4, attn_drop=0.5)
    x = torch.randn(1, 35, 16, dtype=torch.double)
    m.eval()
    torch.testing.assert_close(m(x, (5, 7)), m(x, (5, 7)))
    m.train()
    assert not torch.allclose(m(x, (5, 7)), m(x, (5, 7)))


@pytest.mark.parametrize('kwargs,grid,tokens,match', [
    (dict(), (5, 7), 34, 'N = 34'),
    (dict(), (5, 7), 35 + 2, 'plus 0 prefix'),
    (dict(), (5, 7, 1), 35, 'rank'),
    (dict(kernel_size=(3, 3, 3), stride=(1, 1, 1)), (5, 7), 35, 'rank'),
])
def test_bad_forward_input(kwargs, grid, tokens, match):
    m = StructSA(16, 2, **kwargs)
    with pytest.raises(ValueError, match=match):
        m(torch.randn(1, tokens, 16), grid)


def test_bad_channels_input():
    with pytest.raises(ValueError, match=r'\(B, N, 16\)'):
        StructSA(16, 2)(torch.randn(1, 35, 8), (5, 7))


@pytest.mark.parametrize('kwargs,match', [
    (dict(embed_dims=30, num_heads=4), 'multiple of num_heads'),
    (dict(kernel_size=(2, 3)), 'odd'),
    (dict(value_kernel_size=(3, 4)), 'odd'),
    (dict(kernel_size=(3, 3, 3, 3)), '2 \\(image\\) or 3'),
    (dict(kernel_size=3), 'tuple'),
    (dict(stride=(1, 1, 1)), 'rank'),
    (dict(stride=(0, 1)), 'positive'),
    (dict(structure_dim=-1), 'structure_dim'),
    (dict(aggregation='pool'), 'aggregation'),
    (dict(aggregation='element', value_kernel_size=(3, 3)), 'size 1'),
])
def test_bad_constructor_arguments(kwargs, match):
    args = dict(embed_dims=16, num_heads=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        StructSA(**args)


def test_unknown_impl():
    m = StructSA(16, 2, impl='flash')
    with pytest.raises(ValueError, match='impl'):
        m(torch.randn(1, 35, 16), (5, 7))


def test_registered_in_both_registries():
    from mmaction.registry import MODELS as MMACTION_MODELS
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    for registry in (MMACTION_MODELS, MMPRETRAIN_MODELS):
        m = registry.build(dict(type='StructSA', embed_dims=16, num_heads=2))
        assert isinstance(m, StructSA)

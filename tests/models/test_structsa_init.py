"""StructSA's 'attention' init: when it is plain attention, and that the
detectors can still learn apart."""
import pytest
import torch

from structvit_mm.analysis.structsa_init import (EXACTNESS_CASES,
                                                 attention_deviation,
                                                 exactness_table,
                                                 signal_table)
from structvit_mm.models.structsa import StructSA, attention_init_exactness


def _ids(case):
    return '-'.join(f'{k}={v}' for k, v in case.items())


@pytest.mark.parametrize('case', EXACTNESS_CASES, ids=_ids)
@pytest.mark.parametrize('impl', ['fast', 'literal'])
def test_exactness_is_what_the_table_says(case, impl):
    """Every row of the docs' exactness table, both paths, float64: exact
    rows are plain attention to rounding, the others measurably not."""
    ndim = len(case['grid'])
    vkernel = (1, ) * ndim if case.get('aggregation') == 'element' else None
    exact, why = attention_init_exactness(
        case['structure_dim'], case['stride'],
        case.get('kernel_size') or (3, ) * ndim, vkernel,
        case.get('score_norm', 'joint'), case['grid'],
        case.get('num_prefix_tokens', 0))
    dev = attention_deviation(impl=impl, **case)
    if exact:
        assert dev < 1e-12, (why, dev)
    else:
        assert dev > 1e-3, (why, dev)


def test_exactness_table_rows():
    rows = exactness_table(EXACTNESS_CASES[:2])
    assert [r['exact'] for r in rows] == [True, False]
    assert rows[0]['fast'] < 1e-12 < rows[1]['literal']


@pytest.mark.parametrize('score_norm', ['joint', 'per_detector'])
@pytest.mark.parametrize('D,stride,prefix', [(4, (2, 2), 0), (4, (1, 1), 1),
                                             (8, (1, 1), 0), (2, (2, 2), 1)])
def test_fast_equals_literal_at_attention_init(D, stride, prefix, score_norm):
    torch.manual_seed(0)
    m = StructSA(16, 2, structure_dim=D, kernel_size=(3, 3), stride=stride,
                 score_norm=score_norm, structure_init='attention').double()
    m.reset_structure()
    x = torch.randn(2, prefix + 36, 16, dtype=torch.double,
                    requires_grad=True)
    outs = []
    for impl in ('fast', 'literal'):
        m.impl = impl
        m.zero_grad()
        x.grad = None
        y = m(x, (6, 6), prefix)
        (y * torch.linspace(-1, 1, y.numel()).view_as(y)).sum().backward()
        outs.append((y.detach(), x.grad.clone(),
                     {n: p.grad.clone() for n, p in m.named_parameters()}))
    (y_f, gx_f, gp_f), (y_l, gx_l, gp_l) = outs
    torch.testing.assert_close(y_f, y_l, rtol=0, atol=1e-10)
    torch.testing.assert_close(gx_f, gx_l, rtol=0, atol=1e-10)
    for name in gp_f:
        torch.testing.assert_close(gp_f[name], gp_l[name], rtol=0, atol=1e-10,
                                   msg=name)


def _detector_grads(std):
    torch.manual_seed(0)
    m = StructSA(8, 1, structure_dim=4, kernel_size=(3, 3), stride=(1, 1),
                 structure_init='attention',
                 structure_init_std=std).double()
    m.reset_structure()
    x = torch.randn(2, 25, 8, dtype=torch.double)
    m(x, (5, 5)).pow(2).sum().backward()
    # (C * D, 1, 3, 3) -> (C, D, 9): the gradient of each detector
    return m.key_conv.weight.grad.view(8, 4, 9)


def test_perturbation_lets_copies_learn_apart():
    """At stride 1 the D detectors are identical diracs. Without the
    amplitude perturbation every copy gets the same gradient (they would
    never differ); with it the gradients differ, and the layer is still
    plain attention (the exactness test above)."""
    g0 = _detector_grads(0.)
    torch.testing.assert_close(g0, g0[:, :1].expand_as(g0), rtol=0,
                               atol=1e-12)
    g = _detector_grads(0.1)
    spread = (g - g.mean(1, keepdim=True)).abs().max()
    assert spread > 1e-4 * g.abs().max()


def test_polyphase_diracs_layout():
    m = StructSA(2, 1, structure_dim=4, kernel_size=(3, 3), stride=(2, 2),
                 structure_init='attention')
    w = m.key_conv.weight.view(2, 4, 3, 3)
    for d, (i, j) in enumerate([(1, 1), (1, 2), (2, 1), (2, 2)]):
        expected = torch.zeros(3, 3)
        expected[i, j] = 1
        for c in range(2):
            torch.testing.assert_close(w[c, d], expected)
    # one copy per offset: nothing to perturb, aggregators equal detectors
    torch.testing.assert_close(m.value_conv.weight, m.key_conv.weight)


def test_default_init_is_untouched_and_draws_nothing():
    torch.manual_seed(3)
    a = StructSA(16, 2, structure_dim=4, kernel_size=(3, 3))
    state = torch.get_rng_state()
    a.reset_structure()
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(3)
    b = StructSA(16, 2, structure_dim=4, kernel_size=(3, 3),
                 structure_init='default')
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(p, q), n


def test_init_survives_model_init_weights():
    """mmengine's init_weights (TruncNormal on Linear layers) runs before
    the op's own, so a built backbone starts from the attention init."""
    from structvit_mm.models.structvit import StructViT
    torch.manual_seed(0)
    m = StructViT(arch=dict(depths=[1, 1, 1, 1], channels=[8, 8, 16, 16],
                            heads=[1, 1, 1, 1]),
                  structure_dim=4, kv_stride=2, structure_init='attention')
    m.init_weights()
    attn = m.blocks3[0].attn
    assert attn.structure_init == 'attention'
    w = attn.key_conv.weight.view(16, 4, 3, 3)
    assert torch.count_nonzero(w) == 16 * 4
    assert w[:, 3, 2, 2].eq(1).all()


def test_signal_table_attention_init_is_plain_attention():
    rows = {(r['D'], r['init']): r
            for r in signal_table(dims=(0, 4), grid=(2, 4, 4), seeds=(0, ))}
    plain = rows[(0, 'default')]
    assert rows[(4, 'attention')]['output_std'] == pytest.approx(
        plain['output_std'], rel=1e-5)
    # the default init passes much less signal: what the docs table shows
    assert rows[(4, 'default')]['output_std'] < 0.5 * plain['output_std']


@pytest.mark.parametrize('kwargs,match', [
    (dict(score_norm='softmax'), 'score_norm'),
    (dict(structure_init='dirac'), 'structure_init'),
    (dict(structure_init_std=-1.), 'structure_init_std'),
])
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        StructSA(16, 2, **kwargs)


def test_backbone_rejects_options_given_twice():
    from structvit_mm.models.structvit import StructViT
    with pytest.raises(ValueError, match='once'):
        StructViT(structure_init='attention',
                  structsa_cfg=dict(structure_init='default'))

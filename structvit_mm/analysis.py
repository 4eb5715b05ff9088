"""FLOP counting that sees attention.

``mmengine.analysis`` (like fvcore) counts multiply-accumulates and calls
them FLOPs, the unit of the paper's tables, but it has no handle for
``aten::scaled_dot_product_attention``: every fused attention call counts
zero (with an "Unsupported operator" warning), which under-counts any model
that uses ``F.scaled_dot_product_attention``, StructSA's fast path included.
:func:`sdpa_flop_jit` is that handle and :func:`flop_analyzer` /
:func:`complexity_info` install it; tests and ``tools/analysis/get_flops.py``
share them.
"""
from typing import Any, Dict, List, Tuple, Union

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.analysis.jit_handles import get_shape

SDPA_OP = 'aten::scaled_dot_product_attention'


def sdpa_flop(q_shape: List[int], k_shape: List[int],
              v_shape: List[int]) -> int:
    """MACs of softmax attention: ``q @ k^T`` plus ``attn @ v``.

    ``q: (..., Nq, c)``, ``k: (..., Nk, c)``, ``v: (..., Nk, cv)``; the
    leading (batch, head) dims broadcast. Returns
    ``prod(batch) * Nq * Nk * (c + cv)``, i.e. ``2 * B * h * Nq * Nk * c``
    when ``cv == c``. Softmax, scaling and masking are not counted (as
    fvcore / mmengine do not count elementwise ops).
    """
    *qb, nq, c = q_shape
    *kb, nk, ck = k_shape
    *vb, nv, cv = v_shape
    if ck != c or nv != nk:
        raise ValueError(f'inconsistent attention shapes q={q_shape}, '
                         f'k={k_shape}, v={v_shape}')
    batch = torch.broadcast_shapes(tuple(qb), tuple(kb), tuple(vb))
    n = 1
    for b in batch:
        n *= int(b)
    return n * nq * nk * (c + cv)


def sdpa_flop_jit(inputs: List[Any], outputs: List[Any]) -> int:
    """mmengine/fvcore jit handle for ``aten::scaled_dot_product_attention``.

    Signature ``(q, k, v, attn_mask, dropout_p, is_causal, scale, ...)``;
    only the shapes of ``q``, ``k``, ``v`` matter. A causal mask is
    counted as full attention (the usual convention).
    """
    q, k, v = (get_shape(x) for x in inputs[:3])
    if q is None or k is None or v is None:
        raise ValueError('scaled_dot_product_attention traced without '
                         'complete tensor shapes')
    return sdpa_flop(q, k, v)


#: Extra handles to install on a ``FlopAnalyzer``.
FLOP_HANDLES = {SDPA_OP: sdpa_flop_jit}


def add_flop_handles(analyzer: FlopAnalyzer) -> FlopAnalyzer:
    """Install :data:`FLOP_HANDLES` on an existing analyzer (in place)."""
    analyzer.set_op_handle(**FLOP_HANDLES)
    return analyzer


def flop_analyzer(model: nn.Module,
                  inputs: Union[torch.Tensor, Tuple[Any, ...]]) -> FlopAnalyzer:
    """A ``mmengine.analysis.FlopAnalyzer`` that also counts SDPA."""
    return add_flop_handles(FlopAnalyzer(model, inputs))


def complexity_info(model: nn.Module,
                    inputs: Union[torch.Tensor, Tuple[Any, ...]],
                    warn_unsupported: bool = False) -> Dict[str, Any]:
    """FLOPs (MACs, SDPA included) and parameters of ``model(*inputs)``.

    Returns ``dict(flops=int, params=int, analyzer=FlopAnalyzer,
    unsupported=Counter)``. The model is traced once under ``no_grad``.
    """
    analyzer = flop_analyzer(model, inputs)
    analyzer.unsupported_ops_warnings(warn_unsupported)
    analyzer.uncalled_modules_warnings(False)
    analyzer.tracer_warnings('none')
    with torch.no_grad():
        flops = analyzer.total()
    return dict(
        flops=flops,
        params=parameter_count(model)[''],
        analyzer=analyzer,
        unsupported=analyzer.unsupported_ops())


class ClassifierForward(nn.Module):
    """Input tensor -> backbone -> neck -> head logits, for tracing.

    Holds the classifier's own ``backbone`` / ``neck`` / ``head`` modules
    under the same names, so per-module counts read ``backbone`` etc.
    (The class of ``tools/analysis/get_flops.py``, here so that
    ``tools/misc/gen_model_index.py`` and the tests import it; the tool's
    copy goes when the tools are pointed at the package.)
    """

    def __init__(self, model: nn.Module, backbone_only: bool = False):
        super().__init__()
        self.backbone = model.backbone
        self.neck = getattr(model, 'neck', None) if not backbone_only \
            else None
        head = None
        if not backbone_only:
            head = getattr(model, 'cls_head', None) or getattr(
                model, 'head', None)
        self.head = head

    def forward(self, x):
        x = self.backbone(x)
        if self.neck is not None:
            x = self.neck(x)
            if isinstance(x, tuple) and len(x) == 2 and isinstance(
                    x[1], dict):  # mmaction2 necks return (x, loss_aux)
                x = x[0]
        if self.head is not None:
            x = self.head(x)
        return x

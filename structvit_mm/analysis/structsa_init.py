"""How StructSA starts: signal per ``D`` and exactness of the attention init.

Two measurements behind ``docs/en/advanced_guides/warm_start.md`` and
``tools/analysis/structsa_init.py``:

* :func:`signal_table`: one StructSA layer on random tokens, the std of its
  pre-softmax scores and of its attention output (before ``proj``) for each
  ``D``, at PyTorch's default init and at the ``'attention'`` init.
* :func:`exactness_table`: for a list of ``(D, S, grid, ...)`` cases, how far
  a layer under the ``'attention'`` init is from plain attention with the
  same ``qkv`` / ``proj`` (float64), beside what
  :func:`~structvit_mm.models.structsa.attention_init_exactness` predicts.
"""
import math
from typing import Dict, List, Optional, Sequence

import torch

from ..models.structsa import StructSA, attention_init_exactness


def _tokens(grid: Sequence[int], prefix: int, C: int, dtype,
            seed: int = 0, batch: int = 2) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(batch, prefix + math.prod(grid), C, generator=g,
                       dtype=dtype)


def attention_deviation(structure_dim: int,
                        stride: Sequence[int],
                        grid: Sequence[int],
                        kernel_size: Optional[Sequence[int]] = None,
                        num_prefix_tokens: int = 0,
                        impl: str = 'fast',
                        embed_dims: int = 16,
                        num_heads: int = 2,
                        seed: int = 0,
                        **op_kwargs) -> float:
    """Max abs difference between StructSA at the ``'attention'`` init and
    plain attention (``D = 0``) sharing its ``qkv`` / ``proj``, float64.

    ``qkv`` is drawn with std 0.5 so the attention is far from uniform (a
    dropped or doubled key then shows). Extra ``op_kwargs`` go to
    :class:`StructSA` (``score_norm``, ``aggregation``, ...).
    """
    ndim = len(grid)
    kernel_size = tuple(kernel_size or (3, ) * ndim)
    torch.manual_seed(seed)
    op = StructSA(embed_dims, num_heads, structure_dim=structure_dim,
                  kernel_size=kernel_size, stride=tuple(stride),
                  structure_init='attention', impl=impl,
                  **op_kwargs).double()
    plain = StructSA(embed_dims, num_heads, structure_dim=0,
                     kernel_size=kernel_size, stride=(1, ) * ndim).double()
    op.reset_structure()  # again in float64, so the amplitudes sum exactly
    with torch.no_grad():
        torch.nn.init.normal_(op.qkv.weight, std=0.5)
    plain.qkv.load_state_dict(op.qkv.state_dict())
    plain.proj.load_state_dict(op.proj.state_dict())
    x = _tokens(grid, num_prefix_tokens, embed_dims, torch.double, seed)
    with torch.no_grad():
        y = op(x, grid, num_prefix_tokens)
        y0 = plain(x, grid, num_prefix_tokens)
    return (y - y0).abs().max().item()


#: The cases of the docs' exactness table: the paper's (D, S) pairs at
#: grids that divide by S and at stage 4's 7x7 (224 px), and the cases that
#: cannot be exact, one per reason.
EXACTNESS_CASES: List[dict] = [
    dict(structure_dim=4, stride=(2, 2), grid=(14, 14)),
    dict(structure_dim=4, stride=(2, 2), grid=(7, 7)),
    dict(structure_dim=4, stride=(1, 2, 2), grid=(4, 8, 8)),
    dict(structure_dim=4, stride=(1, 2, 2), grid=(8, 7, 7)),
    dict(structure_dim=8, stride=(1, 2, 2), grid=(2, 4, 4)),
    dict(structure_dim=1, stride=(1, 1), grid=(7, 7)),
    dict(structure_dim=4, stride=(1, 1, 1), grid=(4, 7, 7)),
    dict(structure_dim=8, stride=(1, 1, 1), grid=(4, 7, 7)),
    dict(structure_dim=4, stride=(1, 1), grid=(14, 14), num_prefix_tokens=1),
    dict(structure_dim=4, stride=(2, 1, 1), grid=(8, 7, 7)),
    dict(structure_dim=4, stride=(2, 1, 1), grid=(8, 7, 7),
         num_prefix_tokens=1),
    dict(structure_dim=4, stride=(1, 1), grid=(14, 14),
         score_norm='per_detector'),
    dict(structure_dim=4, stride=(1, 1), grid=(14, 14),
         score_norm='per_detector', num_prefix_tokens=1),
    dict(structure_dim=4, stride=(2, 2), grid=(14, 14),
         score_norm='per_detector'),
    dict(structure_dim=4, stride=(1, 1), grid=(14, 14),
         aggregation='element'),
    dict(structure_dim=4, stride=(2, 2), grid=(14, 14),
         aggregation='element'),
    dict(structure_dim=2, stride=(2, 2), grid=(14, 14)),
    dict(structure_dim=1, stride=(2, 2), grid=(14, 14)),
    dict(structure_dim=4, stride=(2, 2), grid=(14, 14), kernel_size=(1, 1)),
]


def exactness_table(cases: Sequence[dict] = EXACTNESS_CASES) -> List[Dict]:
    """One row per case: its settings, the predicted exactness and reason,
    and the measured deviation on both paths."""
    rows = []
    for case in cases:
        case = dict(case)
        ndim = len(case['grid'])
        kernel = case.get('kernel_size') or (3, ) * ndim
        vkernel = (1, ) * ndim if case.get('aggregation') == 'element' \
            else None
        exact, why = attention_init_exactness(
            case['structure_dim'], case['stride'], kernel, vkernel,
            case.get('score_norm', 'joint'), case['grid'],
            case.get('num_prefix_tokens', 0))
        dev = {impl: attention_deviation(impl=impl, **case)
               for impl in ('fast', 'literal')}
        rows.append(dict(case, exact=exact, why=why, fast=dev['fast'],
                         literal=dev['literal']))
    return rows


def signal_table(dims: Sequence[int] = (0, 1, 2, 4, 8),
                 embed_dims: int = 64,
                 num_heads: int = 2,
                 grid: Sequence[int] = (4, 8, 8),
                 kernel_size: Sequence[int] = (3, 3, 3),
                 seeds: Sequence[int] = (0, 1, 2)) -> List[Dict]:
    """Score std and attention-output std (before ``proj``) of one layer on
    unit-normal tokens, stride 1, per ``D`` and init, means over seeds."""
    rows = []
    for D in dims:
        for init in ('default', 'attention'):
            if D == 0 and init == 'attention':
                continue  # nothing to initialise
            score_std, out_std = [], []
            for seed in seeds:
                torch.manual_seed(seed)
                op = StructSA(embed_dims, num_heads, structure_dim=D,
                              kernel_size=kernel_size,
                              stride=(1, ) * len(grid), structure_init=init,
                              impl='literal')
                x = _tokens(grid, 0, embed_dims, torch.float32, seed, 1)
                with torch.no_grad():
                    q, k, v = op.qkv(x).reshape(
                        1, -1, 3, num_heads,
                        op.head_dims).permute(2, 0, 3, 1, 4)
                    if D == 0:
                        s = (q @ k.transpose(-2, -1)) * op.scale
                    else:
                        s = op._literal_scores(q, k, tuple(grid))
                    y = op._literal(q, k, v, tuple(grid))
                score_std.append(s.std().item())
                out_std.append(y.std().item())
            rows.append(dict(D=D, init=init,
                             keys=max(D, 1) * math.prod(grid),
                             score_std=sum(score_std) / len(seeds),
                             output_std=sum(out_std) / len(seeds)))
    return rows

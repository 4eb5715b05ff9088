"""Structural self-attention (StructSA), CVPR 2024, arXiv 2404.03924.

Two forms of the same operator live here, side by side:

* ``literal``: the paper's definition. For every query the correlation
  volume with all keys is built on the key grid, convolved by the ``D``
  pattern detectors, normalised by one softmax over all (key, detector)
  pairs, and the scores weight value contexts that are unfolded around each
  key and pooled by the ``D`` context aggregators. ``O(N^2 C)`` memory.
* ``fast``: the equivalent form. Convolving the correlation map is
  convolving the keys (the map is linear in them), so ``K`` and ``V`` are
  depthwise-convolved with ``D`` filters per channel, the ``D`` copies are
  stacked on the token axis, and one ``scaled_dot_product_attention`` call
  does the rest (flash / memory-efficient kernels on GPU). The joint
  softmax over ``(j, d)`` is the softmax over the stacked sequence.

The paper prints the kernel as ``kappa_ij = sigma_j(q_i K_j^T U^K^T) U^V``
(section 3.2), which admits two readings of the softmax, both offered
(``score_norm``): ``'joint'``, one softmax over all (key, detector) pairs
(the default of every config), and ``'per_detector'``, one softmax over
the keys of each detector, the ``D`` results summed. Prefix (cls) tokens
lie outside the grid: as keys / values they enter every detector's map
unconvolved, so each detector sees all keys.

The paper does not say how the detectors and aggregators are initialised.
``structure_init='default'`` keeps PyTorch's init of the grouped
convolutions; ``'attention'`` sets them so that the layer starts as plain
softmax attention over all keys (:func:`attention_init_exactness` says
when that is exact; ``docs/en/advanced_guides/warm_start.md`` explains the construction).

The tests hold the two forms equal in float64 (outputs and gradients),
for both readings and both inits. The parameter layout is a contract that
checkpoints rely on: ``qkv``, ``key_conv``, ``value_conv``, ``proj``;
output channel ``c * D + d`` of the grouped convolutions is channel ``c``,
detector ``d``.
"""
import itertools
import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..registry import register_model
from .layers import CONV

_CONV_FN = {2: F.conv2d, 3: F.conv3d}
_IMPLS = ('fast', 'literal')
INITS = ('default', 'attention')
SCORE_NORMS = ('joint', 'per_detector')


def _as_tuple(value, name: str) -> Tuple[int, ...]:
    if isinstance(value, int) or not isinstance(value, Sequence):
        raise ValueError(
            f'{name} must be a 2-tuple (image) or a 3-tuple (video), '
            f'got {value!r}')
    value = tuple(int(v) for v in value)
    if len(value) not in (2, 3):
        raise ValueError(
            f'{name} must have 2 (image) or 3 (video) entries, got {value!r}')
    return value


def _to_grid(x: torch.Tensor, grid: Tuple[int, ...]) -> torch.Tensor:
    """(B, N, C) -> (B, C, *grid)."""
    return x.transpose(1, 2).reshape(x.shape[0], x.shape[2], *grid)


def _unfold(x: torch.Tensor, kernel: Tuple[int, ...],
            stride: Tuple[int, ...]) -> torch.Tensor:
    """Zero-padded sliding windows over the trailing grid dims.

    (B, C, *grid) -> (B, C, N', M): window ``m`` of output position ``j``
    holds ``x[j * S + m]`` for offsets ``m`` in ``[-k//2, k//2]``.
    """
    n = len(kernel)
    pad = []
    for k in reversed(kernel):
        pad += [k // 2, k // 2]
    x = F.pad(x, pad)
    for i, (k, s) in enumerate(zip(kernel, stride)):
        x = x.unfold(2 + i, k, s)
    # (B, C, *out_grid, *kernel) -> (B, C, N', M)
    return x.flatten(2 + n).flatten(2, 1 + n)


def detector_offsets(structure_dim: int,
                     stride: Sequence[int]) -> List[Tuple[int, ...]]:
    """The key offset inside each stride cell that detector ``d`` reads
    under the ``'attention'`` init: the ``prod(stride)`` polyphase offsets
    in row-major order, cycled over the ``D`` detectors (``d % prod(S)``)."""
    phases = list(itertools.product(*(range(s) for s in stride)))
    return [phases[d % len(phases)] for d in range(structure_dim)]


def attention_init_exactness(structure_dim: int,
                             stride: Sequence[int],
                             kernel_size: Sequence[int],
                             value_kernel_size: Optional[Sequence[int]] = None,
                             score_norm: str = 'joint',
                             grid: Optional[Sequence[int]] = None,
                             num_prefix_tokens: int = 0) -> Tuple[bool, str]:
    """Does StructSA under the ``'attention'`` init compute plain softmax
    attention over all ``P + N`` tokens exactly? Returns ``(exact, why)``.

    The stacked keys are the grid keys, each exactly ``D / prod(S)`` times,
    when ``D`` is a multiple of ``prod(S)``, every polyphase offset fits in
    both kernels and the grid divides by ``S`` (otherwise the last cells
    read zero padding, which joins the softmax as a key of score 0). A
    prefix token sits once in each of the ``D`` maps, so its share matches
    the grid keys' only when ``prod(S) = 1``; likewise the per-detector
    softmax averages ``D`` attentions over different key subsets unless
    ``prod(S) = 1``. The tests check every branch numerically.
    """
    if structure_dim == 0:
        return True, 'plain attention (D = 0)'
    stride = tuple(stride)
    kernel_size = tuple(kernel_size)
    value_kernel_size = tuple(value_kernel_size or kernel_size)
    phases = math.prod(stride)
    if structure_dim % phases:
        return False, (f'D = {structure_dim} is not a multiple of '
                       f'prod(stride) = {phases}: the phases are not '
                       'covered equally often')
    for name, kernel in (('kernel_size', kernel_size),
                         ('value_kernel_size', value_kernel_size)):
        if any(s - 1 > k // 2 for s, k in zip(stride, kernel)):
            return False, (f'{name} {kernel} cannot reach every offset of '
                           f'a stride-{stride} cell')
    if grid is not None and any(g % s for g, s in zip(grid, stride)):
        return False, (f'grid {tuple(grid)} does not divide by stride '
                       f'{stride}: zero-padded keys join the softmax')
    if phases > 1 and score_norm == 'per_detector':
        return False, ('per-detector softmax over strided keys: a mean of '
                       'attentions over key subsets')
    if num_prefix_tokens and score_norm == 'per_detector' and \
            structure_dim > 1:
        return False, ('per-detector softmax: the D detector outputs are '
                       'summed, and with them the prefix values, D times')
    if phases > 1 and num_prefix_tokens:
        return False, ('prefix tokens sit in every detector map, so with '
                       f'a stride they weigh {phases}x a grid key')
    return True, 'every key enters the stacked sequence equally often'


@register_model
class StructSA(nn.Module):
    """Structural self-attention.

    Args:
        embed_dims (int): token channels ``C``.
        num_heads (int): attention heads; ``C`` must divide by it.
        structure_dim (int): ``D``, the number of pattern detectors and
            context aggregators. ``1`` is ConvSA; ``0`` is vanilla attention
            (no convolutions, full-resolution keys).
        kernel_size (tuple): detector kernel ``M``, 2 entries for images or
            3 for video; the length picks 2D or 3D.
        stride (tuple): key/value stride ``S``, same rank as the kernel.
        value_kernel_size (tuple, optional): aggregator kernel; defaults to
            ``kernel_size``.
        channelwise_correlation (bool): one detector kernel per channel
            (``True``, the paper's default) or one shared by all channels.
        channelwise_aggregation (bool): the same switch for the aggregators.
        aggregation (str): ``'context'`` (value windows) or ``'element'``
            (Eq. 4: each key's own value, i.e. a value kernel of size 1).
        qkv_bias (bool): bias of the ``qkv`` projection.
        qk_scale (float, optional): score scale; ``head_dim ** -0.5`` if None.
        attn_drop (float): dropout on the attention weights.
        proj_drop (float): dropout after ``proj``.
        impl (str): ``'fast'`` (default) or ``'literal'``; may be changed
            on the instance later.
        score_norm (str): ``'joint'`` (one softmax over all (key, detector)
            pairs, default) or ``'per_detector'`` (a softmax over keys per
            detector, the ``D`` results summed).
        structure_init (str): ``'default'`` (PyTorch's init of the grouped
            convolutions) or ``'attention'`` (the layer starts as plain
            attention; see :meth:`reset_structure`).
        structure_init_std (float): under ``'attention'``, the std of the
            zero-mean perturbation of the aggregator amplitudes that lets
            copies of the same detector learn apart.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 structure_dim: int = 4,
                 kernel_size: Sequence[int] = (3, 3),
                 stride: Sequence[int] = (1, 1),
                 value_kernel_size: Optional[Sequence[int]] = None,
                 channelwise_correlation: bool = True,
                 channelwise_aggregation: bool = True,
                 aggregation: str = 'context',
                 qkv_bias: bool = True,
                 qk_scale: Optional[float] = None,
                 attn_drop: float = 0.,
                 proj_drop: float = 0.,
                 impl: str = 'fast',
                 score_norm: str = 'joint',
                 structure_init: str = 'default',
                 structure_init_std: float = 0.1):
        super().__init__()
        if embed_dims <= 0 or num_heads <= 0 or embed_dims % num_heads:
            raise ValueError(
                f'embed_dims ({embed_dims}) must be a positive multiple of '
                f'num_heads ({num_heads})')
        if structure_dim < 0:
            raise ValueError(f'structure_dim must be >= 0, got {structure_dim}')
        if aggregation not in ('context', 'element'):
            raise ValueError(
                f"aggregation must be 'context' or 'element', got {aggregation!r}")
        if score_norm not in SCORE_NORMS:
            raise ValueError(f'score_norm must be one of {SCORE_NORMS}, got '
                             f'{score_norm!r}')
        if structure_init not in INITS:
            raise ValueError(f'structure_init must be one of {INITS}, got '
                             f'{structure_init!r}')
        if not structure_init_std >= 0:
            raise ValueError('structure_init_std must be >= 0, got '
                             f'{structure_init_std!r}')
        kernel_size = _as_tuple(kernel_size, 'kernel_size')
        stride = _as_tuple(stride, 'stride')
        ndim = len(kernel_size)
        if aggregation == 'element':
            if value_kernel_size is not None and any(
                    k != 1 for k in _as_tuple(value_kernel_size,
                                              'value_kernel_size')):
                raise ValueError(
                    "aggregation='element' uses a value kernel of size 1; "
                    f'got value_kernel_size={value_kernel_size!r}')
            value_kernel_size = (1, ) * ndim
        value_kernel_size = _as_tuple(
            kernel_size if value_kernel_size is None else value_kernel_size,
            'value_kernel_size')
        for name, value in (('stride', stride),
                            ('value_kernel_size', value_kernel_size)):
            if len(value) != ndim:
                raise ValueError(
                    f'{name} {value} must have the rank of kernel_size '
                    f'{kernel_size}')
        for name, kernel in (('kernel_size', kernel_size),
                             ('value_kernel_size', value_kernel_size)):
            if any(k < 1 or k % 2 == 0 for k in kernel):
                raise ValueError(
                    f'{name} must be odd and positive (the window is centred '
                    f'on the key), got {kernel}')
        if any(s < 1 for s in stride):
            raise ValueError(f'stride must be positive, got {stride}')
        if structure_dim == 0 and any(s != 1 for s in stride):
            raise ValueError(
                'structure_dim=0 is vanilla attention over all keys; it takes '
                f'no key/value stride, got stride={stride}')

        self.embed_dims = embed_dims
        self.num_heads = num_heads
        self.head_dims = embed_dims // num_heads
        self.structure_dim = structure_dim
        self.ndim = ndim
        self.kernel_size = kernel_size
        self.value_kernel_size = value_kernel_size
        self.stride = stride
        self.channelwise_correlation = channelwise_correlation
        self.channelwise_aggregation = channelwise_aggregation
        self.aggregation = aggregation
        self.scale = qk_scale or self.head_dims**-0.5
        self.impl = impl
        self.score_norm = score_norm
        self.structure_init = structure_init
        self.structure_init_std = structure_init_std

        self.qkv = nn.Linear(embed_dims, embed_dims * 3, bias=qkv_bias)
        if structure_dim > 0:
            self.key_conv = self._structure_conv(kernel_size,
                                                 channelwise_correlation)
            self.value_conv = self._structure_conv(value_kernel_size,
                                                   channelwise_aggregation)
        self.attn_drop = attn_drop
        self.attn_dropout = nn.Dropout(attn_drop)  # literal path only
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.proj_drop = nn.Dropout(proj_drop)
        self.reset_structure()

    def _structure_conv(self, kernel: Tuple[int, ...],
                        channelwise: bool) -> nn.Module:
        """Grouped conv holding ``D`` kernels per channel, or ``D`` shared."""
        C, D = self.embed_dims, self.structure_dim
        in_ch, out_ch, groups = (C, C * D, C) if channelwise else (1, D, 1)
        return CONV[self.ndim](
            in_ch,
            out_ch,
            kernel,
            stride=self.stride,
            padding=tuple(k // 2 for k in kernel),
            groups=groups,
            bias=False)

    @torch.no_grad()
    def reset_structure(self) -> None:
        """Apply ``structure_init`` to ``key_conv`` / ``value_conv``.

        ``'default'`` leaves PyTorch's init alone (and draws nothing from
        the random generator). ``'attention'``: detector ``d`` becomes a
        dirac at the polyphase offset :func:`detector_offsets` gives it, so
        with ``D = prod(S)`` the stacked keys are the ``N`` keys, each once;
        aggregator ``d`` the same dirac times an amplitude ``beta``. Copies
        of one offset (``D > prod(S)``, e.g. any ``D`` at stride 1) share
        each key's attention weight equally, so ``beta`` of mean 1 over the
        copies keeps the sum exact, and a zero-mean perturbation of std
        ``structure_init_std`` (drawn per channel from the global generator)
        makes the copies' gradients differ, so they can learn apart. Under
        the per-detector softmax every detector is a full attention and the
        amplitudes have mean ``1 / D`` instead. Called at construction and
        by :meth:`init_weights`.
        """
        if self.structure_dim == 0 or self.structure_init == 'default':
            return
        D = self.structure_dim
        offsets = detector_offsets(D, self.stride)
        groups = {}
        for d, o in enumerate(offsets):
            groups.setdefault(o, []).append(d)
        for conv, kernel in ((self.key_conv, self.kernel_size),
                             (self.value_conv, self.value_kernel_size)):
            w = conv.weight  # (C * D, 1, *k) channel-wise, (D, 1, *k) shared
            w.zero_()
            w = w.view(-1, D, *kernel)
            amp = torch.ones(w.shape[:2], dtype=w.dtype, device=w.device)
            if conv is self.value_conv:
                noise = torch.randn(amp.shape, dtype=amp.dtype).to(amp) * \
                    self.structure_init_std
                for ds in groups.values():  # zero mean over each offset's copies
                    noise[:, ds] -= noise[:, ds].mean(1, keepdim=True)
                amp += noise
                if self.score_norm == 'per_detector':
                    amp /= D
            for d, o in enumerate(offsets):
                # offsets a kernel cannot reach fall back to its edge
                tap = tuple(k // 2 + min(oi, k // 2) for k, oi in zip(kernel, o))
                w[(slice(None), d) + tap] = amp[:, d]

    def init_weights(self) -> None:
        """mmengine calls this after the model-level ``init_cfg`` (which
        sets only Linear / LayerNorm layers here), so the structure init is
        what the detectors start from."""
        self.reset_structure()

    def extra_repr(self) -> str:
        return (f'structure_dim={self.structure_dim}, '
                f'kernel_size={self.kernel_size}, '
                f'value_kernel_size={self.value_kernel_size}, '
                f'stride={self.stride}, impl={self.impl!r}, '
                f'score_norm={self.score_norm!r}, '
                f'structure_init={self.structure_init!r}')

    # ------------------------------------------------------------------ API
    def forward(self, x: torch.Tensor, grid: Sequence[int],
                num_prefix_tokens: int = 0) -> torch.Tensor:
        """x: (B, P + N, C) -> (B, P + N, C).

        The last ``N`` tokens lie on ``grid`` ((H, W) or (T, H, W)); the
        first ``P = num_prefix_tokens`` (e.g. a cls token) lie outside it.
        A prefix token's query attends like any other; as a key / value it
        enters each detector's map unconvolved, beside that detector's
        convolved grid keys (the paper's analysis model, section 4.2, has a
        cls token; where it goes is our choice, see ``docs/en/advanced_guides/warm_start.md``).
        With ``D = 0`` this is plain attention over all ``P + N`` tokens.
        """
        grid = self._check_input(x, grid, num_prefix_tokens)
        B, N, C = x.shape
        # (B, N, 3, heads, c_h) -> 3 x (B, heads, N, c_h)
        q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads,
                                      self.head_dims).permute(2, 0, 3, 1, 4)
        if self.impl == 'fast':
            y = self._fast(q, k, v, grid, num_prefix_tokens)
        elif self.impl == 'literal':
            y = self._literal(q, k, v, grid, num_prefix_tokens)
        else:
            raise ValueError(f'impl must be one of {_IMPLS}, got {self.impl!r}')
        y = y.transpose(1, 2).reshape(B, N, C)
        return self.proj_drop(self.proj(y))

    def _check_input(self, x: torch.Tensor, grid: Sequence[int],
                     num_prefix_tokens: int = 0) -> Tuple[int, ...]:
        if x.dim() != 3 or x.shape[-1] != self.embed_dims:
            raise ValueError(
                f'x must be (B, N, {self.embed_dims}), got {tuple(x.shape)}')
        grid = tuple(int(g) for g in grid)
        if len(grid) != self.ndim:
            raise ValueError(
                f'grid {grid} has rank {len(grid)}, but this StructSA is '
                f'{self.ndim}D (kernel_size={self.kernel_size})')
        if num_prefix_tokens < 0:
            raise ValueError(
                f'num_prefix_tokens must be >= 0, got {num_prefix_tokens}')
        if math.prod(grid) + num_prefix_tokens != x.shape[1]:
            raise ValueError(
                f'N = {x.shape[1]} tokens does not match grid {grid} '
                f'(product {math.prod(grid)}) plus {num_prefix_tokens} '
                'prefix token(s)')
        return grid

    # ------------------------------------------------------------ fast path
    def _structure_tokens(self, t: torch.Tensor, conv: nn.Module,
                          grid: Tuple[int, ...]) -> torch.Tensor:
        """Convolve keys or values into the D detector copies.

        t: (B, heads, N, c_h) -> (B, heads, D, N', c_h), N' = prod(ceil(grid/S)).
        """
        B, h, N, c = t.shape
        D = self.structure_dim
        t = _to_grid(t.transpose(1, 2).reshape(B, N, h * c), grid)
        if conv.groups == 1:  # shared kernels: every channel is one sample
            t = conv(t.reshape(B * h * c, 1, *grid))
        else:
            t = conv(t)
        # (B, C*D, *grid') -> (B, h, c, D, N') -> (B, h, D, N', c). The copy
        # to channels-last is needed: SDPA's fused CPU (and GPU) kernels take
        # only unit-stride head dims and would fall back to the math path.
        return t.reshape(B, h, c, D, -1).permute(0, 1, 3, 4, 2).contiguous()

    def _fast(self, q, k, v, grid, num_prefix_tokens=0):
        drop = self.attn_drop if self.training else 0.
        if self.structure_dim == 0:
            return F.scaled_dot_product_attention(
                q, k, v, dropout_p=drop, scale=self.scale)
        P, D = num_prefix_tokens, self.structure_dim
        ks = self._structure_tokens(k[:, :, P:], self.key_conv, grid)
        vs = self._structure_tokens(v[:, :, P:], self.value_conv, grid)
        if P:  # the prefix keys / values join every detector's map
            B, h, _, c = k.shape
            ks = torch.cat([k[:, :, None, :P].expand(B, h, D, P, c), ks], 3)
            vs = torch.cat([v[:, :, None, :P].expand(B, h, D, P, c), vs], 3)
        B, h, _, L, c = ks.shape
        if self.score_norm == 'joint':
            # the joint softmax over (d, j) is the softmax over the stack
            return F.scaled_dot_product_attention(
                q, ks.view(B, h, D * L, c), vs.view(B, h, D * L, c),
                dropout_p=drop, scale=self.scale)
        # per detector: D attentions in one call, detectors as extra heads
        N = q.shape[2]
        qd = q.unsqueeze(2).expand(B, h, D, N, c).reshape(B, h * D, N, c)
        y = F.scaled_dot_product_attention(
            qd, ks.view(B, h * D, L, c), vs.view(B, h * D, L, c),
            dropout_p=drop, scale=self.scale)
        return y.view(B, h, D, N, c).sum(2)

    # --------------------------------------------------------- literal path
    def _literal(self, q, k, v, grid, num_prefix_tokens=0):
        """The paper's equations, computed as written. q, k, v: (B, h, N, c);
        the first ``num_prefix_tokens`` keys / values are used unconvolved."""
        if self.structure_dim == 0:
            attn = (q @ k.transpose(-2, -1)) * self.scale
            return self.attn_dropout(attn.softmax(-1)) @ v
        P = num_prefix_tokens
        s = self._literal_scores(q, k, grid, P)  # (B, h, Nq, D, P + N')
        attn = self.attn_dropout(self._normalise(s))
        ctx = self._literal_contexts(v, grid, P)  # (B, h, c, D, P + N')
        return torch.einsum('bhidj,bhcdj->bhic', attn, ctx)

    def _normalise(self, s: torch.Tensor) -> torch.Tensor:
        """Scores (B, h, Nq, D, L) -> attention: one softmax over all
        (detector, key) pairs, or one over the keys of each detector."""
        if self.score_norm == 'joint':
            return s.flatten(3).softmax(-1).view_as(s)
        return s.softmax(-1)

    def _literal_scores(self, q, k, grid, num_prefix_tokens=0):
        """Pattern-detector scores of the queries ``q`` (any subset of them).

        q: (B, h, Nq, c), k: (B, h, P + N, c) -> (B, h, Nq, D, P + N'): for
        each detector, the scores of the ``P`` prefix keys (plain ``q . k``)
        followed by the correlation volume of each query with the grid keys,
        convolved by that detector (stride ``S``); all times ``scale``.
        """
        P = num_prefix_tokens
        s_prefix = (q @ k[:, :, :P].transpose(-2, -1)) * self.scale
        k = k[:, :, P:]
        B, h, Nq, c = q.shape
        D, C = self.structure_dim, self.embed_dims
        conv_fn = _CONV_FN[self.ndim]
        conv = dict(stride=self.stride,
                    padding=tuple(m // 2 for m in self.kernel_size))
        if self.channelwise_correlation:
            # corr[b, i, c, p] = q[b, i, c] * k[b, p, c]: (B*Nq, C, *grid)
            corr = torch.einsum('bhic,bhpc->bihcp', q, k)
            corr = corr.reshape(B * Nq, C, *grid)
            s = conv_fn(corr, self.key_conv.weight, groups=C, **conv)
            # (B*Nq, C*D, *grid') -> sum over each head's channels
            s = s.reshape(B, Nq, h, c, D, -1).sum(3)
        else:
            # corr[b, h, i, p] = q_i . k_p per head: (B*Nq*h, 1, *grid)
            corr = torch.einsum('bhic,bhpc->bihp', q, k)
            s = conv_fn(corr.reshape(B * Nq * h, 1, *grid),
                        self.key_conv.weight, **conv)
            s = s.reshape(B, Nq, h, D, -1)
        s = s.permute(0, 2, 1, 3, 4) * self.scale  # (B, h, Nq, D, N')
        return torch.cat([s_prefix.unsqueeze(3).expand(-1, -1, -1, D, -1), s],
                         -1)

    def _literal_contexts(self, v, grid, num_prefix_tokens=0):
        """Value contexts: the prefix values as they are, then windows
        around each strided grid key, pooled by each aggregator.

        v: (B, h, P + N, c) -> (B, h, c, D, P + N').
        """
        P = num_prefix_tokens
        v_prefix = v[:, :, :P].transpose(-2, -1)  # (B, h, c, P)
        v = v[:, :, P:]
        B, h, N, c = v.shape
        D, C = self.structure_dim, self.embed_dims
        windows = _unfold(_to_grid(v.transpose(1, 2).reshape(B, N, C), grid),
                          self.value_kernel_size, self.stride)  # (B, C, N', M)
        hv = self.value_conv.weight.flatten(1)  # (C*D or D, M)
        if self.channelwise_aggregation:
            ctx = torch.einsum('bcjm,cdm->bcdj', windows, hv.view(C, D, -1))
        else:
            ctx = torch.einsum('bcjm,dm->bcdj', windows, hv)
        ctx = ctx.reshape(B, h, c, D, -1)
        return torch.cat([v_prefix.unsqueeze(3).expand(-1, -1, -1, D, -1),
                          ctx], -1)

    # ------------------------------------------------------- visualisation
    @torch.no_grad()
    def structure_maps(self, x: torch.Tensor, grid: Sequence[int],
                       queries: Sequence[int]) -> dict:
        """The maps of the paper's Figures 1-2 for a few query tokens.

        Computed with the literal path's math, for the given queries only
        (``O(len(queries) * N * C)`` memory), so it works at real sizes.

        Args:
            x: (B, N, C) tokens, as passed to :meth:`forward`.
            grid: (H, W) or (T, H, W).
            queries: flat token indices ``i`` (row-major over ``grid``).

        Returns:
            dict of tensors, ``Q = len(queries)``, ``D' = max(D, 1)``,
            ``grid'`` the strided key grid (``grid`` when ``D = 0``):

            - ``correlation`` (B, h, Q, *grid): ``q_i . k_j`` per head over
              the key grid (for channel-wise correlation, the detectors see
              the per-channel products; this is their sum over the head's
              channels).
            - ``scores`` (B, h, Q, D', *grid'): each detector's pre-softmax
              score map (the correlation volume convolved with the kernel,
              times ``scale``).
            - ``attention`` (B, h, Q, D', *grid'): the normalised scores
              (``score_norm``): the joint softmax sums to 1 over
              ``(D', grid')``, the per-detector one over ``grid'``.
            - ``output`` (B, Q, C): the layer's output for these queries
              (after ``proj``), equal to ``forward(x, grid)[:, queries]``.
        """
        grid = self._check_input(x, grid)
        B, N, C = x.shape
        h, c = self.num_heads, self.head_dims
        queries = torch.as_tensor(queries, dtype=torch.long, device=x.device)
        q, k, v = self.qkv(x).reshape(B, N, 3, h, c).permute(2, 0, 3, 1, 4)
        q = q[:, :, queries]
        corr = q @ k.transpose(-2, -1)  # (B, h, Q, N)
        if self.structure_dim == 0:
            s = (corr * self.scale).unsqueeze(3)
            ctx = v.transpose(-2, -1).unsqueeze(3)  # (B, h, c, 1, N)
            key_grid = grid
        else:
            s = self._literal_scores(q, k, grid)
            ctx = self._literal_contexts(v, grid)
            key_grid = tuple(
                (g - 1) // st + 1 for g, st in zip(grid, self.stride))
        attn = self._normalise(s)
        y = torch.einsum('bhidj,bhcdj->bhic', attn, ctx)
        y = self.proj(y.transpose(1, 2).reshape(B, len(queries), C))
        Q = len(queries)
        return dict(
            correlation=corr.reshape(B, h, Q, *grid),
            scores=s.reshape(B, h, Q, -1, *key_grid),
            attention=attn.reshape(B, h, Q, -1, *key_grid),
            output=y)

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

The tests hold the two equal in float64 (outputs and gradients). The
parameter layout is a contract (spec section 1): ``qkv``, ``key_conv``,
``value_conv``, ``proj``; output channel ``c * D + d`` of the grouped
convolutions is channel ``c``, detector ``d``.
"""
import math
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..registry import register_model

_CONV = {2: nn.Conv2d, 3: nn.Conv3d}
_CONV_FN = {2: F.conv2d, 3: F.conv3d}
_IMPLS = ('fast', 'literal')


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
                 impl: str = 'fast'):
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

    def _structure_conv(self, kernel: Tuple[int, ...],
                        channelwise: bool) -> nn.Module:
        """Grouped conv holding ``D`` kernels per channel, or ``D`` shared."""
        C, D = self.embed_dims, self.structure_dim
        in_ch, out_ch, groups = (C, C * D, C) if channelwise else (1, D, 1)
        return _CONV[self.ndim](
            in_ch,
            out_ch,
            kernel,
            stride=self.stride,
            padding=tuple(k // 2 for k in kernel),
            groups=groups,
            bias=False)

    def extra_repr(self) -> str:
        return (f'structure_dim={self.structure_dim}, '
                f'kernel_size={self.kernel_size}, '
                f'value_kernel_size={self.value_kernel_size}, '
                f'stride={self.stride}, impl={self.impl!r}')

    # ------------------------------------------------------------------ API
    def forward(self, x: torch.Tensor, grid: Sequence[int],
                num_prefix_tokens: int = 0) -> torch.Tensor:
        """x: (B, P + N, C) -> (B, P + N, C).

        The last ``N`` tokens lie on ``grid`` ((H, W) or (T, H, W)); the
        first ``P = num_prefix_tokens`` (e.g. a cls token) lie outside it.
        A prefix token's query attends like any other; as a key / value it
        joins the joint softmax once, unconvolved, beside the ``D`` stacked
        copies of the grid keys (spec section 5). With ``D = 0`` this is
        plain attention over all ``P + N`` tokens.
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
        """Convolve keys or values and stack the D copies on the token axis.

        t: (B, heads, N, c_h) -> (B, heads, D * N', c_h), N' = prod(ceil(grid/S)).
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
        t = t.reshape(B, h, c, D, -1).permute(0, 1, 3, 4, 2)
        return t.reshape(B, h, -1, c).contiguous()

    def _fast(self, q, k, v, grid, num_prefix_tokens=0):
        if self.structure_dim > 0:
            P = num_prefix_tokens
            ks = self._structure_tokens(k[:, :, P:], self.key_conv, grid)
            vs = self._structure_tokens(v[:, :, P:], self.value_conv, grid)
            # the prefix keys / values join the stacked copies unconvolved
            k = torch.cat([k[:, :, :P], ks], 2) if P else ks
            v = torch.cat([v[:, :, :P], vs], 2) if P else vs
        return F.scaled_dot_product_attention(
            q, k, v,
            dropout_p=self.attn_drop if self.training else 0.,
            scale=self.scale)

    # --------------------------------------------------------- literal path
    def _literal(self, q, k, v, grid, num_prefix_tokens=0):
        """The paper's equations, computed as written. q, k, v: (B, h, N, c);
        the first ``num_prefix_tokens`` keys / values are used unconvolved."""
        if self.structure_dim == 0:
            attn = (q @ k.transpose(-2, -1)) * self.scale
            return self.attn_dropout(attn.softmax(-1)) @ v
        P = num_prefix_tokens
        s = self._literal_scores(q, k[:, :, P:], grid)  # (B, h, Nq, D, N')
        s_prefix = (q @ k[:, :, :P].transpose(-2, -1)) * self.scale
        # One joint softmax over the prefix keys and all (detector, key) pairs.
        attn = torch.cat([s_prefix, s.flatten(3)], -1).softmax(-1)
        attn = self.attn_dropout(attn)
        a_prefix, attn = attn[..., :P], attn[..., P:].view_as(s)
        ctx = self._literal_contexts(v[:, :, P:], grid)  # (B, h, c, D, N')
        return torch.einsum('bhidj,bhcdj->bhic', attn, ctx) + \
            a_prefix @ v[:, :, :P]

    def _literal_scores(self, q, k, grid):
        """Pattern-detector scores of the queries ``q`` (any subset of them).

        q: (B, h, Nq, c), k: (B, h, N, c) -> (B, h, Nq, D, N'): the
        correlation volume of each query with all keys on the key grid,
        convolved by the ``D`` detectors (stride ``S``), times ``scale``.
        """
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
        return s.permute(0, 2, 1, 3, 4) * self.scale  # (B, h, Nq, D, N')

    def _literal_contexts(self, v, grid):
        """Value contexts: windows around each strided key, pooled per d.

        v: (B, h, N, c) -> (B, h, c, D, N').
        """
        B, h, N, c = v.shape
        D, C = self.structure_dim, self.embed_dims
        windows = _unfold(_to_grid(v.transpose(1, 2).reshape(B, N, C), grid),
                          self.value_kernel_size, self.stride)  # (B, C, N', M)
        hv = self.value_conv.weight.flatten(1)  # (C*D or D, M)
        if self.channelwise_aggregation:
            ctx = torch.einsum('bcjm,cdm->bcdj', windows, hv.view(C, D, -1))
        else:
            ctx = torch.einsum('bcjm,dm->bcdj', windows, hv)
        return ctx.reshape(B, h, c, D, -1)

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
            - ``attention`` (B, h, Q, D', *grid'): the joint softmax over
              all (detector, key) pairs; sums to 1 over ``(D', grid')``.
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
        attn = s.flatten(3).softmax(-1).view_as(s)
        y = torch.einsum('bhidj,bhcdj->bhic', attn, ctx)
        y = self.proj(y.transpose(1, 2).reshape(B, len(queries), C))
        Q = len(queries)
        return dict(
            correlation=corr.reshape(B, h, Q, *grid),
            scores=s.reshape(B, h, Q, -1, *key_grid),
            attention=attn.reshape(B, h, Q, -1, *key_grid),
            output=y)

"""StructViT backbones (CVPR 2024, arXiv 2404.03924).

UniFormer's four-stage hierarchy ``[C, C, S, S]`` with every self-attention
replaced by :class:`~structvit_mm.models.structsa.StructSA`. One
implementation of the blocks serves images (2D) and video (3D): every block
is parameterised by ``ndim``, and the two backbones differ only in their
stems and in what ``forward`` returns.

* :class:`StructViT` (images, mmpretrain style): input ``(B, 3, H, W)``,
  returns a tuple with one feature map per ``out_indices``.
* :class:`StructViT3D` (video, mmaction2 style): input ``(B, 3, T, H, W)``,
  returns the last feature map ``(B, C, T', H', W')`` when one stage is
  asked for (as mmaction2's ``UniFormer`` does), a tuple otherwise.

Module names follow mmaction2's ``UniFormer`` (``patch_embed{1-4}.proj/norm``,
``blocks{1-4}.{i}.pos_embed/norm1/conv1/attn/conv2/norm2/mlp.fc1/fc2`` and
the final ``norm``) and the 2D and 3D models have the same keys, so image
weights can be inflated into the video model key by key. The StructSA
blocks add ``attn.key_conv`` / ``attn.value_conv``.
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from mmengine.model import BaseModule, ModuleList

from ..registry import register_model
from .block_options import (add_layer_scale, check_layer_scale,
                            resolve_checkpoint_num, scaled)
from .inflate import init_from_image_checkpoint
from .layers import BATCH_NORM, CONV, DropPath, to_ntuple
from .structsa import StructSA


#: The paper's sizes (docs/en/advanced_guides/models.md). Head width 64 in the StructSA stages.
ARCH_SETTINGS: Dict[str, dict] = {
    's': dict(depths=[3, 4, 8, 3], channels=[64, 128, 320, 512],
              heads=[1, 2, 5, 8], drop_path_rate=0.1),
    'b': dict(depths=[5, 8, 20, 7], channels=[64, 128, 320, 512],
              heads=[1, 2, 5, 8], drop_path_rate=0.3),
    'l': dict(depths=[5, 10, 24, 7], channels=[128, 192, 448, 640],
              heads=[2, 3, 7, 10], drop_path_rate=0.4),
}
_ALIASES = {'small': 's', 'base': 'b', 'large': 'l'}


def _resolve_arch(arch: Union[str, dict]) -> dict:
    """``'s' | 'b' | 'l'`` (or small/base/large) or a dict -> settings."""
    if isinstance(arch, str):
        key = _ALIASES.get(arch.lower(), arch.lower())
        if key not in ARCH_SETTINGS:
            raise ValueError(
                f'Unknown StructViT arch {arch!r}; choose one of '
                f'{sorted(ARCH_SETTINGS)} (or {sorted(_ALIASES)}), or pass '
                'dict(depths=[...], channels=[...], heads=[...])')
        return copy.deepcopy(ARCH_SETTINGS[key])
    if not isinstance(arch, dict):
        raise ValueError(f'arch must be a str or a dict, got {type(arch)}')
    missing = {'depths', 'channels', 'heads'} - set(arch)
    if missing:
        raise ValueError(
            f'Custom StructViT arch needs keys depths, channels and heads; '
            f'missing {sorted(missing)} in {arch!r}')
    arch = copy.deepcopy(dict(arch))
    for key in ('depths', 'channels', 'heads'):
        if len(arch[key]) != 4:
            raise ValueError(f'arch[{key!r}] must have 4 entries (one per '
                             f'stage), got {arch[key]!r}')
    # Only the StructSA stages (3, 4) use heads; name the stage and values.
    for i in (2, 3):
        c, h = arch['channels'][i], arch['heads'][i]
        if h <= 0 or c % h:
            raise ValueError(
                f'StructViT arch: stage {i + 1} has channels[{i}]={c}, which '
                f'is not divisible by heads[{i}]={h} (the StructSA head '
                f'width is channels / heads); arch={arch!r}')
    return arch


class Mlp(BaseModule):
    """Token MLP (``nn.Linear``) of the StructSA blocks."""

    def __init__(self, in_features: int, hidden_features: int,
                 drop: float = 0.) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, in_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.act(self.fc1(x)))
        return self.drop(self.fc2(x))


class ConvMlp(BaseModule):
    """MLP of the convolution blocks: 1x1 (x1) convolutions, GELU."""

    def __init__(self, in_features: int, hidden_features: int, ndim: int,
                 drop: float = 0.) -> None:
        super().__init__()
        self.fc1 = CONV[ndim](in_features, hidden_features, 1)
        self.act = nn.GELU()
        self.fc2 = CONV[ndim](hidden_features, in_features, 1)
        self.drop = nn.Dropout(drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.act(self.fc1(x)))
        return self.drop(self.fc2(x))


class ConvBlock(BaseModule):
    """UniFormer's convolution block (stages 1-2), 2D or 3D.

    ``x + DWConv3(x)`` (conditional positional encoding), then
    ``x + DropPath(Conv1(DWConv5(Conv1(BN(x)))))``, then
    ``x + DropPath(ConvMlp(BN(x)))``. Works on ``(B, C, *grid)``. With
    ``layer_scale_init_value`` the two residual branches are scaled by
    ``gamma_1`` / ``gamma_2``, ``(1, C, 1, 1[, 1])`` (UniFormer-L-LS).
    """

    def __init__(self,
                 dim: int,
                 ndim: int,
                 mlp_ratio: float = 4.,
                 drop: float = 0.,
                 drop_path: float = 0.,
                 layer_scale_init_value: Optional[float] = None) -> None:
        super().__init__()
        conv = CONV[ndim]
        self.pos_embed = conv(dim, dim, 3, padding=1, groups=dim)
        self.norm1 = BATCH_NORM[ndim](dim)
        self.conv1 = conv(dim, dim, 1)
        self.attn = conv(dim, dim, 5, padding=2, groups=dim)
        self.conv2 = conv(dim, dim, 1)
        self.drop_path = DropPath(drop_path) if drop_path > 0. \
            else nn.Identity()
        self.norm2 = BATCH_NORM[ndim](dim)
        self.mlp = ConvMlp(dim, int(dim * mlp_ratio), ndim, drop=drop)
        add_layer_scale(self, (1, dim) + (1, ) * ndim,
                        layer_scale_init_value)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.pos_embed(x)
        x = x + self.drop_path(scaled(
            self.gamma_1, self.conv2(self.attn(self.conv1(self.norm1(x))))))
        x = x + self.drop_path(scaled(self.gamma_2, self.mlp(self.norm2(x))))
        return x


class StructSABlock(BaseModule):
    """UniFormer's self-attention block with StructSA (stages 3-4).

    ``x + DWConv3(x)``, then ``x + DropPath(StructSA(LN(x)))`` over all
    tokens of the stage (global, on the ``(T,) H, W`` grid), then
    ``x + DropPath(Mlp(LN(x)))``. Works on ``(B, C, *grid)``; the rank of
    ``kernel_size`` (2 or 3) must equal ``ndim``. With
    ``layer_scale_init_value`` the two residual branches are scaled by
    ``gamma_1`` / ``gamma_2``, ``(C, )`` (UniFormer-L-LS).
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 ndim: int,
                 structure_dim: int = 4,
                 kernel_size: Sequence[int] = (3, 3),
                 stride: Sequence[int] = (2, 2),
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 qk_scale: Optional[float] = None,
                 drop: float = 0.,
                 attn_drop: float = 0.,
                 drop_path: float = 0.,
                 structsa_cfg: Optional[dict] = None,
                 layer_scale_init_value: Optional[float] = None) -> None:
        super().__init__()
        self.pos_embed = CONV[ndim](dim, dim, 3, padding=1, groups=dim)
        self.norm1 = nn.LayerNorm(dim)
        self.attn = StructSA(
            dim,
            num_heads,
            structure_dim=structure_dim,
            kernel_size=kernel_size,
            stride=stride,
            qkv_bias=qkv_bias,
            qk_scale=qk_scale,
            attn_drop=attn_drop,
            proj_drop=drop,
            **(structsa_cfg or {}))
        self.drop_path = DropPath(drop_path) if drop_path > 0. \
            else nn.Identity()
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), drop=drop)
        add_layer_scale(self, (dim, ), layer_scale_init_value)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.pos_embed(x)
        B, C = x.shape[:2]
        grid = x.shape[2:]
        x = x.flatten(2).transpose(1, 2)  # (B, N, C)
        x = x + self.drop_path(scaled(self.gamma_1,
                                      self.attn(self.norm1(x), grid)))
        x = x + self.drop_path(scaled(self.gamma_2, self.mlp(self.norm2(x))))
        return x.transpose(1, 2).reshape(B, C, *grid)


class PatchEmbed(BaseModule):
    """Strided convolution followed by LayerNorm over channels."""

    def __init__(self, in_channels: int, embed_dims: int, ndim: int,
                 kernel_size: Sequence[int], stride: Sequence[int],
                 padding: Sequence[int]) -> None:
        super().__init__()
        self.proj = CONV[ndim](
            in_channels,
            embed_dims,
            kernel_size=tuple(kernel_size),
            stride=tuple(stride),
            padding=tuple(padding))
        self.norm = nn.LayerNorm(embed_dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.proj(x)
        B, C = x.shape[:2]
        grid = x.shape[2:]
        x = self.norm(x.flatten(2).transpose(1, 2))
        return x.transpose(1, 2).reshape(B, C, *grid).contiguous()


class _StructViTBase(BaseModule):
    """The shared backbone; subclasses fix ``ndim`` and the stems."""

    ndim: int = 2
    num_stages = 4

    def __init__(
        self,
        arch: Union[str, dict] = 's',
        structure_dim: int = 4,
        kv_stride: Union[int, Sequence[int]] = 2,
        kernel_size: Union[int, Sequence[int]] = 3,
        in_channels: int = 3,
        mlp_ratio: float = 4.,
        qkv_bias: bool = True,
        qk_scale: Optional[float] = None,
        drop_rate: float = 0.,
        attn_drop_rate: float = 0.,
        drop_path_rate: Optional[float] = None,
        out_indices: Union[int, Sequence[int]] = (3, ),
        frozen_stages: int = -1,
        with_cp: bool = False,
        score_norm: str = 'joint',
        structure_init: str = 'default',
        structure_init_std: float = 0.1,
        structsa_cfg: Optional[dict] = None,
        layer_scale_init_value: Optional[float] = None,
        checkpoint_num: Optional[Sequence[int]] = None,
        init_cfg: Optional[Union[Dict, List[Dict]]] = [
            dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
        ]
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        ndim = self.ndim
        self.arch_settings = _resolve_arch(arch)
        depths = self.arch_settings['depths']
        channels = self.arch_settings['channels']
        heads = self.arch_settings['heads']
        if drop_path_rate is None:
            drop_path_rate = self.arch_settings.get('drop_path_rate', 0.)
        self.drop_path_rate = drop_path_rate
        self.structure_dim = structure_dim
        self.kernel_size = to_ntuple(kernel_size, ndim, 'kernel_size')
        self.kv_stride = self._kv_stride(kv_stride)

        if isinstance(out_indices, int):
            out_indices = [out_indices]
        out = []
        for i in out_indices:
            j = i + self.num_stages if i < 0 else i
            if not 0 <= j < self.num_stages:
                raise ValueError(f'out_indices {out_indices!r} out of range '
                                 f'for {self.num_stages} stages')
            out.append(j)
        self.out_indices = tuple(sorted(set(out)))
        if not -1 <= frozen_stages <= self.num_stages:
            raise ValueError(f'frozen_stages must be in [-1, '
                             f'{self.num_stages}], got {frozen_stages}')
        self.frozen_stages = frozen_stages
        self.with_cp = with_cp
        op_cfg = dict(score_norm=score_norm, structure_init=structure_init,
                      structure_init_std=structure_init_std)
        twice = sorted(set(op_cfg) & set(structsa_cfg or {}))
        if twice:
            raise ValueError(f'{twice} given both as backbone arguments and '
                             'in structsa_cfg; set them once, as arguments')
        structsa_cfg = dict(op_cfg, **(structsa_cfg or {}))
        name = type(self).__name__
        ls_init = self.layer_scale_init_value = check_layer_scale(
            layer_scale_init_value, name)
        self.checkpoint_num = resolve_checkpoint_num(checkpoint_num, depths,
                                                     with_cp, name)

        # Stems: stage 1 patchify, stages 2-4 2x downsampling, each + LN.
        for i in range(self.num_stages):
            in_ch = in_channels if i == 0 else channels[i - 1]
            kernel, stride, padding = self._stem(i)
            self.add_module(
                f'patch_embed{i + 1}',
                PatchEmbed(in_ch, channels[i], ndim, kernel, stride,
                           padding))
        self.pos_drop = nn.Dropout(p=drop_rate)

        dpr = [x.item() for x in torch.linspace(0, drop_path_rate,
                                                sum(depths))]
        cursor = 0
        for i in range(self.num_stages):
            blocks = []
            for j in range(depths[i]):
                if i < 2:
                    blk = ConvBlock(channels[i], ndim, mlp_ratio=mlp_ratio,
                                    drop=drop_rate,
                                    drop_path=dpr[cursor + j],
                                    layer_scale_init_value=ls_init)
                else:
                    blk = StructSABlock(
                        channels[i], heads[i], ndim,
                        structure_dim=structure_dim,
                        kernel_size=self.kernel_size,
                        stride=self.kv_stride,
                        mlp_ratio=mlp_ratio,
                        qkv_bias=qkv_bias,
                        qk_scale=qk_scale,
                        drop=drop_rate,
                        attn_drop=attn_drop_rate,
                        drop_path=dpr[cursor + j],
                        structsa_cfg=structsa_cfg,
                        layer_scale_init_value=ls_init)
                blocks.append(blk)
            cursor += depths[i]
            self.add_module(f'blocks{i + 1}', ModuleList(blocks))
        # UniFormer's final BatchNorm, applied to the last stage's output.
        self.norm = BATCH_NORM[ndim](channels[-1])
        self.num_features = channels[-1]
        self._freeze_stages()

    # -------------------------------------------------------------- hooks
    def _stem(self, i: int) -> Tuple[tuple, tuple, tuple]:
        raise NotImplementedError

    def _kv_stride(self, kv_stride) -> Tuple[int, ...]:
        return to_ntuple(kv_stride, self.ndim, 'kv_stride')

    # ----------------------------------------------------------- freezing
    def _frozen_modules(self) -> List[nn.Module]:
        mods = []
        for i in range(1, self.frozen_stages + 1):
            mods += [getattr(self, f'patch_embed{i}'),
                     getattr(self, f'blocks{i}')]
        if self.frozen_stages == self.num_stages:
            mods.append(self.norm)
        return mods

    def _freeze_stages(self) -> None:
        for m in self._frozen_modules():
            m.eval()
            for p in m.parameters():
                p.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        return self

    # ------------------------------------------------------------ forward
    def forward_stages(self, x: torch.Tensor) -> List[torch.Tensor]:
        outs = []
        for i in range(self.num_stages):
            x = getattr(self, f'patch_embed{i + 1}')(x)
            if i == 0:
                x = self.pos_drop(x)
            for j, blk in enumerate(getattr(self, f'blocks{i + 1}')):
                if j < self.checkpoint_num[i] and self.training and \
                        torch.is_grad_enabled():
                    x = cp.checkpoint(blk, x, use_reentrant=False)
                else:
                    x = blk(x)
            if i in self.out_indices:
                outs.append(self.norm(x) if i == self.num_stages - 1 else x)
        return outs


@register_model
class StructViT(_StructViTBase):
    """StructViT for images (mmpretrain backbone).

    Args:
        arch (str | dict): ``'s'``, ``'b'``, ``'l'`` (or ``'small'``...),
            or ``dict(depths=[4 ints], channels=[4 ints], heads=[4 ints])``
            (``drop_path_rate`` may be added as the arch's default).
        structure_dim (int): ``D``, StructSA's pattern detectors per
            channel (0 = vanilla attention, i.e. UniFormer; needs
            ``kv_stride=1``).
        kv_stride (int | tuple): ``S``, the key/value stride of StructSA.
        kernel_size (int | tuple): the detector/aggregator kernel ``M``.
        in_channels (int): input channels.
        mlp_ratio (float): MLP hidden ratio.
        qkv_bias (bool), qk_scale (float, optional): as StructSA.
        drop_rate, attn_drop_rate (float): dropout rates.
        drop_path_rate (float, optional): stochastic depth; None takes the
            arch's (0.1 / 0.3 / 0.4 for S / B / L).
        out_indices (Sequence[int]): stages (0-3) to return; the last
            stage passes through the final BatchNorm.
        frozen_stages (int): freeze stages ``1..frozen_stages`` (stem and
            blocks; 4 also freezes the final norm); -1 freezes nothing.
        with_cp (bool): gradient checkpointing per block.
        score_norm (str): StructSA's softmax reading, ``'joint'`` (over all
            (key, detector) pairs; the paper rows) or ``'per_detector'``.
        structure_init (str): ``'default'`` (PyTorch's init; the paper
            rows, as the paper gives none) or ``'attention'`` (every
            StructSA layer starts as plain attention; warm starts from
            UniFormer use it).
        structure_init_std (float): the ``'attention'`` init's
            perturbation of the aggregator amplitudes.
        structsa_cfg (dict, optional): extra StructSA arguments (e.g.
            ``channelwise_correlation``, ``aggregation``, ``impl``).
        layer_scale_init_value (float, optional): LayerScale on both
            residual branches of every block, initialised to this value
            (UniFormer-L-LS: 1e-6; keys ``gamma_1`` / ``gamma_2`` as
            UniFormer's); None (default) leaves it off.
        checkpoint_num (Sequence[int], optional): per stage, how many
            blocks (from the first) recompute their activations in the
            backward pass instead of keeping them (UniFormer's name), e.g.
            ``[0, 0, 8, 3]``; the same outputs and gradients for less
            memory and more time. ``with_cp=True`` is every block.
        init_cfg (dict | list[dict], optional): initialisation config.

    Returns a tuple with one ``(B, C_i, H_i, W_i)`` map per out index.
    """

    ndim = 2

    def _stem(self, i):
        if i == 0:
            return (4, 4), (4, 4), (0, 0)
        return (2, 2), (2, 2), (0, 0)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        return tuple(self.forward_stages(x))


@register_model
class StructViT3D(_StructViTBase):
    """StructViT for video (mmaction2 backbone).

    The arguments are :class:`StructViT`'s, with 3D kernels: the stem is a
    3x4x4 tubelet convolution with stride 2x4x4 and temporal padding 1,
    later downsamplings are 1x2x2 / stride 1x2x2, the StructSA kernel is
    3x3x3 by default and an int ``kv_stride`` ``S`` means ``(1, S, S)``
    (spatial only). Attention is global over all ``T*H*W`` tokens.

    Returns the last requested feature map ``(B, C, T', H', W')`` when
    ``out_indices`` has one entry (as mmaction2's ``UniFormer``), else a
    tuple of them.
    """

    ndim = 3

    def init_weights(self) -> None:
        """``init_cfg=dict(type='Pretrained', checkpoint=...)`` may name an
        image (2D) StructViT checkpoint: its kernels are inflated on load
        (``inflate='center'`` or ``'average'`` in the same dict). A checkpoint
        that does not fit (other arch, ``D`` or kernel; missing or extra
        keys) raises a ``ValueError`` saying how; ``strict=False`` in the
        dict loads the matching part anyway."""
        if not init_from_image_checkpoint(self):
            super().init_weights()

    def _stem(self, i):
        if i == 0:
            return (3, 4, 4), (2, 4, 4), (1, 0, 0)
        return (1, 2, 2), (1, 2, 2), (0, 0, 0)

    def _kv_stride(self, kv_stride) -> Tuple[int, ...]:
        if isinstance(kv_stride, int):
            return (1, kv_stride, kv_stride)
        return to_ntuple(kv_stride, 3, 'kv_stride')

    def forward(
        self, x: torch.Tensor
    ) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        outs = self.forward_stages(x)
        return outs[0] if len(outs) == 1 else tuple(outs)

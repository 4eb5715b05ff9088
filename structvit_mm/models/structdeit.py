"""The paper's analysis model: DeiT with StructSA (paper section 4.2).

Every claim the paper makes about StructSA itself (Tables 1, 6, 7) is
measured on DeiT-S with all self-attention layers replaced by StructSA, on
ImageNet-1K and, inflated, on Something-Something V1. This is that model:
an isotropic ViT (patch embedding, cls token, learned position embedding,
``num_layers`` pre-norm blocks, final LayerNorm) whose attention is
:class:`~structvit_mm.models.structsa.StructSA` on the patch grid.

* :class:`StructDeiT` (images, mmpretrain): ``(B, 3, H, W)`` -> a tuple
  with the cls token feature ``(B, C)`` (``VisionTransformerClsHead``).
* :class:`StructDeiT3D` (video, mmaction2): ``(B, 3, T, H, W)``, tubelets
  ``2x16x16`` by default -> ``(B, C)`` (``TimeSformerHead``).

The cls token lies outside the grid: its query attends like any other,
and as a key / value it enters each of the ``D`` detector maps unconvolved
(``StructSA``'s prefix tokens), so that every detector sees every key and
the ``'attention'`` init makes a layer exactly DeiT's attention.
With ``structure_dim=0`` the image model *is* mmpretrain's
``VisionTransformer`` (DeiT): the module names are its names (``patch_embed
.projection``, ``layers.{i}.ln1/attn.qkv/attn.proj/ln2/ffn``, ``ln1``), so
its checkpoints load as they are and give the same logits (tested).

Video weights come from the image model by inflation
(:mod:`~structvit_mm.models.inflate`): 2D kernels become 3D and the
position embedding is repeated over time.
"""
import copy
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from mmengine.model import BaseModule, ModuleList
from mmengine.model.weight_init import trunc_normal_

from ..registry import register_model
from .block_options import check_layer_scale, resolve_checkpoint_num
from .inflate import init_from_image_checkpoint
from .layers import CONV, FFN, DropPath, LayerScale, to_ntuple
from .structsa import StructSA


#: DeiT's sizes (mmpretrain's names); MLP ratio 4, head width 64.
ARCH_SETTINGS: Dict[str, dict] = {
    'deit-tiny': dict(embed_dims=192, num_layers=12, num_heads=3),
    'deit-small': dict(embed_dims=384, num_layers=12, num_heads=6),
    'deit-base': dict(embed_dims=768, num_layers=12, num_heads=12),
}
_ALIASES = {'t': 'deit-tiny', 's': 'deit-small', 'b': 'deit-base',
            'tiny': 'deit-tiny', 'small': 'deit-small', 'base': 'deit-base'}


def _resolve_arch(arch: Union[str, dict]) -> dict:
    if isinstance(arch, str):
        key = _ALIASES.get(arch.lower(), arch.lower())
        if key not in ARCH_SETTINGS:
            raise ValueError(
                f'Unknown StructDeiT arch {arch!r}; choose one of '
                f'{sorted(ARCH_SETTINGS)} (or {sorted(_ALIASES)}), or pass '
                'dict(embed_dims=..., num_layers=..., num_heads=...)')
        arch = ARCH_SETTINGS[key]
    if not isinstance(arch, dict) or \
            not {'embed_dims', 'num_layers', 'num_heads'} <= set(arch):
        raise ValueError('A custom StructDeiT arch is a dict with keys '
                         f'embed_dims, num_layers, num_heads; got {arch!r}')
    arch = dict(copy.deepcopy(arch))
    arch.setdefault('feedforward_channels', 4 * arch['embed_dims'])
    if arch['embed_dims'] % arch['num_heads']:
        raise ValueError(
            f"StructDeiT arch: embed_dims={arch['embed_dims']} is not "
            f"divisible by num_heads={arch['num_heads']}")
    return arch


class PatchEmbed(BaseModule):
    """Non-overlapping patches / tubelets, one strided convolution.

    ``(B, 3, *size)`` -> ``(B, N, C)`` and the patch grid.
    """

    def __init__(self, in_channels: int, embed_dims: int,
                 patch_size: Tuple[int, ...]) -> None:
        super().__init__()
        self.projection = CONV[len(patch_size)](
            in_channels, embed_dims, patch_size, stride=patch_size)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, tuple]:
        x = self.projection(x)
        return x.flatten(2).transpose(1, 2), tuple(x.shape[2:])


class StructSALayer(BaseModule):
    """Pre-norm transformer layer with StructSA: ``x + DropPath(StructSA(
    LN(x)))``, then ``x + DropPath(FFN(LN(x)))``. ``(B, P + N, C)`` in and
    out; the ``N`` grid tokens follow the ``P`` prefix tokens. With
    ``layer_scale_init_value`` both branches are scaled per channel under
    mmpretrain ``VisionTransformer``'s names (``attn.gamma1``,
    ``ffn.gamma2``)."""

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 feedforward_channels: int,
                 structsa_cfg: dict,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 qkv_bias: bool = True,
                 layer_scale_init_value: Optional[float] = None) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(embed_dims, eps=1e-6)
        self.attn = StructSA(
            embed_dims, num_heads, qkv_bias=qkv_bias,
            attn_drop=attn_drop_rate, proj_drop=drop_rate, **structsa_cfg)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0 \
            else nn.Identity()
        self.ln2 = nn.LayerNorm(embed_dims, eps=1e-6)
        self.ffn = FFN(
            embed_dims=embed_dims,
            feedforward_channels=feedforward_channels,
            ffn_drop=drop_rate,
            drop_path_rate=drop_path_rate,
            layer_scale_init_value=layer_scale_init_value)
        # under the attention, as mmpretrain's MultiheadAttention keeps it,
        # so a VisionTransformer with LayerScale loads key for key; applied
        # here, StructSA itself is unchanged
        self.attn.gamma1 = nn.Identity() if layer_scale_init_value is None \
            else LayerScale(embed_dims, scale=layer_scale_init_value)

    def forward(self, x: torch.Tensor, grid: Sequence[int],
                num_prefix_tokens: int) -> torch.Tensor:
        x = x + self.drop_path(self.attn.gamma1(
            self.attn(self.ln1(x), grid, num_prefix_tokens)))
        return self.ffn(self.ln2(x), identity=x)


class _StructDeiTBase(BaseModule):
    """The shared isotropic model; subclasses fix ``ndim`` and the output."""

    ndim: int = 2

    def __init__(
        self,
        arch: Union[str, dict] = 'deit-small',
        img_size: Union[int, Sequence[int]] = 224,
        num_frames: int = 16,
        patch_size: Optional[Union[int, Sequence[int]]] = None,
        in_channels: int = 3,
        structure_dim: int = 4,
        kernel_size: Union[int, Sequence[int]] = 3,
        value_kernel_size: Optional[Union[int, Sequence[int]]] = None,
        kv_stride: Union[int, Sequence[int]] = 1,
        channelwise_correlation: bool = True,
        channelwise_aggregation: bool = True,
        aggregation: str = 'context',
        score_norm: str = 'joint',
        structure_init: str = 'default',
        structure_init_std: float = 0.1,
        qkv_bias: bool = True,
        with_cls_token: bool = True,
        drop_rate: float = 0.,
        attn_drop_rate: float = 0.,
        drop_path_rate: float = 0.1,
        layer_scale_init_value: Optional[float] = None,
        checkpoint_num: int = 0,
        init_cfg: Optional[Union[Dict, List[Dict]]] = [
            dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
        ]
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        ndim = self.ndim
        self.arch_settings = _resolve_arch(arch)
        C = self.embed_dims = self.arch_settings['embed_dims']
        self.num_layers = self.arch_settings['num_layers']
        if patch_size is None:
            patch_size = 16 if ndim == 2 else (2, 16, 16)
        self.patch_size = to_ntuple(patch_size, ndim, 'patch_size')
        size = to_ntuple(img_size, 2, 'img_size')
        if ndim == 3:
            size = (num_frames, ) + size
        for s, p in zip(size, self.patch_size):
            if s % p:
                raise ValueError(f'input size {size} is not a multiple of '
                                 f'patch_size {self.patch_size}')
        self.grid = tuple(s // p for s, p in zip(size, self.patch_size))
        self.input_size = size

        self.patch_embed = PatchEmbed(in_channels, C, self.patch_size)
        self.with_cls_token = with_cls_token
        self.num_extra_tokens = int(with_cls_token)
        if with_cls_token:
            self.cls_token = nn.Parameter(torch.zeros(1, 1, C))
        self.pos_embed = nn.Parameter(
            torch.zeros(1, self.num_extra_tokens + math.prod(self.grid), C))
        self.drop_after_pos = nn.Dropout(p=drop_rate)

        vk = value_kernel_size
        self.structsa_cfg = dict(
            structure_dim=structure_dim,
            kernel_size=to_ntuple(kernel_size, ndim, 'kernel_size'),
            value_kernel_size=None if vk is None else to_ntuple(
                vk, ndim, 'value_kernel_size'),
            stride=to_ntuple(kv_stride, ndim, 'kv_stride'),
            channelwise_correlation=channelwise_correlation,
            channelwise_aggregation=channelwise_aggregation,
            aggregation=aggregation,
            score_norm=score_norm,
            structure_init=structure_init,
            structure_init_std=structure_init_std)
        dpr = torch.linspace(0, drop_path_rate, self.num_layers).tolist()
        name = type(self).__name__
        self.layer_scale_init_value = check_layer_scale(
            layer_scale_init_value, name)
        self.checkpoint_num, = resolve_checkpoint_num(
            checkpoint_num, [self.num_layers], False, name)
        self.layers = ModuleList([
            StructSALayer(
                C, self.arch_settings['num_heads'],
                self.arch_settings['feedforward_channels'],
                self.structsa_cfg,
                drop_rate=drop_rate,
                attn_drop_rate=attn_drop_rate,
                drop_path_rate=dpr[i],
                qkv_bias=qkv_bias,
                layer_scale_init_value=self.layer_scale_init_value)
            for i in range(self.num_layers)
        ])
        self.ln1 = nn.LayerNorm(C, eps=1e-6)  # final norm (mmpretrain's name)

    def init_weights(self) -> None:
        super().init_weights()
        if not (isinstance(self.init_cfg, dict)
                and self.init_cfg.get('type') == 'Pretrained'):
            trunc_normal_(self.pos_embed, std=0.02)
            if self.with_cls_token:
                trunc_normal_(self.cls_token, std=0.02)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 3, *input_size)`` -> ``(B, C)``: the cls token after the
        final norm, or the mean of all tokens without a cls token."""
        if tuple(x.shape[2:]) != self.input_size:
            raise ValueError(
                f'{type(self).__name__} was built for inputs of size '
                f'{self.input_size} (its position embedding is learned per '
                f'patch), got {tuple(x.shape[2:])}; set img_size / '
                'num_frames in the backbone config')
        x, grid = self.patch_embed(x)
        if self.with_cls_token:
            x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)
        x = self.drop_after_pos(x + self.pos_embed)
        for i, layer in enumerate(self.layers):
            if i < self.checkpoint_num and self.training and \
                    torch.is_grad_enabled():
                x = cp.checkpoint(layer, x, grid, self.num_extra_tokens,
                                  use_reentrant=False)
            else:
                x = layer(x, grid, self.num_extra_tokens)
        x = self.ln1(x)
        return x[:, 0] if self.with_cls_token else x.mean(1)


@register_model
class StructDeiT(_StructDeiTBase):
    """DeiT with StructSA for images (mmpretrain backbone).

    Args:
        arch (str | dict): ``'deit-tiny' | 'deit-small' | 'deit-base'``
            (or ``t/s/b``) or ``dict(embed_dims, num_layers, num_heads[,
            feedforward_channels])`` (the equal-FLOPs rows of Table 7).
        img_size (int | tuple): input height and width.
        num_frames (int): clip length (video only).
        patch_size (int | tuple): patch (``16``) or tubelet (``(2, 16, 16)``).
        structure_dim (int): ``D``; 0 is plain attention (DeiT itself),
            1 ConvSA.
        kernel_size, value_kernel_size (int | tuple): detector ``UK`` and
            aggregator ``UV`` kernels (``value_kernel_size`` defaults to
            ``kernel_size``; Table 6b).
        kv_stride (int | tuple): StructSA's key/value stride per axis.
        channelwise_correlation, channelwise_aggregation (bool): Table 6a.
        aggregation (str): ``'context'`` or ``'element'`` (Table 1c).
        score_norm (str): ``'joint'`` softmax over all (key, detector)
            pairs (every row) or ``'per_detector'``.
        structure_init (str): ``'default'`` (PyTorch's init, every paper
            row) or ``'attention'`` (each layer starts as plain attention;
            exact warm starts from DeiT use it).
        structure_init_std (float): the ``'attention'`` init's
            perturbation of the aggregator amplitudes.
        qkv_bias (bool), drop_rate, attn_drop_rate (float): as DeiT.
        with_cls_token (bool): prepend a cls token (DeiT) and return it;
            without, return the mean of the tokens.
        drop_path_rate (float): stochastic depth (DeiT-S: 0.1).
        layer_scale_init_value (float, optional): LayerScale on both
            residual branches of every layer, initialised to this value,
            under mmpretrain ``VisionTransformer``'s keys
            (``layers.{i}.attn.gamma1.weight``, ``layers.{i}.ffn.gamma2.
            weight``); None (default) leaves it off.
        checkpoint_num (int): how many layers (from the first) recompute
            their activations in the backward pass instead of keeping them;
            the same outputs and gradients for less memory and more time.
        init_cfg: initialisation; the video model also takes an image
            checkpoint in ``dict(type='Pretrained', checkpoint=...)``.

    Returns a one-element tuple with the ``(B, C)`` feature.
    """

    ndim = 2

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        return (self.forward_features(x), )


@register_model
class StructDeiT3D(_StructDeiTBase):
    """DeiT with StructSA for video (mmaction2 backbone).

    :class:`StructDeiT`'s arguments with 3D sizes: tubelets
    ``patch_size=(2, 16, 16)`` (16 frames at 224 -> an 8x14x14 grid),
    kernels 3x3x3, ``kv_stride`` a 3-tuple ``(t, h, w)``; attention is
    global over all ``T*H*W`` tokens. An int ``kernel_size`` /
    ``kv_stride`` applies to every axis. ``init_cfg=dict(type=
    'Pretrained', checkpoint=IMAGE_CKPT)`` inflates an image
    :class:`StructDeiT` (or mmpretrain DeiT, ``D = 0``) checkpoint on load.

    Returns the ``(B, C)`` feature (for ``TimeSformerHead``).
    """

    ndim = 3

    def init_weights(self) -> None:
        if not init_from_image_checkpoint(self):
            super().init_weights()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)

"""Layers the model files share, in plain PyTorch (and mmengine).

The op and the backbones import with torch and mmengine alone, so the few
mmcv bricks they used are here, with mmcv's module names and behaviour
(``FFN``'s ``layers.0.0`` / ``layers.1`` / ``gamma2`` keys are those of
mmpretrain's DeiT checkpoints; ``drop_path`` draws its mask as mmcv's does,
so seeded runs repeat).
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule, Sequential

#: Convolution and BatchNorm by grid rank (2 images, 3 video).
CONV: Dict[int, type] = {2: nn.Conv2d, 3: nn.Conv3d}
BATCH_NORM: Dict[int, type] = {2: nn.BatchNorm2d, 3: nn.BatchNorm3d}


def to_ntuple(value: Union[int, Sequence[int]], ndim: int,
              name: str) -> Tuple[int, ...]:
    """An int repeated ``ndim`` times, or a sequence of exactly ``ndim``."""
    if isinstance(value, int):
        return (value, ) * ndim
    value = tuple(int(v) for v in value)
    if len(value) != ndim:
        raise ValueError(f'{name} must be an int or a {ndim}-tuple, '
                         f'got {value!r}')
    return value


class DropPath(nn.Module):
    """Stochastic depth: zero a sample's residual branch with probability
    ``drop_prob`` in training, scaling the kept ones by ``1 / keep``."""

    def __init__(self, drop_prob: float = 0.1) -> None:
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.drop_prob == 0. or not self.training:
            return x
        keep = 1 - self.drop_prob
        shape = (x.shape[0], ) + (1, ) * (x.ndim - 1)
        mask = (keep + torch.rand(shape, dtype=x.dtype,
                                  device=x.device)).floor()
        return x.div(keep) * mask

    def extra_repr(self) -> str:
        return f'drop_prob={self.drop_prob}'


class LayerScale(nn.Module):
    """A learned per-channel factor ``weight`` (C,) on channels-last input."""

    def __init__(self, dim: int, scale: float = 1e-5) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim) * scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


class FFN(BaseModule):
    """The transformer MLP, ``identity + DropPath(gamma2(fc2(drop(GELU(
    fc1(x))))))``, under mmcv's ``FFN`` names. ``(B, N, C)`` in and out."""

    def __init__(self,
                 embed_dims: int,
                 feedforward_channels: int,
                 ffn_drop: float = 0.,
                 drop_path_rate: float = 0.,
                 layer_scale_init_value: Optional[float] = None) -> None:
        super().__init__()
        self.layers = Sequential(
            Sequential(nn.Linear(embed_dims, feedforward_channels),
                       nn.GELU(), nn.Dropout(ffn_drop)),
            nn.Linear(feedforward_channels, embed_dims),
            nn.Dropout(ffn_drop))
        self.dropout_layer = DropPath(drop_path_rate) if drop_path_rate \
            else nn.Identity()
        self.gamma2 = nn.Identity() if layer_scale_init_value is None \
            else LayerScale(embed_dims, scale=layer_scale_init_value)

    def forward(self, x: torch.Tensor,
                identity: Optional[torch.Tensor] = None) -> torch.Tensor:
        out = self.dropout_layer(self.gamma2(self.layers(x)))
        return (x if identity is None else identity) + out

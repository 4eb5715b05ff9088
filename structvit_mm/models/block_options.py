"""Per-block options of the StructViT and StructDeiT backbones: LayerScale
and per-stage activation checkpointing, with the argument checks.

* LayerScale (CaiT; UniFormer's ``uniformer_large_ls``): a learned
  per-channel factor on each residual branch, initialised small (1e-6 in
  UniFormer-L-LS) so that every block starts close to the identity.
  StructViT's blocks hold UniFormer's parameters, ``gamma_1`` (token
  mixer) and ``gamma_2`` (MLP), in its shapes (``(1, C, 1, 1)`` in the
  convolution blocks, ``(C, )`` in the attention blocks; one more unit axis
  in 3D), so UniFormer-L-LS weights load key for key.
* ``checkpoint_num``: how many blocks of each stage (from the first)
  recompute their activations in the backward pass instead of storing them
  (UniFormer's video models' name); ``with_cp=True`` is every block.
"""
import numbers
from typing import List, Optional, Sequence

import torch
import torch.nn as nn


def check_layer_scale(value, owner: str) -> Optional[float]:
    """``None`` (off) or a positive number; anything else raises naming the
    key, the value and the fix."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not value > 0:
        raise ValueError(
            f'{owner}: layer_scale_init_value={value!r} is not a positive '
            'number. Set model.backbone.layer_scale_init_value to a positive '
            'float (UniFormer-L-LS uses 1e-6) to turn LayerScale on, or to '
            'None (the default) to leave it off')
    return float(value)


def add_layer_scale(block: nn.Module, shape: Sequence[int],
                    value: Optional[float]) -> None:
    """Register ``block.gamma_1`` / ``block.gamma_2`` of ``shape`` at
    ``value`` (``None``: registered as absent, so no keys in the state
    dict)."""
    for name in ('gamma_1', 'gamma_2'):
        block.register_parameter(
            name, None if value is None else nn.Parameter(
                torch.full(tuple(shape), value)))


def scaled(gamma: Optional[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """``gamma * x``, or ``x`` without LayerScale."""
    return x if gamma is None else gamma * x


def resolve_checkpoint_num(checkpoint_num, depths: Sequence[int],
                           with_cp: bool, owner: str) -> List[int]:
    """Blocks to checkpoint per stage, from ``checkpoint_num`` (one count
    per stage, or an int for a one-stage model) or ``with_cp`` (all).
    Raises naming the key, the value and the fix on a count that is not an
    integer in ``0 .. depth`` of its stage, or on both being set."""
    depths = list(depths)
    if checkpoint_num is None:
        return list(depths) if with_cp else [0] * len(depths)
    if with_cp:
        raise ValueError(
            f'{owner}: with_cp=True and checkpoint_num={checkpoint_num!r} '
            'both set. with_cp=True checkpoints every block; set only '
            'checkpoint_num to choose how many per stage')
    one = len(depths) == 1
    counts = [checkpoint_num] if one and not isinstance(
        checkpoint_num, (list, tuple)) else checkpoint_num
    if not isinstance(counts, (list, tuple)) or len(counts) != len(depths):
        raise ValueError(
            f'{owner}: checkpoint_num={checkpoint_num!r} must be '
            + ('an int' if one else f'{len(depths)} ints, one per stage')
            + f' (depths {depths}); e.g. checkpoint_num='
            + (f'{depths[0]}' if one else
               f'{[0] * (len(depths) - 2) + depths[-2:]}'))
    for i, (n, depth) in enumerate(zip(counts, depths)):
        if isinstance(n, bool) or not isinstance(n, int) or \
                not 0 <= n <= depth:
            where = '' if one else f' for stage {i + 1}'
            raise ValueError(
                f'{owner}: checkpoint_num={checkpoint_num!r} asks for {n!r} '
                f'checkpointed blocks{where}, which has {depth} (depths '
                f'{depths}). Set model.backbone.checkpoint_num to integers '
                f'from 0 to the depth of each stage')
    return list(counts)

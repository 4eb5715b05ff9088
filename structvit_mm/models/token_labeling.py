"""Token Labeling for StructViT (Jiang et al., "All Tokens Matter", NeurIPS
2021), as UniFormer trains its ImageNet rows marked with Token Labeling
(Sense-X/UniFormer ``image_classification/token_labeling``; StructViT's
rows marked * follow "the protocols in UniFormer").

What the sources do, and how it maps here (checked against
zihangJiang/TokenLabeling ``tlt/`` and UniFormer's copy of it,
``tlt/models/uniformer.py``, ``tlt/loss/cross_entropy.py``, ``main.py``):

* **Auxiliary head**: one linear layer on every token of the last stage
  after the final norm (UniFormer's ``aux_head``), beside the usual
  classifier on the mean token: :class:`TokenLabelClsHead`.
* **Loss** (``TokenLabelCrossEntropy``): ``cls_weight * CE(cls, y_cls) +
  dense_weight * mean over all B*N tokens of CE(token, y_token)``, soft
  targets, label smoothing 0.1. The class target ``y_cls`` is the map's own
  label of the whole crop (the crop box RoI-aligned to one cell, softmax;
  ``target[:, :, 1]``), not the ground truth, unless ``--ground-truth``
  (off in every UniFormer script): ``cls_target='map'`` here, ``'gt'``
  for the one-hot ground truth. The LV-ViT paper gives the token term a
  weight of 0.5; the released code's ``--dense-weight`` defaults to 1.0
  and neither LV-ViT's nor UniFormer's scripts change it, so the runs
  behind UniFormer's (and StructViT's) numbers used 1.0. ``dense_weight``
  defaults to the paper's 0.5 here; the row configs set 1.0 and say why.
* **MixToken** (UniFormer's ``forward``): one CutMix box per batch, image
  ``b`` taking the box from image ``B - 1 - b``, ``lam ~ Beta(1, 1)``
  (``self.beta = 1.0``), applied to the tokens after the first patch
  embedding (stride 4); the token predictions inside the box are swapped
  back before the loss, and the class target becomes ``lam * y +
  (1 - lam) * y.flip(0)`` with ``lam = 1 - box area / N`` on the last
  stage's grid. UniFormer draws the box on the stride-4 grid and floors it
  by 8 for the last stage, so the two boxes disagree by up to 7 stride-4
  tokens; :class:`MixToken` draws the box on the last stage's grid
  instead and mixes the input pixels under it (the stride-4 patch
  embedding and its LayerNorm act per 4x4 patch, so this equals mixing
  its tokens), and mixes the token *targets* rather than un-mixing the
  predictions: the same pairs of prediction and target, so the same loss.
  Mixup / CutMix of the DeiT recipe are off (UniFormer's token-labeling
  ``--mixup`` / ``--cutmix`` default to 0).
* **Inference**: ``cls logits + 0.5 * max over tokens of the auxiliary
  logits`` (``x_cls + 0.5 * x_aux.max(1)[0]``), ``aux_infer_weight``.
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.models.heads import ClsHead
from mmpretrain.registry import BATCH_AUGMENTS
from mmpretrain.structures import DataSample

from ..registry import register_model

_PIPELINE_HINT = (
    "the training pipeline must give every sample its map: LoadTokenLabel "
    "after LoadImageFromFile, TokenLabelRandomResizedCrop / "
    "TokenLabelRandomFlip instead of RandomResizedCrop / RandomFlip, and "
    "PackInputs(algorithm_keys=['token_label', 'token_label_cls']) "
    "(configs/_base_/datasets/imagenet_tl_224.py)")


@BATCH_AUGMENTS.register_module()
class MixToken:
    """CutMix on the last stage's token grid, for inputs and token targets.

    Args:
        alpha (float): ``lam ~ Beta(alpha, alpha)`` (UniFormer: 1.0).
        token_stride (int): input pixels per last-stage token (32 for
            StructViT / UniFormer).
        prob (float): probability of mixing a batch (UniFormer: always).
    """

    def __init__(self, alpha: float = 1.0, token_stride: int = 32,
                 prob: float = 1.0) -> None:
        if alpha <= 0:
            raise ValueError(f'MixToken alpha must be > 0, got {alpha}')
        self.alpha = alpha
        self.token_stride = token_stride
        self.prob = prob

    def sample_box(self, grid: Tuple[int, int]
                   ) -> Tuple[Tuple[int, int, int, int], float]:
        """A box ``(y1, y2, x1, x2)`` in tokens on an ``(h, w)`` grid (the
        sources' ``rand_bbox``: side ``int(size * sqrt(1 - lam))``, uniform
        centre, clipped) and the mixing weight of the kept image, ``1 -
        area / (h * w)``."""
        h, w = grid
        if np.random.rand() >= self.prob:
            return (0, 0, 0, 0), 1.
        lam = np.random.beta(self.alpha, self.alpha)
        cut = np.sqrt(1. - lam)
        cut_h, cut_w = int(h * cut), int(w * cut)
        cy, cx = np.random.randint(h), np.random.randint(w)
        y1, y2 = np.clip(cy - cut_h // 2, 0, h), np.clip(cy + cut_h // 2, 0, h)
        x1, x2 = np.clip(cx - cut_w // 2, 0, w), np.clip(cx + cut_w // 2, 0, w)
        box = tuple(int(v) for v in (y1, y2, x1, x2))
        return box, 1. - (box[1] - box[0]) * (box[3] - box[2]) / (h * w)

    def __call__(self, inputs: torch.Tensor, token_targets: torch.Tensor,
                 cls_targets: torch.Tensor):
        """Mix a batch.

        Args:
            inputs: ``(B, 3, h * s, w * s)``, ``s`` = ``token_stride``.
            token_targets: ``(B, K, h, w)`` distributions.
            cls_targets: ``(B, K)`` distributions.

        Returns:
            ``(inputs, token_targets, cls_targets, box, lam)``, mixed (new
            tensors); image ``b`` takes the box from image ``B - 1 - b``.
        """
        h, w = token_targets.shape[-2:]
        s = self.token_stride
        if tuple(inputs.shape[-2:]) != (h * s, w * s):
            raise ValueError(
                f'MixToken: inputs {tuple(inputs.shape[-2:])} do not tile '
                f'the {h}x{w} token-label grid at stride {s}; set the crop\'s '
                f'label_size to input size / {s}')
        box, lam = self.sample_box((h, w))
        y1, y2, x1, x2 = box
        if lam >= 1.:
            return inputs, token_targets, cls_targets, box, 1.
        inputs = inputs.clone()
        inputs[..., y1 * s:y2 * s, x1 * s:x2 * s] = \
            inputs.flip(0)[..., y1 * s:y2 * s, x1 * s:x2 * s]
        token_targets = token_targets.clone()
        token_targets[..., y1:y2, x1:x2] = \
            token_targets.flip(0)[..., y1:y2, x1:x2]
        cls_targets = lam * cls_targets + (1. - lam) * cls_targets.flip(0)
        return inputs, token_targets, cls_targets, box, lam

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(alpha={self.alpha}, '
                f'token_stride={self.token_stride}, prob={self.prob})')


def soft_cross_entropy(logits: torch.Tensor,
                       target: torch.Tensor) -> torch.Tensor:
    """Mean over rows of ``-sum(target * log_softmax(logits))``; ``(N, K)``
    (the sources' ``SoftTargetCrossEntropy``)."""
    return (-target * F.log_softmax(logits, dim=-1)).sum(-1).mean()


@register_model
class TokenLabelClsHead(ClsHead):
    """Linear classifier on the mean token plus an auxiliary linear
    classifier on every token of the last stage (see the module docstring).

    Args:
        num_classes (int): classes.
        in_channels (int): channels of the last stage (512 S/B, 640 L).
        cls_weight (float): weight of the class-token loss.
        dense_weight (float): weight of the mean token loss (paper 0.5,
            released code 1.0).
        aux_infer_weight (float): weight of the auxiliary head's maximum
            over tokens added to the class logits at inference (0.5).
        label_smooth_val (float): label smoothing of both targets (0.1).
        cls_target (str): ``'map'`` (the crop's label from the score map,
            the sources' default) or ``'gt'`` (the one-hot ground truth).
        init_cfg (dict, optional): initialisation config.

    ``forward(feats)`` (inference) returns ``(B, num_classes)`` scores;
    ``feats[-1]`` is the last stage's ``(B, C, H, W)`` map.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 cls_weight: float = 1.0,
                 dense_weight: float = 0.5,
                 aux_infer_weight: float = 0.5,
                 label_smooth_val: float = 0.1,
                 cls_target: str = 'map',
                 init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        kwargs.setdefault('loss', dict(type='CrossEntropyLoss', use_soft=True))
        super().__init__(init_cfg=init_cfg, **kwargs)
        if cls_target not in ('map', 'gt'):
            raise ValueError(f"cls_target must be 'map' or 'gt', got "
                             f'{cls_target!r}')
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.cls_weight = cls_weight
        self.dense_weight = dense_weight
        self.aux_infer_weight = aux_infer_weight
        self.label_smooth_val = label_smooth_val
        self.cls_target = cls_target
        self.fc = nn.Linear(in_channels, num_classes)
        self.aux_fc = nn.Linear(in_channels, num_classes)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        return feats[-1]

    def forward_train(self, feats: Tuple[torch.Tensor]
                      ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(cls (B, K), tokens (B, K, H, W))`` logits."""
        x = self.pre_logits(feats)
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'{type(self).__name__} needs the last stage map (B, '
                f'{self.in_channels}, H, W) (no neck), got {tuple(x.shape)}')
        tokens = x.flatten(2).transpose(1, 2)  # (B, N, C)
        cls = self.fc(tokens.mean(1))
        aux = self.aux_fc(tokens).transpose(1, 2).reshape(
            x.shape[0], self.num_classes, *x.shape[2:])
        return cls, aux

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        cls, aux = self.forward_train(feats)
        return cls + self.aux_infer_weight * aux.flatten(2).amax(-1)

    # ------------------------------------------------------------ targets
    def targets(self, data_samples: Sequence[DataSample],
                device=None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Stack ``(token (B, K, h, w), cls (B, K))`` targets (before
        smoothing) from the data samples."""
        if not all('token_label' in s for s in data_samples):
            raise ValueError(
                f'{type(self).__name__}: a data sample has no token_label; '
                + _PIPELINE_HINT)
        tok = torch.stack([s.token_label for s in data_samples]).to(device)
        if tok.shape[1] != self.num_classes:
            raise ValueError(
                f'token-label maps have {tok.shape[1]} classes, the head '
                f'{self.num_classes} (LoadTokenLabel num_classes vs '
                'model.head.num_classes)')
        if self.cls_target == 'gt':
            labels = torch.cat([s.gt_label for s in data_samples]).to(device)
            cls = F.one_hot(labels, self.num_classes).to(tok.dtype)
        else:
            cls = torch.stack([s.token_label_cls
                               for s in data_samples]).to(device)
        return tok, cls

    def _smooth(self, target: torch.Tensor) -> torch.Tensor:
        # the sources add eps/K to (1 - eps + eps/K) * y, which sums to
        # 1 + eps/K; the usual form below sums to one
        eps = self.label_smooth_val
        return target * (1. - eps) + eps / self.num_classes

    def loss(self, feats: Tuple[torch.Tensor],
             data_samples: List[DataSample],
             token_targets: Optional[torch.Tensor] = None,
             cls_targets: Optional[torch.Tensor] = None) -> dict:
        """``loss_cls`` and ``loss_token`` (already weighted; mmengine sums
        them). Targets default to the data samples' (unmixed)."""
        cls, aux = self.forward_train(feats)
        if token_targets is None or cls_targets is None:
            token_targets, cls_targets = self.targets(data_samples,
                                                      cls.device)
        if token_targets.shape[-2:] != aux.shape[-2:]:
            raise ValueError(
                f'token-label grid {tuple(token_targets.shape[-2:])} != last '
                f'stage grid {tuple(aux.shape[-2:])}: set '
                'TokenLabelRandomResizedCrop label_size to input size / 32')
        K = self.num_classes
        tok_logits = aux.flatten(2).transpose(1, 2).reshape(-1, K)
        tok_target = token_targets.flatten(2).transpose(1, 2).reshape(-1, K)
        return dict(
            loss_cls=self.cls_weight * self.loss_module(
                cls, self._smooth(cls_targets)),
            loss_token=self.dense_weight * self.loss_module(
                tok_logits, self._smooth(tok_target)))


@register_model
class TokenLabelClassifier(ImageClassifier):
    """mmpretrain's ``ImageClassifier`` trained with token labels.

    ``train_cfg=dict(mix_token=dict(type='MixToken', alpha=1.))`` switches
    MixToken on (built from mmpretrain's ``BATCH_AUGMENTS``); the head must
    be a :class:`TokenLabelClsHead` and there is no neck (the head needs the
    token map). Testing is ``ImageClassifier``'s (the head's inference rule).
    """

    def __init__(self, backbone: dict, head: dict, neck=None,
                 train_cfg: Optional[dict] = None, **kwargs) -> None:
        train_cfg = dict(train_cfg or {})
        mix_token = train_cfg.pop('mix_token', None)
        if train_cfg.get('augments'):
            raise ValueError(
                'TokenLabelClassifier: train_cfg.augments (Mixup / CutMix on '
                'images and labels) would not move the token labels; use '
                "train_cfg=dict(mix_token=dict(type='MixToken')) instead")
        if neck is not None:
            raise ValueError('TokenLabelClassifier takes no neck: its head '
                             'pools the last stage itself and also needs '
                             'every token (set model.neck=None)')
        super().__init__(backbone, neck=None, head=head,
                         train_cfg=train_cfg or None, **kwargs)
        if not isinstance(self.head, TokenLabelClsHead):
            raise ValueError('TokenLabelClassifier needs a TokenLabelClsHead, '
                             f'got {type(self.head).__name__}')
        self.mix_token = None if mix_token is None else (
            BATCH_AUGMENTS.build(mix_token) if isinstance(mix_token, dict)
            else mix_token)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> dict:
        tok, cls = self.head.targets(data_samples, inputs.device)
        if self.mix_token is not None:
            inputs, tok, cls, _, _ = self.mix_token(inputs, tok, cls)
        feats = self.extract_feat(inputs)
        return self.head.loss(feats, data_samples, token_targets=tok,
                              cls_targets=cls)

# StructViT-S for ImageNet-1K with Token Labeling: the plain classifier's
# backbone with an auxiliary linear head on every last-stage token and
# MixToken (structvit_mm/models/token_labeling.py, which says how each rule
# was checked against the Token Labeling and UniFormer sources).
_base_ = ['./structvit_s_in1k.py']

model = dict(
    type='TokenLabelClassifier',
    neck=None,  # the head pools the tokens itself and needs all of them
    head=dict(
        _delete_=True,
        type='TokenLabelClsHead',
        num_classes=1000,
        in_channels=512,
        cls_weight=1.0,
        # the LV-ViT paper writes 0.5; the released code's --dense-weight
        # default is 1.0 and UniFormer's token-labeling scripts keep it
        dense_weight=1.0,
        # inference: class logits + 0.5 * max over tokens of the aux logits
        aux_infer_weight=0.5,
        label_smooth_val=0.1,
        # the class target is the score map's label of the crop, as the
        # sources (no --ground-truth); 'gt' uses the one-hot label
        cls_target='map'),
    # UniFormer: MixToken with lam ~ Beta(1, 1), no mixup / cutmix
    train_cfg=dict(
        _delete_=True,
        mix_token=dict(type='MixToken', alpha=1.0, token_stride=32)),
)

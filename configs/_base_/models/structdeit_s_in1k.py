# The paper's analysis model for ImageNet-1K: DeiT-S with every
# self-attention replaced by StructSA (paper section 4.2), an mmpretrain
# ImageClassifier. Defaults: D = 4, M = 3x3, channel-wise correlation and
# aggregation, context aggregation, no key/value stride; the rows under
# configs/structdeit/ change only these StructSA switches (or, for Table 7,
# the width / depth). structure_dim=0 is mmpretrain's DeiT-S itself.
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='StructDeiT',
        arch='deit-small',  # patch 16, 12 blocks, 384 channels, 6 heads
        img_size=224,
        structure_dim=4,
        kernel_size=3,
        kv_stride=1,
        drop_path_rate=0.1),
    neck=None,
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=1000,
        in_channels=384,
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original')),
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
    ],
    # DeiT recipe: mixup 0.8, cutmix 1.0 (the paper's protocol)
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0)
    ]),
)

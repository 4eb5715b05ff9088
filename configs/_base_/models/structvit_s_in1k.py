# StructViT-S for ImageNet-1K (mmpretrain ImageClassifier).
# The row configs under configs/structvit/ set structure_dim (D) / kv_stride (S).
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='StructViT',
        arch='s',
        structure_dim=4,
        kv_stride=2,
        kernel_size=3,
        drop_path_rate=0.1),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=512,
        init_cfg=None,  # the classifier's init_cfg below covers the head
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        cal_acc=False),
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

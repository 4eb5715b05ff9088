# StructViT-S for Kinetics-400 (mmaction2 Recognizer3D).
# Head as mmaction2's UniFormer configs: I3DHead, average_clips='prob'.
# The row configs under configs/structvit/ set structure_dim (D) / kv_stride (S).
# Also the video model of the SS / Diving-48 / FineGym rows, which size the
# head and the mixup / cutmix labels by their dataset's num_classes.
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='StructViT3D',
        arch='s',
        structure_dim=4,
        kv_stride=2,  # spatial only: (1, 2, 2)
        kernel_size=3,  # 3x3x3
        drop_path_rate=0.1),
    cls_head=dict(
        type='I3DHead',
        dropout_ratio=0.,
        num_classes=400,
        in_channels=512,
        label_smooth_eps=0.1,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[114.75, 114.75, 114.75],
        std=[57.375, 57.375, 57.375],
        # MViT-style recipe: mixup 0.8, cutmix 1.0 (the paper's protocol)
        blending=dict(
            type='RandomBatchAugment',
            augments=[
                dict(type='MixupBlending', alpha=0.8, num_classes=400),
                dict(type='CutmixBlending', alpha=1, num_classes=400)
            ]),
        format_shape='NCTHW'))

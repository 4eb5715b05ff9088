# The paper's analysis model for video: DeiT-S with StructSA inflated to
# 16 frames (paper section 4.2), an mmaction2 Recognizer3D. Tubelets 2x16x16
# (16x224x224 -> an 8x14x14 grid of 1568 tokens), a learned position
# embedding over all of them, 3x3x3 kernels, initialised by inflating the
# ImageNet-1K model of the same row (the rows set the checkpoint).
#
# Key/value stride (2, 1, 1), i.e. every second token frame, for the
# StructSA rows (D >= 2): the reading of Table 7's SSv1 StructSA row that
# reproduces its 80.4 GFLOPs per view (D = 4 copies of N/2 keys = 2N keys;
# stride 1 would give 4N keys and 126 G). ConvSA (D = 1) and plain
# attention (D = 0) rows set kv_stride=1: 57.3 G, Table 7's ConvSA row.
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='StructDeiT3D',
        arch='deit-small',
        img_size=224,
        num_frames=16,
        patch_size=(2, 16, 16),
        structure_dim=4,
        kernel_size=3,
        kv_stride=(2, 1, 1),
        drop_path_rate=0.1),
    cls_head=dict(
        type='TimeSformerHead',
        num_classes=400,
        in_channels=384,
        label_smooth_eps=0.1,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        # the image model's normalisation (mmpretrain's ImageNet one)
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

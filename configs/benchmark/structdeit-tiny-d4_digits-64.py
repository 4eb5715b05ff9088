# The small analysis model on placed digits: the DeiT-shaped StructSA
# ViT (StructDeiT) scaled down to 64 channels, 4 layers, 2 heads of 32;
# 8x8 patches of the 64x64 canvas give an 8x8 token grid (64 tokens + cls).
# D = 4, 3x3 kernels, context aggregation, channel-wise correlation and
# aggregation: the image twin of
# structdeit-tiny-d4_8x32_motion-structure.py. The grid
# (configs/benchmark/grid_digits.py) changes one switch at a time.
_base_ = ['./_base_/digits_64.py']

model = dict(
    type='ImageClassifier',
    data_preprocessor=_base_.data_preprocessor,
    backbone=dict(
        type='StructDeiT',
        arch=dict(embed_dims=64, num_layers=4, num_heads=2),
        img_size=64,
        patch_size=8,
        structure_dim=4,
        kernel_size=3,
        kv_stride=1,
        drop_path_rate=0.,
        # PyTorch's default init of the linear layers, as the motion
        # benchmark's model (DeiT's std 0.02 is sized for 384 channels)
        init_cfg=[]),
    neck=None,
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=_base_.num_classes,
        in_channels=64))

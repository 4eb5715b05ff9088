# A small StructViT3D on the motion-structure benchmark, the second model of
# the ablation grid (configs/benchmark/grid_structvit.py). StructViT
# downsamples by 4 and then 2 per stage, so the 32 px clips are upsampled
# to 64 px: the token grids are then 4x16x16, 4x8x8 (convolution stages),
# 4x4x4 and 4x2x2 (StructSA stages), the smallest grid on which a 3x3x3
# kernel over the correlation map still has something to see. D = 4,
# key/value stride 1 (StructViT-x-4-1, so that D = 0 is the same model
# with plain attention, i.e. UniFormer), 3x3x3 kernels.
_base_ = ['./_base_/motion-structure_8x32.py']

img_size = 64
train_pipeline = [
    dict(t, scale=(img_size, img_size)) if t['type'] == 'Resize' else t
    for t in _base_.train_pipeline]
test_pipeline = [
    dict(t, scale=(img_size, img_size)) if t['type'] == 'Resize' else t
    for t in _base_.test_pipeline]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# half the benchmark's lr: at 1e-3 D = 0 and D = 8 left the chance plateau
# but D = 1, D = 4 and the wider ConvSA sat on it for all 1200 steps; at
# 5e-4 D = 1 and D = 4 left it by 600 (seed 0; docs/en/results/
# motion_structure.md, diagnosis)
optim_wrapper = dict(optimizer=dict(lr=5e-4))

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='StructViT3D',
        arch=dict(depths=[1, 1, 2, 1], channels=[16, 32, 64, 128],
                  heads=[1, 1, 2, 4]),
        structure_dim=4,
        kv_stride=1,
        kernel_size=3,
        drop_path_rate=0.,
        # PyTorch's default init, as the analysis model of the same
        # benchmark (structdeit-tiny-d4_8x32_motion-structure.py says why)
        init_cfg=[]),
    cls_head=dict(
        type='I3DHead',
        num_classes=8,
        in_channels=128,
        dropout_ratio=0.,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

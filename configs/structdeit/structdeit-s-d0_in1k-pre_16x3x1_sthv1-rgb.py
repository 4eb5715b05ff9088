# DeiT-S with StructSA, plain self-attention (DeiT-S itself); Something-
# Something V1, 16x3x1, inflated from the ImageNet-1K row of the same name.
# Paper: Table 1a D=0 / 1b, 1c, 6b "SA": IN-1K 80.5, SSv1 48.3.
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d0_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=0, kv_stride=1,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

# DeiT-S with StructSA, ConvSA (D = 1); Something-Something V1, 16x3x1,
# inflated from the ImageNet-1K row of the same name. Paper: Table 1a D=1
# and Table 7 ConvSA: IN-1K 80.8 (22.1 M, 4.6 G), SSv1 49.7 (22.8 M, 57.3
# G).
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d1_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=1, kv_stride=1,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

# DeiT-S with StructSA, D = 8; Something-Something V1, 16x3x1, inflated from
# the ImageNet-1K row of the same name. Paper: Table 1a D=8: IN-1K 81.3,
# SSv1 50.6.
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d8_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=8,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

# DeiT-S with StructSA, D = 2; Something-Something V1, 16x3x1, inflated from
# the ImageNet-1K row of the same name. Paper: Table 1a D=2: IN-1K 80.9,
# SSv1 50.1.
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d2_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=2,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

# DeiT-S with StructSA, D = 4, the default StructSA (M = 3, context
# aggregation, channel-wise correlation and aggregation); Something-
# Something V1, 16x3x1, inflated from the ImageNet-1K row of the same name.
# Paper: Table 1a D=4 = 1b M=3 = 1c context = 6a both = 6b (3,3) = Table 7
# StructSA: IN-1K 81.1 (22.4 M, 5.7 G), SSv1 50.4 (23.1 M, 80.4 G).
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d4_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=4,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

# DeiT-S with StructSA, D = 4, the default StructSA (M = 3, context
# aggregation, channel-wise correlation and aggregation); Something-Something
# V1, 16x3x1, inflated from the ImageNet-1K row of the same name: the paper's
# Tables 1a (row D=4), 1b (row M=3), 1c (row context), 6a (row both), 6b
# (row (3,3)) and 7 (row StructSA), on SSv1 (its numbers:
# configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d4_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=4,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

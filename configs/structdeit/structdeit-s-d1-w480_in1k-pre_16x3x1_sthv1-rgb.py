# DeiT-S with StructSA, ConvSA widened to StructSA's SSv1 FLOPs: 480 channels
# (6 heads of 80); Something-Something V1, 16x3x1, inflated from the
# ImageNet-1K row of the same name: the paper's Table 7, row ConvSA + channels,
# on SSv1 (its numbers: configs/structdeit/README.md, from
# structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d1-w480_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=1,
        arch=dict(_delete_=True, embed_dims=480, num_layers=12, num_heads=6),
        kv_stride=1,
        init_cfg=dict(checkpoint=in1k_checkpoint)),
    cls_head=dict(in_channels=480))

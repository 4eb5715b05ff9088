# DeiT-S with StructSA, ConvSA widened to StructSA's SSv1 FLOPs: 480 channels
# (6 heads of 80); ImageNet-1K 224x224. Not a paper row itself: the ImageNet-1K
# stage of the SSv1 row of the same name, the paper's Table 7, row ConvSA +
# channels, on SSv1 (its numbers: configs/structdeit/README.md, from
# structvit_mm/zoo.py; Table 7 matches the widened / deepened ConvSA to
# StructSA's FLOPs on each dataset separately).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(
        structure_dim=1,
        arch=dict(_delete_=True, embed_dims=480, num_layers=12, num_heads=6)),
    head=dict(in_channels=480))

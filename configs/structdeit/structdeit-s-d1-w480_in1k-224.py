# DeiT-S with StructSA, ConvSA widened to StructSA's SSv1 FLOPs: 480
# channels (6 heads of 80); ImageNet-1K 224x224. Paper: Table 7 ConvSA +
# channels, SSv1: 49.9 (34.3 M, 80.4 G). Not a paper row itself: the
# ImageNet-1K stage of the SSv1 row of the same name (Table 7 matches the
# widened / deepened ConvSA to StructSA's FLOPs on each dataset separately).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(
        structure_dim=1,
        arch=dict(_delete_=True, embed_dims=480, num_layers=12, num_heads=6)),
    head=dict(in_channels=480))

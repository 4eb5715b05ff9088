# DeiT-S with StructSA, ConvSA widened to StructSA's ImageNet FLOPs: 432
# channels (6 heads of 72); ImageNet-1K 224x224. Paper: Table 7 ConvSA +
# channels, IN-1K: 80.9 (27.9 M, 5.8 G).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(
        structure_dim=1,
        arch=dict(_delete_=True, embed_dims=432, num_layers=12, num_heads=6)),
    head=dict(in_channels=432))

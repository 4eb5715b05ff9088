# DeiT-S with StructSA, ConvSA deepened to StructSA's ImageNet FLOPs: 16
# blocks; ImageNet-1K 224x224. Paper: Table 7 ConvSA + layers, IN-1K: 81.0
# (29.3 M, 6.1 G).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(
        structure_dim=1,
        arch=dict(_delete_=True, embed_dims=384, num_layers=16, num_heads=6)))

# DeiT-S with StructSA, ConvSA (D = 1); ImageNet-1K 224x224. Paper: Table 1a
# D=1 and Table 7 ConvSA: IN-1K 80.8 (22.1 M, 4.6 G), SSv1 49.7 (22.8 M,
# 57.3 G).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(structure_dim=1))

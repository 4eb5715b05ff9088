# DeiT-S with StructSA, plain self-attention (DeiT-S itself); ImageNet-1K
# 224x224. Paper: Table 1a D=0 / 1b, 1c, 6b "SA": IN-1K 80.5, SSv1 48.3.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(structure_dim=0))

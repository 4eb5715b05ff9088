# DeiT-S with StructSA, D = 2; ImageNet-1K 224x224. Paper: Table 1a D=2:
# IN-1K 80.9, SSv1 50.1.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(structure_dim=2))

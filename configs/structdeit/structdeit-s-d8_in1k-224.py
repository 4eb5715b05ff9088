# DeiT-S with StructSA, D = 8; ImageNet-1K 224x224. Paper: Table 1a D=8:
# IN-1K 81.3, SSv1 50.6.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(structure_dim=8))

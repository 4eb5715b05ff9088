# DeiT-S with StructSA, D = 8; ImageNet-1K 224x224: the paper's Table 1a,
# row D=8, on IN-1K (its numbers: configs/structdeit/README.md, from
# structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(structure_dim=8))

# DeiT-S with StructSA, plain self-attention (DeiT-S itself); ImageNet-1K
# 224x224: the paper's Tables 1a (row D=0), 1b, 1c and 6b (row SA), on IN-1K
# (its numbers: configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(structure_dim=0))

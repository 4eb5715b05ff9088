# DeiT-S with StructSA, D = 4, the default StructSA (M = 3, context
# aggregation, channel-wise correlation and aggregation); ImageNet-1K 224x224:
# the paper's Tables 1a (row D=4), 1b (row M=3), 1c (row context), 6a
# (row both), 6b (row (3,3)) and 7 (row StructSA), on IN-1K (its numbers:
# configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(structure_dim=4))

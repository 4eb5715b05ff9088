# DeiT-S with StructSA, ConvSA widened to StructSA's ImageNet FLOPs: 432
# channels (6 heads of 72); ImageNet-1K 224x224: the paper's Table 7,
# row ConvSA + channels, on IN-1K (its numbers: configs/structdeit/README.md,
# from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(
        structure_dim=1,
        arch=dict(_delete_=True, embed_dims=432, num_layers=12, num_heads=6)),
    head=dict(in_channels=432))

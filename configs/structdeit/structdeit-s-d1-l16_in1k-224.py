# DeiT-S with StructSA, ConvSA deepened to StructSA's ImageNet FLOPs: 16
# blocks; ImageNet-1K 224x224: the paper's Table 7, row ConvSA + layers, on
# IN-1K (its numbers: configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(
        structure_dim=1,
        arch=dict(_delete_=True, embed_dims=384, num_layers=16, num_heads=6)))

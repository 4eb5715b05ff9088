# DeiT-S with StructSA, kernel M = 5; ImageNet-1K 224x224: the paper's
# Tables 1b (row M=5) and 6b (row (5,5)), on IN-1K (its numbers:
# configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(kernel_size=5))

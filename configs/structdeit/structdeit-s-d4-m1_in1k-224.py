# DeiT-S with StructSA, kernel M = 1 for detectors and aggregators; ImageNet-1K
# 224x224: the paper's Tables 1b (row M=1) and 6b (row (1,1)), on IN-1K (its
# numbers: configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(kernel_size=1))

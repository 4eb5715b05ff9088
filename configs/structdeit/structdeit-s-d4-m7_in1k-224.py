# DeiT-S with StructSA, kernel M = 7; ImageNet-1K 224x224. Paper: Table 1b
# M=7 = 6b (7,7): IN-1K 81.0, SSv1 50.5.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(kernel_size=7))

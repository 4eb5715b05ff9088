# DeiT-S with StructSA, kernel M = 1 for detectors and aggregators;
# ImageNet-1K 224x224. Paper: Table 1b M=1 = 6b (1,1): IN-1K 80.6, SSv1
# 48.5.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(kernel_size=1))

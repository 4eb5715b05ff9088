# DeiT-S with StructSA, detector kernel UK = 1, aggregator kernel UV = 3;
# ImageNet-1K 224x224. Paper: Table 6b (1,3): IN-1K 80.8, SSv1 48.7.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(kernel_size=1, value_kernel_size=3))

# DeiT-S with StructSA, detector kernel UK = 7, aggregator kernel UV = 3;
# ImageNet-1K 224x224. Paper: Table 6b (7,3): IN-1K 80.9, SSv1 50.3.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(kernel_size=7, value_kernel_size=3))

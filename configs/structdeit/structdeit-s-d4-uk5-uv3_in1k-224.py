# DeiT-S with StructSA, detector kernel UK = 5, aggregator kernel UV = 3;
# ImageNet-1K 224x224. Paper: Table 6b (5,3): IN-1K 81.0, SSv1 50.6.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(kernel_size=5, value_kernel_size=3))

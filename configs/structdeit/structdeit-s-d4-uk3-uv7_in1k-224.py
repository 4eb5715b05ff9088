# DeiT-S with StructSA, detector kernel UK = 3, aggregator kernel UV = 7;
# ImageNet-1K 224x224. Paper: Table 6b (3,7): IN-1K 81.0, SSv1 50.3.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(value_kernel_size=7))

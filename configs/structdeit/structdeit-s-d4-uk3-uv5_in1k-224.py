# DeiT-S with StructSA, detector kernel UK = 3, aggregator kernel UV = 5;
# ImageNet-1K 224x224: the paper's Table 6b, row (3,5), on IN-1K (its numbers:
# configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(value_kernel_size=5))

# DeiT-S with StructSA, channel-wise correlation only (shared aggregators);
# ImageNet-1K 224x224: the paper's Table 6a, row correlation only, on IN-1K
# (its numbers: configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(channelwise_aggregation=False))

# DeiT-S with StructSA, neither channel-wise correlation nor channel-wise
# aggregation; ImageNet-1K 224x224: the paper's Table 6a, row neither, on IN-1K
# (its numbers: configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(channelwise_correlation=False, channelwise_aggregation=False))

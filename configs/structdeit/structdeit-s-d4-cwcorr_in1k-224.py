# DeiT-S with StructSA, channel-wise correlation only (shared aggregators);
# ImageNet-1K 224x224. Paper: Table 6a correlation only: IN-1K 81.0, SSv1
# 49.9.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(channelwise_aggregation=False))

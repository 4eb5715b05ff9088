# DeiT-S with StructSA, neither channel-wise correlation nor channel-wise
# aggregation; ImageNet-1K 224x224. Paper: Table 6a neither: IN-1K 80.7,
# SSv1 48.7.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(channelwise_correlation=False, channelwise_aggregation=False))

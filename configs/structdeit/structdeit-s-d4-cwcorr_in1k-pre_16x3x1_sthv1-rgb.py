# DeiT-S with StructSA, channel-wise correlation only (shared aggregators);
# Something-Something V1, 16x3x1, inflated from the ImageNet-1K row of the same
# name: the paper's Table 6a, row correlation only, on SSv1 (its numbers:
# configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d4-cwcorr_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        channelwise_aggregation=False,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

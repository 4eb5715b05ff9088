# DeiT-S with StructSA, detector kernel UK = 1, aggregator kernel UV = 3;
# Something-Something V1, 16x3x1, inflated from the ImageNet-1K row of the
# same name. Paper: Table 6b (1,3): IN-1K 80.8, SSv1 48.7.
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d4-uk1-uv3_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        kernel_size=1, value_kernel_size=3,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

# DeiT-S with StructSA, detector kernel UK = 3, aggregator kernel UV = 5;
# Something-Something V1, 16x3x1, inflated from the ImageNet-1K row of the
# same name. Paper: Table 6b (3,5): IN-1K 81.2, SSv1 50.3.
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d4-uk3-uv5_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        value_kernel_size=5,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

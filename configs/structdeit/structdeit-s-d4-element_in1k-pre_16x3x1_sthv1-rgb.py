# DeiT-S with StructSA, element aggregation (Eq. 4: each key's own value, a
# value kernel of size 1; the same model as UK = 3, UV = 1);
# Something-Something V1, 16x3x1, inflated from the ImageNet-1K row of the same
# name: the paper's Tables 1c (row element) and 6b (row (3,1)), on SSv1 (its
# numbers: configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d4-element_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        aggregation='element',
        init_cfg=dict(checkpoint=in1k_checkpoint)))

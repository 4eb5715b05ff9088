# DeiT-S with StructSA, ConvSA deepened to StructSA's SSv1 FLOPs: 17 blocks;
# Something-Something V1, 16x3x1, inflated from the ImageNet-1K row of the same
# name: the paper's Table 7, row ConvSA + layers, on SSv1 (its numbers:
# configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-pre_16x3x1_sthv1-rgb.py']

in1k_checkpoint = 'work_dirs/structdeit-s-d1-l17_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=1,
        arch=dict(_delete_=True, embed_dims=384, num_layers=17, num_heads=6),
        kv_stride=1,
        init_cfg=dict(checkpoint=in1k_checkpoint)))

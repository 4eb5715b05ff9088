# StructViT-S-4-2 on Something-Something V2, fine-tuned from the public
# UniFormer-S Kinetics-400 weights converted by
# tools/convert/uniformer_to_structvit.py (docs/en/advanced_guides/warm_start.md). Not a paper
# row: the paper trains StructViT from scratch on ImageNet-1K, then K400.
# The converted model starts as UniFormer-S, its StructSA kernels at the
# 'attention' init; the K400 classifier is left out (174 classes here).
_base_ = ['../structvit/structvit-s-4-2_k400-pre_16x3x1_sthv2-rgb.py']

model = dict(backbone=dict(structure_init='attention'))
load_from = 'work_dirs/converted/structvit-s-4-2_from_uniformer-s-k400.pth'

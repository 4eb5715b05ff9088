# The analysis model (DeiT-S with StructSA, D = 4) on Something-Something
# V1, fine-tuned from the public DeiT-S ImageNet-1K weights converted and
# inflated by tools/convert/deit_to_structdeit.py (docs/en/advanced_guides/warm_start.md), in
# place of the paper's own ImageNet-1K StructDeiT run (Table 7 trains it
# from scratch). The backbone's image checkpoint is not read: load_from
# holds the whole converted video backbone.
_base_ = ['../structdeit/structdeit-s-d4_in1k-pre_16x3x1_sthv1-rgb.py']

model = dict(backbone=dict(structure_init='attention', init_cfg=None))
load_from = 'work_dirs/converted/structdeit-s-d4_from_deit-s_sthv1.pth'

# StructViT-B-4-1* at 384x384, the paper's Table 3, row B-4-1* 384 (its
# numbers: configs/structvit/README.md, from structvit_mm/zoo.py): the B 224
# Token Labeling row fine-tuned at 384, UniFormer's
# token_labeling/exp/uniformer_base_tl_384/run.sh (drop path 0.3; constant lr
# 5e-6, weight decay 1e-8, 50 + 10 cooldown epochs, batch 8 x 64,
# --token-label-size 12, no EMA, as S). Train structvit-b-4-1_tl_in1k-224.py
# first: load_from is its last checkpoint (another one: --cfg-options
# load_from=PATH).
_base_ = [
    '../_base_/models/structvit_s_in1k_tl.py',
    '../_base_/datasets/imagenet_tl_384.py',
    '../_base_/schedules/in1k_tl_finetune_384_60e.py',
    '../_base_/default_runtime_image.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(
    backbone=dict(arch='b', structure_dim=4, kv_stride=1, drop_path_rate=0.3))
load_from = 'work_dirs/structvit-b-4-1_tl_in1k-224/epoch_310.pth'
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))

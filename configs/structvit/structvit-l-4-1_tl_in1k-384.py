# StructViT-L-4-1* at 384x384, the paper's Table 3, row L-4-1* 384 (its
# numbers: configs/structvit/README.md, from structvit_mm/zoo.py): the L 224
# Token Labeling row fine-tuned at 384. UniFormer's
# token_labeling/exp/uniformer_large_ls_tl_384/run.sh: batch 8 x 32, the rest
# as S / B (constant lr 5e-6, weight decay 1e-8, 50 + 10 cooldown epochs, no
# EMA). That script names --model uniformer_small_plus with --drop-path 0.3, a
# copy slip from the S+ script; the L arch's drop path 0.4 is kept here. Train
# structvit-l-4-1_tl_in1k-224.py first: load_from is its last checkpoint
# (another one: --cfg-options load_from=PATH).
_base_ = [
    '../_base_/models/structvit_s_in1k_tl.py',
    '../_base_/datasets/imagenet_tl_384.py',
    '../_base_/schedules/in1k_tl_finetune_384_60e.py',
    '../_base_/default_runtime_image.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

# LayerScale 1e-6 (UniFormer-L-LS), as the 224 row whose weights it loads
model = dict(
    backbone=dict(arch='l', structure_dim=4, kv_stride=1, drop_path_rate=0.4,
                  layer_scale_init_value=1e-6),
    head=dict(in_channels=640))
load_from = 'work_dirs/structvit-l-4-1_tl_in1k-224/epoch_310.pth'
train_dataloader = dict(batch_size=32)
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))

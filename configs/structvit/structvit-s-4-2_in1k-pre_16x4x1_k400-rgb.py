# StructViT-S-4-2, Kinetics-400, 16x4x1: the paper's Table 4, row S-4-2 16x1x4
# (its numbers: configs/structvit/README.md, from structvit_mm/zoo.py; its
# GFLOPs cover 1 crop x 4 clips). Initialised from the ImageNet-1K
# StructViT-S-4-2 (the paper's protocol): the image checkpoint's 2D kernels are
# temporally inflated (centre) on load.
_base_ = [
    '../_base_/models/structvit_s_k400.py',
    '../_base_/datasets/k400_16x4x1_video.py',
    '../_base_/schedules/k400_adamw_110e.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

# the previous stage of the chain IN-1K -> K400 -> SS / Diving-48 / FineGym:
# the IN-1K row's last checkpoint (another file: --cfg-options
# model.backbone.init_cfg.checkpoint=PATH; none: model.backbone.init_cfg=None)
in1k_checkpoint = 'work_dirs/structvit-s-4-2_in1k-224/epoch_300.pth'
model = dict(
    backbone=dict(
        structure_dim=4,
        kv_stride=2,
        init_cfg=dict(
            type='Pretrained', checkpoint=in1k_checkpoint, inflate='center')))
# epoch_110.pth is the next stage's input
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))

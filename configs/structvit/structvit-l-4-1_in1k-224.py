# StructViT-L-4-1, ImageNet-1K 224x224, from scratch: the paper's Table 3,
# row L-4-1 (its numbers: configs/structvit/README.md, from
# structvit_mm/zoo.py). The paper's GFLOPs for this row is UniFormer-L's
# miscount (structvit_mm/zoo.py says by how much;
# docs/en/advanced_guides/models.md gives the measured count). The paper
# has no video row for this model.
_base_ = [
    '../_base_/models/structvit_l_in1k.py',
    '../_base_/datasets/imagenet_bs128_deit_224.py',
    '../_base_/schedules/in1k_adamw_300e.py',
    '../_base_/default_runtime_image.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(backbone=dict(structure_dim=4, kv_stride=1))
# 300 epochs: a checkpoint every 10 (epoch_300.pth is the next stage's input),
# the last three and the best kept
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))

# L trains on 16 GPUs (the paper's protocol): 16 x 64 keeps the paper's batch of 1024
train_dataloader = dict(batch_size=64)

# ImageNet-1K base of the analysis rows (Tables 1, 6, 7 of the paper; its
# section 4.2): DeiT-S with StructSA, 224x224, from scratch with the DeiT
# recipe of the StructViT rows (300 epochs, AdamW lr 1e-3 at batch 1024,
# mixup / cutmix, RandAugment, random erasing, label smoothing). Each row
# file changes only the StructSA switches; its epoch_300.pth initialises
# the Something-Something V1 row of the same name.
_base_ = [
    '../../_base_/models/structdeit_s_in1k.py',
    '../../_base_/datasets/imagenet_bs128_deit_224.py',
    '../../_base_/schedules/in1k_adamw_300e.py',
    '../../_base_/default_runtime_image.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

# DeiT: no weight decay on the cls token and the position embedding
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        '.cls_token': dict(decay_mult=0.0),
        '.pos_embed': dict(decay_mult=0.0)
    }))
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))

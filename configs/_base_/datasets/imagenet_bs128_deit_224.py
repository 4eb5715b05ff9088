# ImageNet-1K, 224x224, the DeiT recipe (the paper's protocol): mmpretrain's
# `ImageNet` reading data/imagenet/{train,val}/ with meta/{train,val}.txt.
# mmpretrain's Swin data config *is* the DeiT pipeline (RandomResizedCrop,
# flip, RandAugment rand-m9-mstd0.5-inc1, random erasing 0.25, bicubic
# resize 256 + centre crop 224 at test; mixup / cutmix / label smoothing
# live in the model config): only the batch changes, 128 per GPU so that
# 8 GPUs give the paper's batch of 1024 (auto_scale_lr base 1024).
_base_ = ['mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py']

num_classes = 1000

train_dataloader = dict(batch_size=128, num_workers=8,
                        persistent_workers=True)
val_dataloader = dict(batch_size=128, num_workers=8,
                      persistent_workers=True)
test_dataloader = val_dataloader

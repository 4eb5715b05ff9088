# ImageNet-1K, 224x224, with Token Labeling (rows marked * in the paper,
# "following the protocols in UniFormer", the paper). UniFormer's
# image_classification/token_labeling reads the NFNet-F6 score maps of
# Token Labeling (github.com/zihangJiang/TokenLabeling, "label_top5_train_
# nfnet": one (2, 5, 15, 15) .pt per training image, in the train/ folder
# layout) and moves them with the image's random crop, flip and RandAugment
# geometric ops (structvit_mm/datasets/token_label.py). The rest is the
# DeiT data recipe of the plain rows (imagenet_bs128_deit_224.py): RandAugment
# rand-m9-mstd0.5-inc1, random erasing 0.25; UniFormer's token-labeling
# main.py has no mixup / cutmix (--mixup / --cutmix default 0), MixToken
# replaces them (model config). Its test crop is timm's crop_pct 0.9:
# resize 248, centre crop 224.
_base_ = ['./imagenet_bs128_deit_224.py']

# the released maps, unpacked beside the images
token_label_root = 'data/imagenet/label_top5_train_nfnet'
# last stage tokens per side: input / 32 (UniFormer's --token-label-size 7)
token_label_size = 7

bgr_mean = _base_.data_preprocessor['mean'][::-1]
bgr_std = _base_.data_preprocessor['std'][::-1]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadTokenLabel', label_root=token_label_root,
         num_classes=_base_.num_classes),
    dict(
        type='TokenLabelRandomResizedCrop',
        scale=224,
        label_size=token_label_size,
        backend='pillow',
        interpolation='bicubic'),
    dict(type='TokenLabelRandomFlip', prob=0.5, direction='horizontal'),
    dict(
        type='RandAugment',
        # timm_increasing with Shear / Translate / Rotate moving the map
        policies='timm_increasing_tl',
        num_policies=2,
        total_level=10,
        magnitude_level=9,
        magnitude_std=0.5,
        hparams=dict(
            pad_val=[round(x) for x in bgr_mean], interpolation='bicubic')),
    dict(
        type='RandomErasing',
        erase_prob=0.25,
        mode='rand',
        min_area_ratio=0.02,
        max_area_ratio=1 / 3,
        fill_color=bgr_mean,
        fill_std=bgr_std),
    dict(type='PackInputs', algorithm_keys=['token_label', 'token_label_cls']),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='ResizeEdge',
        scale=248,
        edge='short',
        backend='pillow',
        interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

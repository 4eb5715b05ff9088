# ImageNet-1K at 384x384 with Token Labeling: the 224 file with UniFormer's
# 384 fine-tuning sizes (token_labeling/exp/uniformer_*_tl_384/run.sh:
# --img-size 384, --token-label-size 12 = 384 / 32, --batch-size 64 per GPU;
# test at timm's crop_pct 0.9: resize 426, centre crop 384).
_base_ = ['./imagenet_tl_224.py']

token_label_size = 12
train_pipeline = [
    dict(step, scale=384, label_size=token_label_size)
    if step['type'] == 'TokenLabelRandomResizedCrop' else step
    for step in _base_.train_pipeline
]
test_pipeline = [
    dict(step, scale=426) if step['type'] == 'ResizeEdge' else
    dict(step, crop_size=384) if step['type'] == 'CenterCrop' else step
    for step in _base_.test_pipeline
]

train_dataloader = dict(
    batch_size=64, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=64, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# Something-Something V2, 32x3x1: sthv2_16x3x1_video.py with 32 segments.
# Only the sampler's clip_len changes; the lists are rebuilt from the base's
# (config inheritance merges dicts key by key but replaces lists whole).
_base_ = ['./sthv2_16x3x1_video.py']

clip_len = 32


def _with_clip_len(pipeline):
    return [
        dict(step, clip_len=clip_len) if 'clip_len' in step else step
        for step in pipeline
    ]


train_pipeline = _with_clip_len(_base_.train_pipeline)
random_crop_only_pipeline = _with_clip_len(_base_.random_crop_only_pipeline)
val_pipeline = _with_clip_len(_base_.val_pipeline)
test_pipeline = _with_clip_len(_base_.test_pipeline)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

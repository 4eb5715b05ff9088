# Kinetics-400, 32x4x1 dense sampling: k400_16x4x1_video.py with 32 frames.
# The pipelines are the 16-frame file's, with only the sampler's clip_len
# replaced (config files inherit dicts key by key but lists as a whole, so
# the lists are rebuilt from the base's here rather than written again).
_base_ = ['./k400_16x4x1_video.py']

clip_len = 32


def _with_clip_len(pipeline):
    return [
        dict(step, clip_len=clip_len) if 'clip_len' in step else step
        for step in pipeline
    ]


train_pipeline = _with_clip_len(_base_.train_pipeline)
val_pipeline = _with_clip_len(_base_.val_pipeline)
test_pipeline = _with_clip_len(_base_.test_pipeline)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

# What the benchmarks' schedules share: AdamW (lr 2e-3 unless a benchmark
# sets its own: motion structure runs at 1e-3 / 5e-4) with weight decay
# 0.05 (none on norms and biases), gradients clipped at norm 5, a single
# test at the end and no validation split (the checkpoint tested is the
# last one). Each benchmark base sets its iterations, warm-up and cosine
# beside its data: the schedulers' ends are computed from them.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.),
    clip_grad=dict(max_norm=5, norm_type=2))
test_cfg = dict(type='TestLoop')
val_dataloader = None
val_cfg = None
val_evaluator = None

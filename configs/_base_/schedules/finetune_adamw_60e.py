# Fine-tuning schedule for SSv1 / SSv2, Diving-48 and FineGym (the paper's
# protocol): 60 epochs with 5 warm-up, the rest as Kinetics-400 (AdamW,
# lr 2e-4 at batch 64, weight decay 0.05, cosine). The two schedulers are
# the K400 file's with the epochs changed.
_base_ = ['./k400_adamw_110e.py']

max_epochs = 60
warmup_epochs = 5

train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(_base_.param_scheduler[0], end=warmup_epochs),
    dict(
        _base_.param_scheduler[1],
        T_max=max_epochs - warmup_epochs,
        begin=warmup_epochs,
        end=max_epochs)
]

# A fine-tuning row starts from the previous stage of the chain
# IN-1K -> K400 -> SS / Diving-48 / FineGym through its load_from: that
# stage's last checkpoint, loaded non-strictly after initialisation (the
# 400-way cls_head.fc_cls does not fit: mmengine logs the size mismatch and
# keeps the new head; every other weight is loaded).

# The diagnosis before the motion grids' schedule is chosen: training
# curves of D = 0, 1, 4, 8 at both inits ('default', PyTorch's; 'attention',
# each layer starting as plain attention) and both softmax readings
# ('joint' over all (key, detector) pairs, the paper's; 'per_detector'), on
# the small analysis model, several seeds, with test top-1 every 100
# iterations (TestCurveHook: the training is the same as without it):
#
#   python tools/analysis/ablate.py \
#       --grid configs/benchmark/grid_curves_motion.py \
#       --work-root work_dirs/curves_motion --jobs 2 --threads 1 \
#       --curve-interval 100 --scale 2 \
#       --cfg-options train_dataloader.batch_size=8
#
# (twice the updates of the grid's 16 x 600 at the same compute: updates,
# not samples, are what the plateau has cost so far; the iteration at
# which each run leaves it, read off curves.png, sets the grids' schedule).
# With D = 1 the two softmax readings are the same, so D = 1 has no
# per-detector variant.
config = 'configs/benchmark/structdeit-tiny-d4_8x32_motion-structure.py'
baseline = 'd4'
seeds = [0, 1, 2]

_bb = 'model.backbone.'
_init = _bb + 'structure_init=attention'
_pd = _bb + 'score_norm=per_detector'
variants = {'d0': [_bb + 'structure_dim=0']}
for _d in (1, 4, 8):
    _dim = [_bb + f'structure_dim={_d}']
    variants[f'd{_d}'] = _dim
    variants[f'd{_d}-attention-init'] = _dim + [_init]
    if _d > 1:
        variants[f'd{_d}-per-detector'] = _dim + [_pd]
        variants[f'd{_d}-attention-init-per-detector'] = _dim + [_init, _pd]

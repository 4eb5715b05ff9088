# The diagnosis that chose the motion grids' schedule: training curves of
# D = 0, 1, 4, 8 at both inits ('default', PyTorch's; 'attention', each
# layer starting as plain attention) and both softmax readings ('joint'
# over all (key, detector) pairs, the paper's; 'per_detector'), on the
# small analysis model, with test top-1 along the way (TestCurveHook: the
# training is the same as without it). At the benchmark's schedule:
#
#   python tools/analysis/ablate.py \
#       --grid configs/benchmark/grid_curves_motion.py \
#       --work-root work_dirs/curves_motion --jobs 2 --threads 1 \
#       --curve-interval 200
#
# The committed records were made before that schedule was set (batch 8 x
# 1200 at lr 2e-3, 6e-3, 1e-3, 5e-4 through --scale 2 and --cfg-options);
# docs/en/results/motion_structure.md (diagnosis) gives their commands.
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

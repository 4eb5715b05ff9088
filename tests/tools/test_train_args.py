"""tools/train.py's command line merged into a config (no training)."""
import os.path as osp

from mmengine import Config

from structvit_mm.cli import train as train_cli

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# a config whose runtime base sets `randomness = dict(seed=0, ...)`
CONFIG = osp.join(ROOT, 'configs', 'benchmark',
                  'structdeit-tiny-d4_8x32_motion-structure.py')


def _merged(monkeypatch, *argv, config=CONFIG):
    cfg = Config.fromfile(config)
    train_cli.merge_args(cfg, train_cli.parse_args([config, *argv]))
    return cfg


def test_seed_flag_overrides_the_configs_randomness(monkeypatch):
    """A seed sweep (tools/analysis/ablate.py passes --seed S) must train
    different seeds; mmaction2's train.py ignores --seed here."""
    assert Config.fromfile(CONFIG).randomness.seed == 0
    cfg = _merged(monkeypatch, '--seed', '3', '--deterministic')
    assert cfg.randomness.seed == 3
    assert cfg.randomness.deterministic is True
    assert _merged(monkeypatch).randomness.seed == 0


def test_seed_without_randomness_in_config(monkeypatch, tmp_path):
    bare = tmp_path / 'bare.py'
    bare.write_text(f"_base_ = ['{CONFIG}']\nrandomness = None\n")
    assert _merged(monkeypatch, '--seed', '5',
                   config=str(bare)).randomness.seed == 5
    r = _merged(monkeypatch, config=str(bare)).randomness
    assert r.seed is None and r.deterministic is False

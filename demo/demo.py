"""Classify one video file and print its top-5 classes.

    python demo/demo.py VIDEO CONFIG CHECKPOINT [--label-map FILE] \
        [--topk 5] [--device cpu] [--cfg-options ...]

As mmaction2's ``demo/demo.py`` (its ``init_recognizer`` and
``inference_recognizer`` do the work, with the config's ``test_pipeline``),
for StructViT configs: ``import structvit_mm`` applies the stack fixes
(mmengine checkpoints load under torch's ``weights_only=True``). The label
map has one class name per line, line ``i`` naming class ``i`` (as
mmaction2's ``tools/data/kinetics/label_map_k400.txt``); without it the
class indices are printed.
"""
import structvit_mm  # noqa: F401  (compat fixes + registration)
from structvit_mm.cli.demo import main

if __name__ == '__main__':
    main()

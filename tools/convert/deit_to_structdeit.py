"""Convert a public DeiT checkpoint into a StructDeiT one that starts as DeiT.

    python tools/convert/deit_to_structdeit.py SRC DST --config CONFIG [--force]

The StructSA detectors / aggregators, which DeiT lacks, get the
'attention' init; see docs/en/advanced_guides/warm_start.md for what is exact.
"""
from structvit_mm.convert import main

if __name__ == '__main__':
    main('deit')

"""Write what is derived from the paper's rows (structvit_mm/zoo.py):
model-index.yml, the metafiles, the configs' README tables and the
short-name configs (structvit_mm/model_index.py says what and how).

    python tools/misc/gen_model_index.py          # (re)write them
    python tools/misc/gen_model_index.py --check  # exit 1 if one drifted
"""
import sys

from structvit_mm.model_index import main

if __name__ == '__main__':
    sys.exit(main())

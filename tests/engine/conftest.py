import pytest
from small_runs import make_images, make_videos


@pytest.fixture(scope='session')
def three_class_data(tmp_path_factory):
    """Generated 3-class videos (``videos/``) and images (``images/``): a
    dataset whose class count differs from every config's, read-only."""
    root = tmp_path_factory.mktemp('three_class_data')
    make_videos(str(root / 'videos'), num_classes=3)
    make_images(str(root / 'images'), num_classes=3)
    return root

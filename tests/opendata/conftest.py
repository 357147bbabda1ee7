import pytest


@pytest.fixture
def opendata_demo(demo_data):
    """The roadmaps demo plus the open data demo (seven Levokumsky sets and the portal's own)."""
    from opendata.demo.loader import load

    return load()

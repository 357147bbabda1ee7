import pytest


@pytest.fixture
def levokumsky(demo_data):
    return demo_data["roadmaps"]["levokumsky-2021"]


@pytest.fixture
def khmr(demo_data):
    return demo_data["roadmaps"]["khmr-2019"]

import pytest

from .factories import roadmap_world


@pytest.fixture
def world(db):
    return roadmap_world()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what services queue after commit (the test's transaction never commits)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run

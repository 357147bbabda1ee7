"""The seed demo the tests share: municipalities, people and roadmaps, the appeals register and the region's
rating method (what `load_demo` loads before the referents, surveys, open data and reports demos)."""


def load_seed_demo() -> dict:
    from appeals.demo.loader import load as load_appeals
    from regions.demo.loader import load as load_rating_method
    from roadmaps.demo.loader import load

    result = load()
    load_appeals()
    load_rating_method()
    return result

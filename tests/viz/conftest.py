"""Fixtures of the viewer's tests: the course lessons' graphs, built once per session."""

import pytest
from lesson_graphs import gru_lesson, mnist_lesson


@pytest.fixture(scope="session")
def lesson_graph():
    """lesson_graph(name): the graph of one training batch of a course lesson."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = gru_lesson() if name == "13_name_classifier" else mnist_lesson(name)
        return cache[name]

    return get

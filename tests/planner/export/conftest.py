"""A demo plan shared by the document tests of a module.

Loading the demo takes long, so a module loads it once (committed, outside the
tests' transactions) and flushes the database afterwards, leaving it as empty as
every other test expects.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def demo(demo_module):
    return demo_module


@pytest.fixture
def demo_client(db, client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo-viewer"))
    return client

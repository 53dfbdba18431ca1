"""The server extension keeps the subshell transport's requests out of the
kernels' activity tracking (handlers.py UNTRACKED)."""

import pytest

from expressions import SAMPLE_REQUEST

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyterlab_gpu_session": True}}}


async def test_sample_and_subshell_requests_are_untracked(jp_serverapp):
    km = jp_serverapp.kernel_manager
    for msg_type in (SAMPLE_REQUEST, "create_subshell_request", "delete_subshell_request"):
        # jupyter_server sets execution_state only from tracked parents
        assert not km.track_message_type(msg_type), msg_type
    # what JupyterLab hands the page (untracked_message_types) is the same list
    assert km.track_message_type("execute_request")
    assert "status" in km.untracked_message_types

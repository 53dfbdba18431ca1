"""Settings of the extension's server part (``c.GpuSessionServer.*``)."""
from traitlets import Bool
from traitlets.config import Configurable


class GpuSessionServer(Configurable):
    """Settings of the extension's server part."""

    kernel_websocket_nodelay = Bool(
        True,
        config=True,
        help=(
            "Set TCP_NODELAY on kernel websockets, so small kernel replies reach "
            "the browser without Nagle's delay (about 40 ms each on Linux)."
        ),
    )

    sample_in_server = Bool(
        True,
        config=True,
        help=(
            "Let the front end take samples in the server process "
            "(POST {base_url}/gpu-session/sample) where no notebook kernel with "
            "subshells can take them, instead of starting a separate monitor "
            "kernel. Never used when kernels run behind a gateway."
        ),
    )

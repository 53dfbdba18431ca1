"""Whether this server's kernels run behind a gateway."""


def kernels_remote(km):
    """Kernels of a gateway (--gateway-url): what the server says of its own
    kernel culling is not theirs, and its machine is not theirs.

    Never the gateway's URL: the page needs to know that it is remote, not
    where it is.
    """
    try:
        from jupyter_server.gateway.managers import GatewayMappingKernelManager
    except ImportError:  # pragma: no cover - a server without gateway support
        return None
    if not isinstance(km, GatewayMappingKernelManager):
        return None
    return {"gateway": True,
            "note": "kernels run behind a gateway; kernel culling is the gateway's"}

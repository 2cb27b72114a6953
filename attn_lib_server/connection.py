"""The kernel websocket connection class for servers that take it from configuration (Voila).

Standalone Voila does not load Jupyter server extensions, so ``_load_jupyter_server_extension``
never wraps its connection class. Voila reads ``Voila.kernel_websocket_connection_class``
from ``voila.json`` on the Jupyter config path instead, and the ``voila.json`` that installing
attn_lib puts in ``etc/jupyter`` names :class:`NoDelayZMQChannelsWebsocketConnection`.
"""

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

from . import with_nodelay

NoDelayZMQChannelsWebsocketConnection = with_nodelay(ZMQChannelsWebsocketConnection)
"""jupyter_server's default kernel websocket connection, with Nagle's algorithm off."""

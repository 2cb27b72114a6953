"""A Jupyter server extension that sends kernel messages to the browser without delay.

Every live view of the course is a round trip: the browser sends the new slider value to the
Jupyter server, the server to the kernel, and the kernel's messages come back the same way.
One repaint is four small kernel messages in a row (status "busy", the control's echo, the new
view, status "idle"), and the server writes each to the browser's websocket as its own small TCP
segment. jupyter_server leaves Nagle's algorithm on for those sockets, so a segment written while
the previous one is unacknowledged is held back until the browser's delayed ACK arrives, up to
40 ms on Linux. Measured on a 2-core machine (benchmarks/explorer_latency.py): the explorer's
6-token p90 fell from about 70 ms to about 50 ms with this extension.

The extension turns Nagle's algorithm off (TCP_NODELAY) on kernel websockets, and changes
nothing else: it wraps whatever kernel websocket connection class the server is configured with.
Installing attn_lib enables it for Jupyter servers started from the same environment (JupyterLab,
Notebook 7) through ``etc/jupyter/jupyter_server_config.d/attn_lib_server.json``. Disable it
with ``jupyter server extension disable attn_lib_server``.

It is a package of its own, not part of ``attn_lib``, so the Jupyter server does not import
numpy and matplotlib.
"""

from __future__ import annotations

import socket

LOG_MESSAGE = "attn_lib_server: kernel websocket TCP_NODELAY=%s"
"""Logged (level INFO) for each kernel websocket, with the option read back from the socket."""


def _jupyter_server_extension_points():
    return [{"module": "attn_lib_server"}]


def nodelay_of(handler) -> int | None:
    """TCP_NODELAY as read back from the websocket's socket (1 or 0), or None when it has none."""
    try:
        sock = handler.ws_connection.stream.socket
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    except (AttributeError, OSError):            # closed, or not a TCP socket (a Unix socket)
        return None


def with_nodelay(connection_class: type) -> type:
    """A subclass of ``connection_class`` that turns Nagle's algorithm off before connecting.

    Parameters
    ----------
    connection_class : type
        A jupyter_server kernel websocket connection class (it has ``websocket_handler``, ``log``
        and ``connect()``).
    """
    if getattr(connection_class, "_attn_lib_nodelay", False):
        return connection_class

    class NoDelayConnection(connection_class):
        _attn_lib_nodelay = True

        def connect(self):
            self.websocket_handler.set_nodelay(True)
            self.log.info(LOG_MESSAGE, nodelay_of(self.websocket_handler))
            return super().connect()

    NoDelayConnection.__name__ = NoDelayConnection.__qualname__ = f"NoDelay{connection_class.__name__}"
    return NoDelayConnection


def _load_jupyter_server_extension(serverapp):
    settings = serverapp.web_app.settings
    configured = settings.get("kernel_websocket_connection_class") or serverapp.kernel_websocket_connection_class
    settings["kernel_websocket_connection_class"] = with_nodelay(configured)
    serverapp.log.info("attn_lib_server: kernel websockets use %s", settings["kernel_websocket_connection_class"].__name__)

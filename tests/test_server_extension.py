"""attn_lib_server: kernel websockets without Nagle's algorithm, enabled by installing attn_lib.

The browser tests check the running server (its log reports TCP_NODELAY=1 read back from the
websocket's socket); these tests check the pieces without a server.
"""

from __future__ import annotations

import importlib
import json
import logging
import pathlib
import socket
import types

import pytest

import attn_lib_server
from attn_lib_server import LOG_MESSAGE, nodelay_of, with_nodelay

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = ROOT / "jupyter-config" / "jupyter_server_config.d" / "attn_lib_server.json"
VOILA_CONFIG = ROOT / "jupyter-config" / "voila.json"


class FakeHandler:
    """What the connection uses of tornado's WebSocketHandler, on a real TCP socket."""

    def __init__(self, sock):
        self.ws_connection = types.SimpleNamespace(stream=types.SimpleNamespace(socket=sock))
        self.calls = []

    def set_nodelay(self, value):
        self.calls.append(value)
        self.ws_connection.stream.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, int(value))


class FakeConnection:
    """Stands in for jupyter_server's ZMQChannelsWebsocketConnection."""

    def __init__(self, handler, log):
        self.websocket_handler, self.log, self.connected = handler, log, False

    def connect(self):
        self.connected = True
        return "the base class's future"


@pytest.fixture
def tcp_pair():
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        yield accepted
        accepted.close()
        client.close()


def test_connect_turns_nagle_off_first_then_connects(tcp_pair, caplog):
    handler = FakeHandler(tcp_pair)
    connection = with_nodelay(FakeConnection)(handler, logging.getLogger("test-server"))
    assert nodelay_of(handler) == 0
    with caplog.at_level(logging.INFO, logger="test-server"):
        result = connection.connect()
    assert result == "the base class's future" and connection.connected
    assert handler.calls == [True]
    assert tcp_pair.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    assert LOG_MESSAGE % 1 in caplog.text


def test_nodelay_of_a_handler_without_a_tcp_socket_is_none():
    closed = types.SimpleNamespace(ws_connection=None)
    assert nodelay_of(closed) is None
    a, b = socket.socketpair()                      # a Unix socket has no TCP options
    try:
        assert nodelay_of(FakeHandler(a)) is None
    finally:
        a.close()
        b.close()


def test_wrapping_keeps_the_configured_class_and_is_idempotent():
    wrapped = with_nodelay(FakeConnection)
    assert issubclass(wrapped, FakeConnection) and wrapped is not FakeConnection
    assert wrapped.__name__ == "NoDelayFakeConnection"
    assert with_nodelay(wrapped) is wrapped


def test_loading_the_extension_wraps_the_servers_connection_class():
    settings = {"kernel_websocket_connection_class": FakeConnection}
    app = types.SimpleNamespace(web_app=types.SimpleNamespace(settings=settings),
                                kernel_websocket_connection_class=FakeConnection,
                                log=logging.getLogger("test-server"))
    attn_lib_server._load_jupyter_server_extension(app)
    assert issubclass(settings["kernel_websocket_connection_class"], FakeConnection)
    assert settings["kernel_websocket_connection_class"]._attn_lib_nodelay
    assert attn_lib_server._jupyter_server_extension_points() == [{"module": "attn_lib_server"}]


def test_the_real_connection_class_can_be_wrapped():
    channels = pytest.importorskip("jupyter_server.services.kernels.connection.channels",
                                   reason="jupyter_server is not installed")
    wrapped = with_nodelay(channels.ZMQChannelsWebsocketConnection)
    assert issubclass(wrapped, channels.ZMQChannelsWebsocketConnection)
    assert "connect" in vars(wrapped)


def test_installing_attn_lib_enables_the_extension():
    """The config file is in the repository, the wheel installs it, and this environment has it."""
    assert json.loads(CONFIG.read_text()) == {"ServerApp": {"jpserver_extensions": {"attn_lib_server": True}}}
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "attn_lib_server" in wheel["packages"]
    target = wheel["shared-data"][str(CONFIG.relative_to(ROOT))]
    assert target == "etc/jupyter/jupyter_server_config.d/attn_lib_server.json"
    paths = pytest.importorskip("jupyter_core.paths", reason="jupyter_core is not installed")
    installed = [pathlib.Path(d) / "jupyter_server_config.d" / "attn_lib_server.json"
                 for d in paths.jupyter_config_path()]
    found = [p for p in installed if p.exists()]
    assert found, f"attn_lib_server.json is in none of {[str(p.parent) for p in installed]}: reinstall attn_lib"
    assert json.loads(found[0].read_text()) == json.loads(CONFIG.read_text())


def test_installing_attn_lib_gives_standalone_voila_the_nodelay_connection():
    """Voila loads no server extensions; the voila.json attn_lib installs names the wrapped class."""
    name = json.loads(VOILA_CONFIG.read_text())["Voila"]["kernel_websocket_connection_class"]
    module_name, _, class_name = name.rpartition(".")
    pytest.importorskip("jupyter_server", reason="jupyter_server is not installed")
    connection = getattr(importlib.import_module(module_name), class_name)
    assert connection._attn_lib_nodelay and "connect" in vars(connection)
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["shared-data"][str(VOILA_CONFIG.relative_to(ROOT))] == "etc/jupyter/voila.json"
    voila_app = pytest.importorskip("voila.app", reason="voila is not installed")
    paths = pytest.importorskip("jupyter_core.paths", reason="jupyter_core is not installed")
    app = voila_app.Voila()
    app.load_config_file("voila", path=paths.jupyter_config_path())     # what Voila does at start
    assert app.kernel_websocket_connection_class is connection, (
        f"Voila would use {app.kernel_websocket_connection_class.__name__}: reinstall attn_lib")

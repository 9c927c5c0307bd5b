"""A local Telegram Bot API server and a WeChat-style web chat.

from simulator import SimulatorServer, seed
async with SimulatorServer() as server:
    await seed(server, {"users": [...], "groups": [...]})
    # python-telegram-bot: .base_url(server.api_base_url).base_file_url(server.file_base_url)
"""

from simulator.client import ControlClient
from simulator.faults import FaultConfig
from simulator.seed import seed
from simulator.server import SimulatorServer
from simulator.state import SimState

__all__ = ["ControlClient", "FaultConfig", "SimState", "SimulatorServer", "seed"]

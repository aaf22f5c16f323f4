"""wslint: will this WebSocket upgrade and survive idle time across every hop?"""

__version__ = "0.1.0"

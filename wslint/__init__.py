"""wslint: will this WebSocket upgrade and survive idle time across every hop?"""

__version__ = "0.1.0"

# appended to every internal-error line: a crash of wslint's own code is a bug to report, never a finding
BUG_HINT = (
    "this is a bug in wslint: please report it at https://github.com/wslint/wslint/issues with `wslint --version`"
)

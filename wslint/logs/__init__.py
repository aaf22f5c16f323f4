"""Logs as evidence (``wslint logs``): which hop closed the WebSockets, read from the logs users already have.

Readers (one module per log kind) turn each line into a ``Close`` or a client ``Session``; ``attribute`` matches
each to the route of the run's configs that served it and to the timeout that ended it, as the lines stream by;
``Evidence`` keeps counts, a bounded histogram and a few sample lines per group, never the lines themselves, so
memory does not grow with a log's length. The checks WS701 and WS702 (wslint.checks.logs) turn the groups into
findings.
"""

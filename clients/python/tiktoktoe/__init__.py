"""tiktoktoe: send predictions and labels from Python to a ``tiktoktoe serve`` monitoring server.

Standard library only. See README.md.
"""

from .client import VERSION as __version__
from .client import Client, ErrorInfo

__all__ = ["Client", "ErrorInfo", "__version__"]

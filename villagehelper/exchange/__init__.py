"""What a laptop and the commune server exchange, and how a store follows it.

Shared by both sides: the wire format (``wire``), the loop that applies the server's
feed to a laptop-schema store page by page (``feed``, ``apply``, ``stored_rows``), the
rows set aside because they cannot be applied (``quarantine``), the sync state a store
keeps in its settings table (``state``) and the commune snapshot a new laptop starts
from (``snapshot``).  A laptop follows the feed over HTTP (``villagehelper.sync``); the
server's per-commune replicas follow it in-process (``villagehelper.server.replicas``).

Nothing here imports the laptop's client, its UI, keys or SQLCipher, nor the server's
package: both sides import this one.
"""

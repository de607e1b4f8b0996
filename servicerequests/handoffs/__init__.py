"""Reseller → provider hand-offs: where SR-AZURE-NONTECH-PROVIDER-ONLY refuses an indirect reseller
or an advisor a non-technical Azure request, it asks the subscription's provider to file it.

- ``models``: the hand-off and its notes (app label ``servicerequests``);
- ``services``: create, accept (files through ``services.filing``), decline, add a note;
- ``selectors``: the hand-offs an actor's partner sent or received, nobody else's;
- ``views``, ``api``: the browser pages and the ``/v1`` extension.
"""

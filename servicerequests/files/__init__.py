"""Files attached to service requests: the model (``models``) and the rules a file must meet
(``rules``: the size and count limits, the allow-list of types checked by content, the name
sanitising). The writes are ``servicerequests.services.attachments``; the bytes live in the private
``attachments`` storage (``core.files``)."""

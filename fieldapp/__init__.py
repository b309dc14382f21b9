"""The inspector's phone app (``/m/``): an offline-first web app over the mobile API.

The server side is thin: the shell page, the web app manifest and the service worker (served from
``/m/`` so that its scope covers the app). Everything else is plain ES modules in
``fieldapp/static/fieldapp/js/`` talking to ``/api/v1`` with the device token, like a native client.
"""

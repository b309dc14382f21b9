"""The web console: server-rendered pages (Django templates + htmx, charts with ECharts) under ``/console/``.

A presentation room like the ninja routers: views are short, call the same services and selectors as
the API through :mod:`console.services`, and never hold a business rule. Every view is wrapped by
:func:`console.access.console_view`, which logs the user in through the session, hands the view
``request.principal`` (the API's :class:`kernel.access.Principal`) and turns the services' errors into
pages. ``docs/architecture.md`` says how to add a page.
"""

"""The bazaar's web pages: server-rendered HTML over the domain service.

Plugged into the API's app from above by ``volition.bazaar.server.build_app`` (:func:`install`):
the API never imports the pages. The pages sign in with the API's own bearer tokens, kept in
an HttpOnly cookie; every form POST carries a CSRF token; every write goes through ``Bazaar``;
domain errors are shown on the page with their status.
"""

from fastapi import FastAPI

from volition.bazaar.api.errors import use_error_page
from volition.bazaar.web.error_pages import page_for_error
from volition.bazaar.web.routes import router

__all__ = ["install", "page_for_error", "router"]


def install(app: FastAPI) -> None:
    """Add the pages to ``app`` (made by ``volition.bazaar.api.create_app``), and show its
    errors outside ``/api`` as HTML pages."""
    use_error_page(app, page_for_error)
    app.include_router(router)

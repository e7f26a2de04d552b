"""The bazaar's web pages: server-rendered HTML over the domain service.

Mounted by ``volition.bazaar.api.create_app`` beside the JSON API. The pages sign in with the
API's own bearer tokens, kept in an HttpOnly cookie; every form POST carries a CSRF token;
every write goes through ``Bazaar``; domain errors are shown on the page with their status.
"""

from volition.bazaar.web.error_pages import page_for_error
from volition.bazaar.web.routes import router

__all__ = ["page_for_error", "router"]

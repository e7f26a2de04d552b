"""The bazaar's HTTP API (FastAPI under ``/api``), a thin translation to domain calls."""

from volition.bazaar.api.app import ApiSettings, create_app

__all__ = ["ApiSettings", "create_app"]

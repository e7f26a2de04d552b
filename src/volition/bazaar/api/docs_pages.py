"""The API's interactive documentation, served offline: Swagger UI at ``/api/docs`` and ReDoc
at ``/api/redoc``, their scripts and styles from the installed ``fastapi-offline`` package under
``/api/docs-assets`` (FastAPI's defaults load them from a CDN: a blank page without internet).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

__all__ = ["ASSETS_URL", "install_docs_pages"]

ASSETS_URL = "/api/docs-assets"
# ReDoc's bundle draws its sidebar logo from its vendor's CDN; served from here instead
_REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def _redoc_bundle() -> bytes:
    bundle = files("fastapi_offline").joinpath("static", "redoc.standalone.js").read_bytes()
    return bundle.replace(_REDOC_CDN_LOGO, f"{ASSETS_URL}/favicon.png".encode())


def install_docs_pages(app: FastAPI, openapi_url: str = "/api/openapi.json") -> None:
    """Add ``/api/docs``, ``/api/redoc`` and the assets they load; create ``app`` with
    ``docs_url=None, redoc_url=None`` so FastAPI's CDN pages are not served as well."""
    assets = files("fastapi_offline").joinpath("static")

    @app.get(f"{ASSETS_URL}/redoc.offline.js", include_in_schema=False)
    def redoc_bundle() -> Response:
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(_redoc_bundle(), media_type="text/javascript", headers=headers)

    app.mount(ASSETS_URL, StaticFiles(directory=str(assets)), name="docs-assets")
    both: dict[str, Any] = {"openapi_url": openapi_url, "title": f"{app.title} - API"}
    icon = f"{ASSETS_URL}/favicon.png"

    @app.get("/api/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        js, css = f"{ASSETS_URL}/swagger-ui-bundle.js", f"{ASSETS_URL}/swagger-ui.css"
        return get_swagger_ui_html(
            **both, swagger_js_url=js, swagger_css_url=css, swagger_favicon_url=icon
        )

    @app.get("/api/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        js = f"{ASSETS_URL}/redoc.offline.js"
        return get_redoc_html(
            **both, redoc_js_url=js, redoc_favicon_url=icon, with_google_fonts=False
        )

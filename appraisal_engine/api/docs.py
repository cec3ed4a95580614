"""The /docs and /redoc pages, with Swagger UI's and ReDoc's scripts served by the app itself:
FastAPI's default pages load them from a CDN, which a city intranet may not reach."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS = "/docs-assets"
# fastapi-offline ships swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js and a
# favicon; only its files are used, behind FastAPI's own page templates.
_PACKAGE = ("fastapi_offline", "static")


def install(app: FastAPI) -> None:
    """Serve the assets and both pages; the app must be made with docs_url and redoc_url None."""
    app.mount(ASSETS, StaticFiles(packages=[_PACKAGE]), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
            oauth2_redirect_url=None,  # bearer tokens are pasted, there is no OAuth2 flow
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
            with_google_fonts=False,
        )


def _root(request: Request) -> str:
    # Behind a proxy that serves the API under a prefix, as FastAPI's own pages do.
    return str(request.scope.get("root_path", "")).rstrip("/")

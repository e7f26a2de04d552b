"""Pages a person can read: the site's icon, HTML error pages for forms, plain words for costs."""

from __future__ import annotations

from tests.web.conftest import Site


def test_the_favicon_is_served_as_an_image_and_linked_from_every_page(site: Site) -> None:
    client = site.client()
    for path in ("/favicon.ico", "/static/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("image/")
        assert r.content.lstrip().startswith(b"<svg")
    home = client.get("/").text
    assert '<link rel="icon" href="/static/favicon.svg"' in home

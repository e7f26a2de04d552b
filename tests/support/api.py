"""A tiny HTTP test harness: a real uvicorn server and httpx clients signed in as people."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.people import PASSWORD


class Api:
    """Opens clients against one running server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.anonymous = httpx.Client(base_url=base_url, timeout=60)
        self.clients: list[httpx.Client] = [self.anonymous]

    def sign_in(self, name: str, password: str = PASSWORD) -> httpx.Client:
        r = self.anonymous.post("/api/tokens", json={"name": name, "password": password})
        assert r.status_code == 201, r.text
        client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {r.json()['access_token']}"},
            timeout=60,
        )
        self.clients.append(client)
        return client

    def sign_up(self, name: str, roles: tuple[str, ...] = ("buyer",)) -> httpx.Client:
        r = self.anonymous.post(
            "/api/users", json={"name": name, "password": PASSWORD, "roles": list(roles)}
        )
        assert r.status_code == 201, r.text
        return self.sign_in(name)

    def close(self) -> None:
        for c in self.clients:
            c.close()


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON of a response that must have ``status``."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None

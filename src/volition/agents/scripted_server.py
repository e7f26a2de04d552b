"""A scripted OpenAI-compatible HTTP server on loopback, the testing seam of the LLM paths.

It speaks enough of the OpenAI protocol for the ``openai`` client (``POST
/v1/chat/completions``, ``GET /v1/models``) and answers from a script: fixed replies in
order, or a function of the request. Replies can be delayed (timeouts) or fail with an HTTP
status. Every request body is recorded, so tests can check what a model was shown::

    with ScriptedOpenAIServer(['{"action": "buy", "buy": ["o1"]}']) as server:
        buyer = LLMBuyer(Endpoint(server.base_url, "scripted"))
        ...
        assert "o1" in server.requests[0]["messages"][1]["content"]
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = ["Reply", "ScriptedOpenAIServer"]


@dataclass(frozen=True)
class Reply:
    """One scripted reply: the assistant's content, an optional delay, an HTTP status."""

    content: str = ""
    delay: float = 0.0
    status: int = 200


Responder = Callable[[dict[str, Any]], "Reply | str"]


class ScriptedOpenAIServer:
    """Serve scripted chat completions on 127.0.0.1 in a background thread."""

    def __init__(
        self, script: Iterable[Reply | str] = (), responder: Responder | None = None
    ) -> None:
        self.script: deque[Reply | str] = deque(script)
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []
        self._ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *replies: Reply | str) -> None:
        """Append replies to the script."""
        self.script.extend(replies)

    def _next(self, body: dict[str, Any]) -> Reply:
        if self.script:
            item = self.script.popleft()
        elif self.responder is not None:
            item = self.responder(body)
        else:
            return Reply("script exhausted", status=500)
        return Reply(item) if isinstance(item, str) else item

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def models() -> dict[str, Any]:
            return {"object": "list", "data": [{"id": "scripted", "object": "model"}]}

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append(body)
            self.authorizations.append(request.headers.get("authorization"))
            reply = self._next(body)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.status != 200:
                return JSONResponse({"error": {"message": reply.content}}, reply.status)
            prompt = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
            completion = len(reply.content.split())
            return JSONResponse(
                {
                    "id": f"chatcmpl-{next(self._ids)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "scripted"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                    },
                }
            )

        return app

    def __enter__(self) -> ScriptedOpenAIServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the scripted OpenAI server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

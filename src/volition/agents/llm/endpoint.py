"""One chat call to an OpenAI-compatible endpoint that must answer a JSON object.

The ``openai`` client is built per endpoint with the key passed directly (never through
process-wide environment variables), a timeout and no hidden retries: the inspection engine
decides about retries, with the reason. Structured output is asked for with a JSON schema
(``response_format``) and always validated here with pydantic, since not every server
honours the schema. Errors of the client become a short reason, never an exception that
reaches the engine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from volition.agents.llm.outbound import guarded_http_client
from volition.agents.views import Usage

__all__ = ["UNREACHABLE", "Endpoint", "JSONCall", "call_json"]

Model = TypeVar("Model", bound=BaseModel)
_OBJECT = re.compile(r"\{.*\}", re.S)

UNREACHABLE = "the LLM endpoint could not be reached or did not answer in time"
"""The one reason for every failure to talk to an endpoint (refused, timed out, no DNS, TLS, an
internal address): which one it was would tell a user what listens where inside the server's
network."""


@dataclass(frozen=True)
class Endpoint:
    """Where and how to call a model: base URL, model name, key, timeout and prices.

    Prices are US dollars per million tokens, used for cost accounting only. ``public_only``:
    the base URL came from a user, so the client connects to public addresses only
    (``volition.agents.llm.outbound``); the operator's own endpoints leave it off.
    """

    base_url: str
    model: str
    api_key: str = "not-needed"
    timeout: float = 60.0
    input_price_per_million: float = 0.0
    output_price_per_million: float = 0.0
    temperature: float | None = 0.0
    public_only: bool = False

    def __repr__(self) -> str:  # never print the key
        return f"Endpoint(base_url={self.base_url!r}, model={self.model!r})"

    def client(self) -> openai.OpenAI:
        http = None
        if self.public_only:
            http = guarded_http_client(timeout=self.timeout, follow_redirects=True)
        return openai.OpenAI(
            base_url=self.base_url,
            api_key=self.api_key,
            timeout=self.timeout,
            max_retries=0,
            http_client=http,
        )

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.input_price_per_million
            + completion_tokens * self.output_price_per_million
        ) / 1e6


@dataclass(frozen=True)
class JSONCall(Generic[Model]):
    """The outcome of one call: the validated answer or the reason there is none."""

    answer: Model | None
    usage: Usage
    error: str | None = None


def call_json(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    schema: type[Model],
    client: openai.OpenAI | None = None,
) -> JSONCall[Model]:
    """Ask for a JSON object matching ``schema``; validate it; account for tokens and cost."""
    client = client or endpoint.client()
    request: dict[str, Any] = {
        "model": endpoint.model,
        "messages": messages,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()},
        },
    }
    if endpoint.temperature is not None:
        request["temperature"] = endpoint.temperature
    try:
        response = client.chat.completions.create(**request)
    except openai.APIStatusError as exc:
        return JSONCall(None, Usage(), f"the endpoint answered HTTP {exc.status_code}")
    except openai.APIError:  # timeouts and connection errors alike: see UNREACHABLE
        return JSONCall(None, Usage(), f"{UNREACHABLE} ({endpoint.timeout:g}s)")
    usage = _usage(endpoint, response)
    content = response.choices[0].message.content if response.choices else None
    if not content:
        return JSONCall(None, usage, "the answer was empty")
    return _parse(content, schema, usage)


def _parse(content: str, schema: type[Model], usage: Usage) -> JSONCall[Model]:
    match = _OBJECT.search(content)
    if match is None:
        return JSONCall(None, usage, "the answer held no JSON object")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        return JSONCall(None, usage, f"the answer was not valid JSON ({exc.msg})")
    try:
        return JSONCall(schema.model_validate(data), usage)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "answer"
        return JSONCall(None, usage, f"the answer did not fit the schema: {where}: {err['msg']}")


def _usage(endpoint: Endpoint, response: Any) -> Usage:
    raw = getattr(response, "usage", None)
    prompt = int(getattr(raw, "prompt_tokens", 0) or 0)
    completion = int(getattr(raw, "completion_tokens", 0) or 0)
    return Usage(prompt, completion, endpoint.cost(prompt, completion))

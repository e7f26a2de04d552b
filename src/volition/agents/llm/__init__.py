"""LLM agents through any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, Ollama)."""

from volition.agents.llm.buyer import LLMBuyer
from volition.agents.llm.endpoint import Endpoint, JSONCall, call_json
from volition.agents.llm.seller import LLMSeller

__all__ = ["Endpoint", "JSONCall", "LLMBuyer", "LLMSeller", "call_json"]

"""Bot sellers under ``/api/bots`` (issue 4): to be filled in."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["bots"])

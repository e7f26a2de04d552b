"""Inspections over HTTP (issue 5): to be filled in."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["inspections"])

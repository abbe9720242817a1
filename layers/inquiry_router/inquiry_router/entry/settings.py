"""The one reader of the process environment: each function's settings, built once per process."""

from __future__ import annotations

import os
from functools import cache

from inquiry_router.models.settings import IntakeSettings, PipelineSettings


@cache
def intake_settings() -> IntakeSettings:
    return IntakeSettings.from_environment(os.environ)


@cache
def pipeline_settings() -> PipelineSettings:
    return PipelineSettings.from_environment(os.environ)

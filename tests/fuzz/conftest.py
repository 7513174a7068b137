"""Fuzz profiles: a short run by default (CI), a long one with QMS_FUZZ_LONG=1 (see docs/fuzzing.md)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("QMS_FUZZ_LONG") == "1"
#: Examples per harness: 200 in CI; QMS_FUZZ_LONG_EXAMPLES (default 20,000) in the long profile.
EXAMPLES = int(os.environ.get("QMS_FUZZ_LONG_EXAMPLES", "20000")) if LONG else 200

settings.register_profile("qms-fuzz", max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                 HealthCheck.data_too_large])

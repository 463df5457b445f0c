"""Prefect flows and the stages they wire: collect → extract → detect → index."""

import os

# Prefect's API server sends usage telemetry to Prefect's servers by default;
# Vigie talks to nothing but the sources it is given and its own services.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

"""Prefect flows and the stages they wire: collect → extract → detect → index."""

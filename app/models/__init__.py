"""Pydantic models: stored documents and the API's request and response shapes."""

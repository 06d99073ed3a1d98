"""Job matching on Azure Functions: the API, the background work and the matching
engine."""

__version__ = "0.1.0"

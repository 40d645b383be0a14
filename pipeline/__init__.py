"""c2c: the City-to-City Collaboration PDF pipeline (都市間連携事業)."""
__version__ = "0.1.0"

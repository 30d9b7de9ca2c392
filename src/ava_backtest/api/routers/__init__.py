"""The /api/v2 routers, one per resource."""

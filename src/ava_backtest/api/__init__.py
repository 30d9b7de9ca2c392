"""The FastAPI application: /api/v2 routers, the WebSocket, one error shape, the static UI."""

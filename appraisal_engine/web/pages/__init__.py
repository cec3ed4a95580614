"""The page routers, one module per area."""

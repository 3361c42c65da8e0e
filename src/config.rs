//! Configuration: `[tool.mlready]` in pyproject.toml or mlready.toml (stub, being written).

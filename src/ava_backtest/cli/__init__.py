"""The `ava` command line."""

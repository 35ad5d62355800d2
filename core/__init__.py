"""The floor every domain builds on; imports nothing above it."""

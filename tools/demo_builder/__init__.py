"""The demo catalog builder, split by concern; `tools/build_demo.py` is its entry point."""

# Convenience wrappers around ./dev (which needs only sh and python3).
.PHONY: serve test build check lint
serve build check test lint:
	./dev $@

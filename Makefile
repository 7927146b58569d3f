.PHONY: demo test
demo:  ## discover this machine through a throwaway local sshd and show the graph
	./scripts/demo
test:  ## ruff, mypy --strict and the whole pytest suite (installs what it needs)
	./scripts/test

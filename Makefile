# The two commands: `make run` starts the whole fleet, `make test` runs every test.
# Both install what is missing first. Every command runs on Node 24 through scripts/node.sh.
SHELL := /bin/bash
NODE := scripts/node.sh
BIN := $(NODE) node_modules/.bin
# Jest loads ESM-only packages (http-proxy-middleware 4) through Node's require(esm), which it
# supports on Node >= 24.9 with VM modules enabled. kafkajs' negative timeouts: see launcher.ts.
JEST := NODE_OPTIONS="--experimental-vm-modules --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning" $(BIN)/jest
SECRETS := .infra/secrets.env

.PHONY: run seed test install build infra test-tools stop lint format typecheck test-unit test-component test-e2e bench clean

# Demo data, in the order the services refer to one another's ids (catalog → stock → zones). Each
# seed migrates its schema first and changes nothing when run again.
SEEDS := product-service inventory-service location-service

run: build infra seed ## start MySQL/Redis/Kafka if needed, migrate, seed, start all eleven services
	@set -a; . $(SECRETS); set +a; exec $(NODE) node shared/dist/fleet/cli/run-fleet.js

seed: build infra ## load the demo city, catalog and stock (idempotent)
	@echo "==> seeding demo data: Bengaluru's dark stores and zones, the catalog, stock at every store"
	@set -a; . $(SECRETS); set +a; for service in $(SEEDS); do $(NODE) node $$service/dist/cli/seed-demo.js || exit 1; done

test: build infra test-tools ## lint, type-check, then unit, component and end-to-end tests
	@echo "==> lint and type-check"
	@$(BIN)/eslint .
	@$(BIN)/prettier --check --log-level warn .
	@$(BIN)/tsc -p tsconfig.check.json
	@echo "==> tests (unit, component, end-to-end) against real MySQL/MariaDB, Redis and Kafka"
	@set -a; . $(SECRETS); set +a; $(JEST) --ci --selectProjects unit component
	@echo "==> end-to-end tests (the fleet as processes, one fleet at a time, on topics of its own)"
	@set -a; . $(SECRETS); set +a; $(JEST) --ci --selectProjects e2e --runInBand

# `npm install` honours package-lock.json. Not `npm ci`: the lock can only record the platform
# packages the registry serves here (linux-x64), and npm 11's ci rejects a lock without the rest.
install: node_modules/.install-stamp
node_modules/.install-stamp: package.json package-lock.json */package.json
	@echo "==> installing dependencies (npm install, locked versions)"
	@$(NODE) npm install --no-audit --no-fund
	@touch $@

build: install ## compile TypeScript to JavaScript (each workspace's dist/)
	@echo "==> compiling TypeScript"
	@$(BIN)/tsc -b

infra: build ## find or start MySQL/MariaDB, Redis and Kafka; create users, schemas and topics (runs shared/dist)
	@scripts/infra.sh up

test-tools: ## find or install Chromium and Prometheus, which the browser and monitoring tests drive
	@scripts/test-tools.sh

stop: ## stop the Kafka broker this project started
	@scripts/infra.sh down

lint:
	@$(BIN)/eslint . && $(BIN)/prettier --check --log-level warn .

format:
	@$(BIN)/prettier --write . && $(BIN)/eslint --fix .

typecheck: build
	@$(BIN)/tsc -p tsconfig.check.json

test-unit: build
	@$(JEST) --selectProjects unit

test-component: build infra test-tools
	@set -a; . $(SECRETS); set +a; $(JEST) --selectProjects component

# Each e2e file starts a fleet of its own (own schemas, groups, Redis keys and topics); in band, one
# at a time, since several fleets of eleven processes are more than a small machine holds.
test-e2e: build infra test-tools
	@set -a; . $(SECRETS); set +a; $(JEST) --selectProjects e2e --runInBand

bench: build infra seed ## benchmarks; they print figures, they do not pass or fail
	@command -v wrk >/dev/null || { echo "the benchmarks drive load with wrk: sudo apt-get install wrk"; exit 1; }
	@$(NODE) node bench/logging/run.ts
	@$(NODE) node bench/gateway/run.ts
	@$(NODE) node bench/auth/run.ts
	@set -a; . $(SECRETS); set +a; $(NODE) node bench/catalog/run.ts

clean:
	@$(BIN)/tsc -b --clean

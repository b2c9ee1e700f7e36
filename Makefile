# copydesk: a thin wrapper over cargo and the deploy scripts. `make help` lists the targets.

CARGO ?= cargo
CORPUS ?= ../shared/corpus
# ARTICLES SECS ROUNDS of bench-lookup
BENCH_LOOKUP_ARGS ?= 100000 10 2
# soak: how many runs in a row, of which integration tests
SOAK_RUNS ?= 20
SOAK_TESTS ?= failures:: cluster:: exactly_once::
.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

.PHONY: demo
demo: ## The main job: a local Kafka broker, ingest and lookup services, the seed message in, its article looked up over gRPC
	bash deploy/demo.sh

.PHONY: demo-down
demo-down: ## Stop the demo's Kafka broker
	docker rm -f copydesk-demo-kafka

.PHONY: up
up: ## The stack, left running: Kafka, ingest, serve and Zipkin from local images; the corpus replayed, one article and its trace shown
	bash deploy/up.sh

.PHONY: down
down: ## Stop the stack `make up` started (the serve store's volume is kept; `make down-volumes` drops it)
	docker-compose -p copydesk -f deploy/compose.yaml down

.PHONY: down-volumes
down-volumes: ## Stop the stack and drop its volumes
	docker-compose -p copydesk -f deploy/compose.yaml down -v

.PHONY: images
images: docker broker-image build ## Build the copydesk and Zipkin images (reused when their inputs have not changed)
	bash deploy/copydesk/build-image.sh
	bash deploy/zipkin/build-image.sh

.PHONY: smoke
smoke: ## Smoke test of the stack (part of make test): make up, article over gRPC, its trace in Zipkin, non-zero /metrics, then down
	bash deploy/smoke.sh

.PHONY: check-deploy
check-deploy: ## Validate deploy/ offline: k8s manifests against the API schemas (kubernetes-validate), alert rules by promtool or our rulecheck over Prometheus's rule parser (once built: make go-tools)
	bash deploy/check-deploy.sh

.PHONY: deploy-check
deploy-check: check-deploy ## The same as check-deploy (its old name)

.PHONY: build
build: ## Build the copydesk binary (release)
	$(CARGO) build --release --locked -p copydesk

.PHONY: test
test: docker broker-image ## Every test, the integration tests over a real Kafka broker included, then the stack's smoke test (CI runs this)
	$(CARGO) build --release --locked -p copydesk
	$(CARGO) test --release --workspace --locked
	COPYDESK_NO_BUILD=1 bash deploy/smoke.sh

.PHONY: test-unit
test-unit: ## The tests that need no Docker: unit, golden, property, command line
	$(CARGO) test --release --workspace --locked --exclude copydesk-integration

.PHONY: soak
soak: docker broker-image ## The fault, rebalance and cluster tests SOAK_RUNS times in a row on one build, stopping at the first failure (SOAK_TESTS chooses)
	bash scripts/soak.sh $(SOAK_RUNS) $(SOAK_TESTS)

.PHONY: lint
lint: ## Clippy with warnings as errors, and rustfmt
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) fmt --check

.PHONY: golden
golden: ## Refresh the golden files after an intended extraction change
	UPDATE_EXPECT=1 $(CARGO) test --locked -p copydesk-extract --test golden

.PHONY: eval
eval: build ## Score extraction on the dev sets (same figures as score.py) with ms/page and pages/s
	./target/release/copydesk eval --corpus $(CORPUS)/dev --out .eval

.PHONY: eval-check
eval-check: eval ## Re-score eval's output with the reference score.py, for comparison
	@for s in trafilatura daniel chinese mediacloud wcxb; do \
	  echo "== $$s (score.py)"; python3 $(CORPUS)/../tools/score.py $$s $(CORPUS)/dev/$$s .eval/$$s.jsonl; done

.PHONY: seed
seed: build ## Extract the seed message and print it as JSON
	./target/release/copydesk extract --format json $(CORPUS)/seed/bbc-zhongwen-world-69124999.snapshot

.PHONY: bench-ingest
bench-ingest: docker broker-image ## Benchmark: end-to-end docs/s and ingest CPU ms/message vs offline, latency at half rate, RSS over a 10-minute drain
	# One build over the workspace: `-p` would unify features differently and rebuild dependencies.
	$(CARGO) build --release --locked --workspace --bin copydesk --bin bench-ingest
	$${CARGO_TARGET_DIR:-target}/release/bench-ingest 10000 10

.PHONY: bench-ingest-export
bench-ingest-export: docker broker-image ## Benchmark: trace export off vs on (OTLP to a live receiver), interleaved pairs: CPU ms/message and docs/s
	$(CARGO) build --release --locked --workspace --bin copydesk --bin bench-ingest
	$${CARGO_TARGET_DIR:-target}/release/bench-ingest export 3000 5

.PHONY: bench-ingest-versions
bench-ingest-versions: docker broker-image ## Benchmark: the copydesk binary at BASE=path vs this one, interleaved pairs: CPU ms/message and docs/s
	@test -n "$(BASE)" || { echo "usage: make bench-ingest-versions BASE=/path/to/an/older/copydesk" >&2; exit 64; }
	$(CARGO) build --release --locked --workspace --bin copydesk --bin bench-ingest
	$${CARGO_TARGET_DIR:-target}/release/bench-ingest versions $(BASE) 3000 5

.PHONY: bench-lookup
bench-lookup: docker broker-image ## Benchmark: serve's catch-up, store bytes/article vs the topic's, RSS; GetArticle/LookupArticle QPS and p99 by ghz beside a no-op tonic server
	bash scripts/go-tools.sh ghz
	# One build over the workspace: `-p` would unify features differently and rebuild dependencies.
	$(CARGO) build --release --locked --workspace --bin copydesk --bin bench-lookup --bin grpc-load
	$${CARGO_TARGET_DIR:-target}/release/bench-lookup $(BENCH_LOOKUP_ARGS)

.PHONY: go-tools
go-tools: ## Build the Go tools once into the cache (COPYDESK_CACHE, /var/cache/copydesk/go-bin): ghz (bench-lookup) and rulecheck (check-deploy's rule checker over Prometheus's rule parser); promtool only by `scripts/go-tools.sh promtool` (over 80 minutes)
	bash scripts/go-tools.sh ghz rulecheck

.PHONY: bench-extract
bench-extract: ## Benchmark: extraction ms/page and pages/s on the dev pages, beside dom_smoothie in the same run
	COPYDESK_CORPUS=$(abspath $(CORPUS))/dev $(CARGO) bench --locked -p copydesk-extract --bench speed

.PHONY: docker
docker: ## Install (if needed) and start the Docker engine
	bash deploy/docker/ensure-docker.sh

.PHONY: broker-image
broker-image: ## Build the local Apache Kafka image (no registry needed)
	bash deploy/kafka/build-image.sh

.PHONY: clean
clean: ## Remove build output and eval files
	$(CARGO) clean
	rm -rf .eval

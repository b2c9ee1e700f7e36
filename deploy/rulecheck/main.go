// Command rulecheck checks Prometheus alerting and recording rule files the
// way Prometheus itself loads them: it is our own small program, but the
// parsing and validation are Prometheus's (model/rulefmt.ParseFile), so the
// YAML shape, unknown fields, PromQL expressions, durations, label names and
// the Go templates of annotations are all judged by the rule loader that a
// Prometheus server runs. We use it instead of `promtool check rules`
// because cmd/promtool pulls in every service-discovery SDK and did not
// finish building in 80 minutes on our shared two-core machines; this
// program builds only the rule parser and its PromQL dependencies.
//
// usage: rulecheck FILE...   (exit 0: all valid; 1: some file refused; 64: usage)
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rulecheck FILE...")
		os.Exit(64)
	}
	// The parser with Prometheus's default options: only stable functions,
	// as a server without feature flags would accept.
	p := parser.NewParser(parser.Options{})
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	failed := false
	for _, file := range os.Args[1:] {
		groups, errs := rulefmt.ParseFile(file, false, model.UTF8Validation, p, logger)
		if len(errs) > 0 {
			failed = true
			fmt.Printf("FAILED %s:\n", file)
			for _, err := range errs {
				fmt.Printf("  %v\n", err)
			}
			continue
		}
		rules := 0
		for _, g := range groups.Groups {
			rules += len(g.Rules)
		}
		fmt.Printf("SUCCESS %s: %d groups, %d rules\n", file, len(groups.Groups), rules)
	}
	if failed {
		os.Exit(1)
	}
}

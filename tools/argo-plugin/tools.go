//go:build tools

// Package tools only records, for `go mod tidy`, the command this module exists to build (Argo Rollouts'
// kubectl plugin); the build tag keeps it out of every real compilation.
package tools

import _ "github.com/argoproj/argo-rollouts/cmd/kubectl-argo-rollouts"

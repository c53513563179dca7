//go:build tools

// Package tools only records, for `go mod tidy`, the commands this module exists to build;
// the build tag keeps it out of every real compilation.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)

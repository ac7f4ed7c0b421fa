//go:build tools

// Package tools pins the Kubernetes control-plane commands this module builds.
// k8s.io/kubernetes cannot be `go install`ed: its go.mod points every staging
// module at ./staging with v0.0.0, so this module requires it and replaces each
// staging module with the published v0.x.y of the same release (see go.mod).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)

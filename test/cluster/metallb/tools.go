//go:build tools

// Package tools pins MetalLB's controller, which test/cluster builds as the local cluster's load balancer; it is never
// compiled.
package tools

import _ "go.universe.tf/metallb/controller"

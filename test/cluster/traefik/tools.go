//go:build tools

// Package tools pins Traefik, which test/cluster builds as the local cluster's Gateway API controller; it is never
// compiled.
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"

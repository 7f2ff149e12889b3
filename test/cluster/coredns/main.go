// A CoreDNS with only what the local cluster's DNS tests need: it answers names from an etcd that external-dns writes
// to (its coredns provider), bound to 127.0.0.1, with its errors and queries logged. Built by test/cluster/dns.ts.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/etcd"
	_ "github.com/coredns/coredns/plugin/log"
)

func init() {
	// The order CoreDNS runs its plugins in: these four, as its own list orders them.
	dnsserver.Directives = []string{"bind", "errors", "log", "etcd"}
}

func main() {
	coremain.Run()
}

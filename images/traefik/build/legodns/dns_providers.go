// Package dns replaces lego's DNS-provider registry in Shipyard's local Traefik build.
//
// The published package (providers/dns/zz_gen_dns_providers.go) imports every DNS provider
// lego supports, and the Go module proxy this image is built from refuses several of their
// SDKs. This registry keeps lego's own provider code for RFC 2136 dynamic updates, under the
// same names as upstream's ("dnsupdate", and "rfc2136" as lego v4 called it:
// zz_gen_dns_providers.go:341-342 of lego v5.4.1), and refuses every other name the way
// upstream refuses an unknown one.
package dns

import (
	"fmt"

	"github.com/go-acme/lego/v5/challenge"
	"github.com/go-acme/lego/v5/providers/dns/dnsupdate"
)

// NewDNSChallengeProviderByName has the signature and behaviour of lego's factory for the
// providers this build carries.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	switch name {
	case "dnsupdate", "rfc2136":
		return dnsupdate.NewDNSProvider()
	default:
		return nil, fmt.Errorf("unrecognized DNS provider: %s (shipyard/traefik:bookworm carries only dnsupdate/rfc2136; the upstream traefik image has all of lego's)", name)
	}
}

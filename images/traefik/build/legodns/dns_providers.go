// Package dns replaces lego's DNS-provider registry in Shipyard's local Traefik build.
//
// The published package imports every DNS provider lego supports, and the Go module proxy
// this image is built from refuses several of their SDKs, so this build carries no DNS
// providers: Traefik's ACME DNS-01 challenge is unavailable in shipyard/traefik:bookworm
// (the HTTP-01 and TLS-ALPN-01 challenges and everything else are the real code).
package dns

import (
	"fmt"

	"github.com/go-acme/lego/v5/challenge"
)

// NewDNSChallengeProviderByName has the signature of lego's factory and always fails.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	return nil, fmt.Errorf("DNS challenge provider %q: DNS challenge providers are not built in this image (shipyard/traefik:bookworm); use the upstream traefik image for DNS-01", name)
}

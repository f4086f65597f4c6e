// Command pulumi-resource-random is the shipyard offline build of the Pulumi
// random provider (RandomPassword and RandomString). See plugins/README.md.
package main

import (
	"shipyard/plugins/internal/random"
	"shipyard/plugins/internal/rpc"
)

// Version must equal the version the @pulumi/random npm SDK asks for.
var Version = "4.21.2"

func main() {
	rpc.Main(&rpc.Server{
		Name:    "random",
		Version: Version,
		Resources: map[string]rpc.Resource{
			"random:index/randomPassword:RandomPassword": random.String{},
			"random:index/randomString:RandomString":     random.String{},
		},
	})
}

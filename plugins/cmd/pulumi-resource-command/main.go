// Command pulumi-resource-command is the shipyard offline build of the Pulumi
// command provider (command:local:Command). See plugins/README.md.
package main

import (
	"shipyard/plugins/internal/command"
	"shipyard/plugins/internal/rpc"
)

// Version must equal the version the @pulumi/command npm SDK asks for.
var Version = "1.2.1"

func main() {
	rpc.Main(&rpc.Server{
		Name:    "command",
		Version: Version,
		Resources: map[string]rpc.Resource{
			"command:local:Command": command.Local{},
		},
	})
}

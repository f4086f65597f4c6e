// Command pulumi-resource-docker is the shipyard offline build of the Pulumi
// docker provider: the resource types this project uses, spoken to the local
// engine through its HTTP API. See plugins/README.md.
package main

import (
	"fmt"
	"os"

	"shipyard/plugins/internal/docker"
	"shipyard/plugins/internal/dockerapi"
	"shipyard/plugins/internal/rpc"
)

// Version must equal the version the @pulumi/docker npm SDK asks for.
var Version = "5.2.0"

func main() {
	e := &docker.Engine{}
	rpc.Main(&rpc.Server{
		Name:    "docker",
		Version: Version,
		Resources: map[string]rpc.Resource{
			"docker:index/network:Network":             docker.Network{E: e},
			"docker:index/volume:Volume":               docker.Volume{E: e},
			"docker:index/container:Container":         docker.Container{E: e},
			"docker:index/remoteImage:RemoteImage":     docker.RemoteImage{E: e},
			"docker:index/service:Service":             docker.Service{E: e},
			"docker:index/secret:Secret":               docker.SwarmObject{E: e, Path: "secrets"},
			"docker:index/serviceConfig:ServiceConfig": docker.SwarmObject{E: e, Path: "configs"},
		},
		OnConfigure: func(vars map[string]string, args rpc.Props) error {
			// The provider's context overrides its host (TF provider.go:59-63, 204-216).
			name := rpc.Str(args, "context")
			if name == "" {
				name = vars["docker:config:context"]
			}
			if name == "" {
				name = os.Getenv("DOCKER_CONTEXT")
			}
			if name != "" {
				home, err := os.UserHomeDir()
				if err != nil {
					return fmt.Errorf("Could not determine current user. We don't know what the homedir is to look for docker contexts: %v", err)
				}
				h, err := dockerapi.ContextHost(name, home)
				if err != nil {
					return fmt.Errorf("Error loading Docker context '%s': %s", name, err)
				}
				e.Host = h
				return nil
			}
			if h := rpc.Str(args, "host"); h != "" {
				e.Host = h
			} else if h := vars["docker:config:host"]; h != "" {
				e.Host = h
			}
			auth, err := docker.ParseRegistryAuth(args["registryAuth"])
			if err != nil {
				return err
			}
			e.Auth = auth
			return nil
		},
		Functions: map[string]rpc.Function{
			"docker:index/getRegistryImage:getRegistryImage": e.GetRegistryImage,
		},
	})
}

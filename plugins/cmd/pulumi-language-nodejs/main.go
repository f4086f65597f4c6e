// Command pulumi-language-nodejs is the shipyard nodejs language host: it
// starts the language host built from the Pulumi SDK (installed beside it as
// pulumi-language-nodejs-base), forwards every call to it, and answers
// RunPlugin itself, which that older host does not implement and which the
// CLI needs to start a policy pack. See plugins/README.md.
package main

import (
	"fmt"
	"os"

	"shipyard/plugins/internal/langhost"
)

func main() {
	if err := langhost.Main(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (shipyard langhost): %v\n", err)
		os.Exit(1)
	}
}

// The kubernetes resource provider's main, as cmd/pulumi-resource-kubernetes has it, built from a wrapper module:
// the provider module's own replace directives make `go install` refuse it, and the two embedded JSON files are
// build outputs absent from the published module (build.sh generates them from its schema.json and
// terraform-mapping.json, as that command's generate.go does).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}

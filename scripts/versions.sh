# Pinned toolchain versions: one place to change them. Sourced.
#
# SHIPYARD_TOOLCHAIN picks where the Pulumi CLI and the provider plugins come from:
#   offline   (default) build the CLI, the language host and the provider plugins
#             from Go modules (plugins/ stands in for the upstream providers), for
#             machines that reach only package registries: this one, air-gapped users.
#   released  use the released Pulumi CLI >= PULUMI_VERSION already on PATH (the
#             workflows install it with pulumi/actions) and the upstream provider
#             plugins from `pulumi plugin install`; nothing is built from Go.
SHIPYARD_TOOLCHAIN="${SHIPYARD_TOOLCHAIN:-offline}"
# The Go module proxy reachable here serves github.com/pulumi/pulumi/pkg/v3 up to
# v3.259.0, so the CLI and the @pulumi/pulumi npm SDK are pinned there.
PULUMI_VERSION=3.259.0
# The nodejs language host is its own Go module from v3.69 on, and that module is
# refused by the proxy; v3.68.0 is the newest release that carries it inside sdk/v3.
LANGHOST_SDK_VERSION=3.68.0
CLIPBOARD_REPLACE="github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"
# Plugin versions must equal what the npm SDKs in package.json ask for.
DOCKER_PLUGIN_VERSION=5.2.0
RANDOM_PLUGIN_VERSION=4.21.2
COMMAND_PLUGIN_VERSION=1.2.1
# actionlint for .github/workflows (scripts/actionlint.sh), built from the Go module proxy.
ACTIONLINT_VERSION=v1.7.12
# The Docker engine setup installs when none answers (scripts/engine.sh): Debian's
# docker.io, containerd, docker-cli and docker-compose (Compose v2) from the newer
# suite, pinned by apt preferences so nothing else comes from there. The .deb files
# are kept in $SHIPYARD_CACHE/engine-debs/<version>/. When the suite no longer
# carries this build, the newest 28.x or later it carries, else trixie's 26.1.
DOCKER_ENGINE_SUITE=unstable
DOCKER_ENGINE_VERSION=28.5.2+dfsg4-5
DOCKER_ENGINE_MIN_MAJOR=28
DOCKER_ENGINE_FALLBACK_SUITE=trixie
# The test registry (scripts/registry-install.sh): Debian bookworm's Distribution
# registry and apache2-utils (htpasswd), .debs kept in $SHIPYARD_CACHE/registry-debs/<version>/.
REGISTRY_DEB_VERSION=2.8.2+ds1-1
APACHE2_UTILS_DEB_VERSION=2.4.71-1~deb12u1

/**
 * A Swarm service's image in the form upstream reads back. Upstream creates a
 * service with QueryRegistry (terraform-provider-docker v4.5.0
 * resource_docker_service_funcs.go:45), so its client pins the image to the
 * registry's digest and sets the placement's platforms
 * (moby v28.5.2 client/service_create.go:52-54, 87-149); Read writes both back
 * (resource_docker_service_structures.go:123-124, 491-492). A service declared
 * `name:tag` would therefore read back `name:tag@sha256:…` and be updated (its
 * tasks rolled) on every second `up`. The program pins every image that names a
 * registry itself, with the same lookup the app layer uses for containers
 * (`getRegistryImage`, stacks/app/images.ts), and leaves the platforms to the
 * engine (`ignoreChanges`, SERVICE_PLATFORMS).
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { namesRegistry } from "./imageRef";

export { namesRegistry } from "./imageRef";

/** The placement platforms the engine records at create from the registry: never the program's. */
export const SERVICE_PLATFORMS = "taskSpec.placement.platforms";

/** `ref@sha256:…` for an image that names a registry, else the reference as given. */
export function pinnedImage(image: pulumi.Input<string>, opts: pulumi.InvokeOptions): pulumi.Output<string> {
  return pulumi.output(image).apply(async (ref) => {
    if (!namesRegistry(ref)) return ref;
    const r = await docker.getRegistryImage({ name: ref }, opts);
    if (!r.sha256Digest) throw new Error(`image ${ref}: the registry answered no digest`);
    return `${ref}@${r.sha256Digest}`;
  });
}

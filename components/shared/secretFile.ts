import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";

import { SECRETS_DIR } from "./secretDir";

export { SECRETS_DIR };

/**
 * A secret passed as a file: the container gets `<ENV>_FILE=/run/secrets/<name>`
 * and the file, never the value in its environment (so `docker inspect` shows
 * no secret), and the upload is a secret in Pulumi state.
 */
export function secretFile(
  envName: string,
  fileName: string,
  value: pulumi.Input<string>,
): { env: string; upload: docker.types.input.ContainerUpload } {
  const file = `${SECRETS_DIR}/${fileName}`;
  return {
    env: `${envName}_FILE=${file}`,
    upload: { file, content: pulumi.secret(value), permissions: "0444" },
  };
}

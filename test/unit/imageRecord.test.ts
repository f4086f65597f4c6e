import type { Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { imagesBefore, imagesBeforeMessage } from "../../cli/deploy/imageRecord";
import { useTempFileBackend } from "./helpers/fileBackend";

const appDir = path.join(__dirname, "../..");

/** A stack whose `stack output` answers `images`, counting its calls. */
function fakeStack(name: string, images: Record<string, string>): { stack: Stack; calls: () => number } {
  let n = 0;
  const stack = {
    name,
    outputs: async () => {
      n++;
      return { images: { value: images, secret: false } };
    },
  } as unknown as Stack;
  return { stack, calls: () => n };
}

describe("the app layer's images before an update", () => {
  const backend = useTempFileBackend("shipyard-images-");
  const writeState = (stack: string, outputs: Record<string, unknown>) => {
    const stacks = path.join(backend(), ".pulumi", "stacks", "shipyard");
    fs.mkdirSync(stacks, { recursive: true });
    const resources = [
      {
        urn: `urn:pulumi:${stack}::shipyard::pulumi:pulumi:Stack::shipyard-${stack}`,
        type: "pulumi:pulumi:Stack",
        outputs,
      },
    ];
    fs.writeFileSync(
      path.join(stacks, `${stack}.json`),
      JSON.stringify({ checkpoint: { latest: { resources } } }),
    );
  };

  test("come from the file backend's state file, without `stack output` runs", async () => {
    writeState("x-dev", { images: { api: "shipyard/app@sha256:aa", web: "shipyard/app@sha256:bb" } });
    const { stack, calls } = fakeStack("x-dev", { api: "from-the-cli" });
    const m = await imagesBeforeMessage(stack, appDir);
    expect(imagesBefore({ message: m })).toEqual({
      api: "shipyard/app@sha256:aa",
      web: "shipyard/app@sha256:bb",
    });
    expect(calls()).toBe(0);
  });

  test("are none before the stack's first up (no images output yet)", async () => {
    writeState("y-dev", {});
    const { stack, calls } = fakeStack("y-dev", { api: "from-the-cli" });
    expect(imagesBefore({ message: await imagesBeforeMessage(stack, appDir) })).toEqual({});
    expect(calls()).toBe(0);
  });

  test("are asked of the CLI when the output is a secret or there is no state file", async () => {
    writeState("z-dev", {
      images: {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        ciphertext: "v1:abc",
      },
    });
    const secret = fakeStack("z-dev", { api: "from-the-cli" });
    expect(imagesBefore({ message: await imagesBeforeMessage(secret.stack, appDir) })).toEqual({
      api: "from-the-cli",
    });
    expect(secret.calls()).toBe(1);
    const none = fakeStack("w-dev", { api: "from-the-cli" });
    expect(imagesBefore({ message: await imagesBeforeMessage(none.stack, appDir) })).toEqual({
      api: "from-the-cli",
    });
    expect(none.calls()).toBe(1);
  });
});

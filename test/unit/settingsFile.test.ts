import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { settingsConfig } from "../../cli/pulumi/settingsFile";

const YAML = `config:
  shipyard:blueprint: demo
  shipyard:httpPort: "8081"
  shipyard:labels:
    team: web
  shipyard:secret:
    secure: v1:abc
`;

describe("a stack's settings file without the Automation API", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "settings-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: settings-test\nruntime: nodejs\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([".yaml", ".yml", ".json"])(
    "reads config from Pulumi.<stack>%s as LocalWorkspace.stackSettings does",
    async (ext) => {
      const text =
        ext === ".json" ? JSON.stringify({ config: { "shipyard:httpPort": "8081", "a:b": { c: 1 } } }) : YAML;
      fs.writeFileSync(path.join(dir, `Pulumi.demo-dev${ext}`), text);
      const ws = await LocalWorkspace.create({ workDir: dir });
      const theirs = (await ws.stackSettings("org/demo-dev")).config;
      expect(settingsConfig(dir, "org/demo-dev")).toEqual(theirs);
      expect(settingsConfig(dir, "demo-dev")).toEqual(theirs);
    },
  );

  it("says there is none where there is no file, and throws on a file it cannot parse", () => {
    expect(settingsConfig(dir, "demo-dev")).toBeUndefined();
    fs.writeFileSync(path.join(dir, "Pulumi.demo-dev.yaml"), "config: [unclosed\n");
    expect(() => settingsConfig(dir, "demo-dev")).toThrow();
    fs.writeFileSync(path.join(dir, "Pulumi.demo-dev.yaml"), "");
    expect(() => settingsConfig(dir, "demo-dev")).toThrow("not a settings mapping");
    fs.writeFileSync(path.join(dir, "Pulumi.demo-dev.yaml"), "secretsprovider: passphrase\n");
    expect(settingsConfig(dir, "demo-dev")).toBeUndefined();
  });
});

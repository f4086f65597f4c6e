/** The PR comment's image lines (cli/report/imageChanges.ts): a new digest under the same tag shows as old → new. */
import { imageChangeText, imageChanges } from "../../cli/report/imageChanges";
import { renderPreviews } from "../../cli/report/markdown";
import type { PreviewStep } from "../../cli/report/preview";

const urn = (name: string, type = "docker:index/container:Container") =>
  `urn:pulumi:demo-dev::shipyard::shipyard:app:AppStack$${type}::${name}`;
const ref = "127.0.0.1:5000/demo/app:main";
const a = `${ref}@sha256:${"a".repeat(64)}`;
const b = `${ref}@sha256:${"b".repeat(64)}`;

const steps: PreviewStep[] = [
  {
    op: "create-replacement",
    urn: urn("demo-api"),
    oldState: { inputs: { image: a } },
    newState: { inputs: { image: b } },
  },
  {
    op: "replace",
    urn: urn("demo-api"),
    oldState: { inputs: { image: a } },
    newState: { inputs: { image: b } },
  },
  {
    op: "replace",
    urn: urn("demo-web"),
    oldState: { inputs: { image: a, envs: ["X=1"] } },
    newState: { inputs: { image: a, envs: ["X=2"] } },
  },
  {
    op: "update",
    urn: urn("demo-worker", "docker:index/service:Service"),
    oldState: { inputs: { taskSpec: { containerSpec: { image: "shipyard/app:1" } } } },
    newState: { inputs: { taskSpec: { containerSpec: { image: "shipyard/app:2" } } } },
  },
  {
    op: "same",
    urn: urn("demo-proxy"),
    oldState: { inputs: { image: "x:1" } },
    newState: { inputs: { image: "x:1" } },
  },
];

test("one line per resource whose image changes; a digest change names only the new digest", () => {
  const changes = imageChanges(steps);
  expect(changes.map((c) => c.resource)).toEqual(["demo-api", "demo-worker"]);
  expect(imageChangeText(changes[0])).toBe(`image ${ref}@sha256:aaaaaaaaaaaa… → @sha256:bbbbbbbbbbbb…`);
  expect(imageChangeText(changes[1])).toBe("image shipyard/app:1 → shipyard/app:2");
});

test("the PR comment lists them under the stack", () => {
  const md = renderPreviews([
    {
      stack: "demo-dev",
      project: "shipyard",
      digest: { steps, changeSummary: { replace: 2 } },
      violations: [],
    },
  ]);
  expect(md).toContain(
    "| `demo-api` | image 127.0.0.1:5000/demo/app:main@sha256:aaaaaaaaaaaa… → @sha256:bbbbbbbbbbbb… |",
  );
  expect(md).not.toContain("`demo-web`");
});

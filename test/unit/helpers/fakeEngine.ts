import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";

/**
 * An engine answering only GET /version and /info, on a socket of its own, set
 * as DOCKER_HOST for the test file: the programs ask it for their engine facts
 * (stacks/engineFacts.ts refuses when no engine answers). The oldest supported
 * engine by default: API 1.41, no swap accounting.
 */
export function useFakeEngine(
  facts: { apiVersion: string; swapLimit: boolean } = { apiVersion: "1.41", swapLimit: false },
): void {
  const socket = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-engine-")), "docker.sock");
  const server = http.createServer((req, res) =>
    res.end(
      JSON.stringify(
        req.url === "/version" ? { ApiVersion: facts.apiVersion } : { SwapLimit: facts.swapLimit },
      ),
    ),
  );
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(socket, r));
    process.env.DOCKER_HOST = `unix://${socket}`;
  });
  afterAll(() => {
    server.close();
  });
}

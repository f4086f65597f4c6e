/** Two layers: fast unit tests with Pulumi mocks, and integration tests against
 * the real Pulumi engine and the local Docker engine. */
const tsJest = ["ts-jest", { diagnostics: false }];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
      setupFilesAfterEnv: ["<rootDir>/test/unit/setup.ts"],
    },
    {
      displayName: "integration",
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
      setupFilesAfterEnv: ["<rootDir>/test/integration/setup.ts"],
    },
  ],
};

// Real deployments take minutes, not the default five seconds.
jest.setTimeout(15 * 60 * 1000);

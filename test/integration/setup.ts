// Real deployments take minutes, not the default five seconds.
jest.setTimeout(15 * 60 * 1000);

// The integration tests run the local stand-ins (scripts/images.sh), by this
// machine's choice: scripts/setup.sh records it and scripts/env.sh exports it;
// set here too, so a machine whose record is missing still runs them.
process.env.SHIPYARD_IMAGE_SET ??= "local";

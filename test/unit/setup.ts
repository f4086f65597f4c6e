// Unit tests assert results, never durations: some run whole stack programs under
// Pulumi's mocks (3-5 s alone on 2 cores), and jest's default 5 s limit failed them
// on a loaded machine (tlsLayers "staging (acme)" at a load average of 12-45).
jest.setTimeout(2 * 60 * 1000);

// The machine's image set (SHIPYARD_IMAGE_SET, exported by scripts/env.sh on a
// machine that built its stand-ins) is not part of a unit test's input: a test
// that wants one passes it to parseConfig itself.
delete process.env.SHIPYARD_IMAGE_SET;

// Unit tests assert results, never durations: some run whole stack programs under
// Pulumi's mocks (3-5 s alone on 2 cores), and jest's default 5 s limit failed them
// on a loaded machine (tlsLayers "staging (acme)" at a load average of 12-45).
jest.setTimeout(2 * 60 * 1000);

/**
 * The e2e project's test runner: jest-circus with every file's tests and `describe` blocks in
 * random order, proving that no test depends on another's state (docs/e2e-tests.md). Jest's
 * `randomize` is a global option only, which would shuffle the unit project too, so this project
 * passes it to jest-circus itself. The seed prints in the summary; `--seed=N` replays an order.
 */
const circus = require('jest-circus/runner');

const run = circus.default ?? circus;

module.exports = (globalConfig, ...rest) => run({ ...globalConfig, randomize: true }, ...rest);

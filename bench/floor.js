// The floor of `npm run check` (npm run bench:fast): the program run under the mocks, as the compiled check runs it
// (dist/, built by offline/launch.js), in a fresh process, without schema validation and policies.
// Usage: node bench/floor.js <program.ts> <stack> <stack config file>
"use strict";
const path = require("path");
const { projectNameFor, runProgram } = require("../dist/offline/run-program");
const { loadStackConfigFile } = require("../dist/offline/stack-config");

const [program, stack, config] = process.argv.slice(2);
const project = projectNameFor(path.dirname(path.resolve(program)));
runProgram({ program, stack, project, config: loadStackConfigFile(config, project) }).then(
    () => process.exit(0),
    (err) => {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
    },
);

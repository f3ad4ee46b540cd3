// @stryker-mutator/mocha-runner 10.1.1 requires mocha/lib/cli/run-helpers, collect-files and options without an
// extension; Mocha 12 (the project's test runner) ships them as .cjs, so the runner fails to load
// ("Cannot find module 'mocha/lib/cli/run-helpers'"; stryker-js PR #6205 fixes it upstream). This adds the .cjs
// fallback to the installed runner. Idempotent; fails loudly when the runner's code no longer matches, which is
// the sign that an upstream release has made this shim unnecessary.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const runnerMain = createRequire(import.meta.url).resolve("@stryker-mutator/mocha-runner");
const file = path.join(path.dirname(runnerMain), "lib-wrapper.js");
const marker = "// webstack: Mocha 12 .cjs fallback";
const text = readFileSync(file, "utf8");
if (!text.includes(marker)) {
    const replacements = [
        ["require(`${mochaRoot}/lib/cli/run-helpers`)", "requireCli('run-helpers')"],
        ["require(`${mochaRoot}/lib/cli/options`)", "requireCli('options')"],
        ["require(`${mochaRoot}/lib/cli/collect-files`)", "requireCli('collect-files')"],
    ];
    let patched = text;
    for (const [from, to] of replacements) {
        if (!patched.includes(from)) {
            throw new Error(`${file}: "${from}" not found; check whether the mocha runner now supports Mocha 12 and drop this shim`);
        }
        patched = patched.replace(from, to);
    }
    const helper = `${marker}\nconst requireCli = (name) => { try { return require(\`\${mochaRoot}/lib/cli/\${name}\`); } catch { return require(\`\${mochaRoot}/lib/cli/\${name}.cjs\`); } };\n`;
    patched = patched.replace("const runHelpers = ", `${helper}const runHelpers = `);
    writeFileSync(file, patched);
}

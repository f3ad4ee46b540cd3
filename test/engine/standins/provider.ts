/**
 * Stand-ins for the two resource plugins the webstack program loads that the Go module proxy refuses to serve
 * (github.com/pulumi/pulumi-random/provider/v4 and github.com/pulumi/pulumi-docker/provider/v4: "403 Forbidden,
 * This module version is not available"). They exist for test:engine only, are put on PATH by the tests alone,
 * and report the version "0.0.0-webstack.standin" so that no state file can mistake them for the real plugins.
 *
 * - random: RandomPassword for real (crypto random, every input change replaces it as in pulumi-random), the
 *   character-set inputs the program can pass; `min*` counts and bcryptHash are not implemented and say so.
 * - docker: only the provider itself (Configure), which the program always creates for registry lookups.
 *   Every invoke and every create is refused with the reason, so a test that needs a registry lookup or an image
 *   build fails loudly instead of passing on made-up digests (the tests set verifyImageDigests false). A preview
 *   of api.build works: the engine only checks the Image's inputs then, and its digest stays unknown, as for real.
 *
 *   usage: node -r ts-node/register/transpile-only provider.ts <random|docker> <engine address>
 */
import { randomInt } from "crypto";
import * as provider from "@pulumi/pulumi/provider";

const VERSION = "0.0.0-webstack.standin";
const REFUSED =
    "is not available under test:engine: its provider module is not served by the Go module proxy " +
    "(see docs/engine.md); set verifyImageDigests false, and preview api.build without applying it";

function randomPassword(inputs: Record<string, any>): string {
    for (const unsupported of ["minLower", "minUpper", "minNumeric", "minSpecial"]) {
        if (inputs[unsupported]) {
            throw new Error(
                `random stand-in: RandomPassword.${unsupported}=${inputs[unsupported]} is not implemented; remove it or use the real pulumi-random plugin`,
            );
        }
    }
    const sets = [
        (inputs.lower ?? true) ? "abcdefghijklmnopqrstuvwxyz" : "",
        (inputs.upper ?? true) ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "",
        (inputs.numeric ?? inputs.number ?? true) ? "0123456789" : "",
        (inputs.special ?? true) ? (inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?") : "",
    ].join("");
    if (!Number.isInteger(inputs.length) || inputs.length < 1 || sets === "") {
        throw new Error(
            `random stand-in: RandomPassword needs length >= 1 and one character set; got length=${inputs.length}`,
        );
    }
    return Array.from({ length: inputs.length }, () => sets[randomInt(sets.length)]).join("");
}

const random: provider.Provider = {
    version: VERSION,
    diff(_id, _urn, olds, news) {
        const changed = Object.keys({ ...olds, ...news }).filter(
            (key) =>
                key !== "result" && key !== "bcryptHash" && JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
        );
        return Promise.resolve({ changes: changed.length > 0, replaces: changed });
    },
    create(urn, inputs) {
        // urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>
        if (!urn.split("::")[2].endsWith("random:index/randomPassword:RandomPassword")) {
            throw new Error(`random stand-in: ${urn.split("::")[2]} is not implemented, only RandomPassword`);
        }
        return Promise.resolve({
            id: `standin-${randomInt(1e9)}`,
            outs: { ...inputs, result: randomPassword(inputs) },
        });
    },
};

const docker: provider.Provider = {
    version: VERSION,
    create(urn) {
        throw new Error(`docker stand-in: ${urn.split("::")[2]} ${REFUSED}`);
    },
    invoke(token) {
        throw new Error(`docker stand-in: ${token} ${REFUSED}`);
    },
};

const [which, ...args] = process.argv.slice(2);
const chosen = { random, docker }[which];
if (!chosen) {
    console.error(`usage: provider.ts <random|docker> <engine address>; got "${which}"`);
    process.exit(2);
}
void provider.main(chosen, args); // an unhandled rejection ends the process with the error, as the engine expects

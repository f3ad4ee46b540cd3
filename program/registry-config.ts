// The stack config keys of the image registry (`webstack:registryAuth`, `verifyImageDigests`,
// `registryLookupHosts`) read into the ImageRegistry's arguments: program plumbing, with `pulumi config` advice.
import * as pulumi from "@pulumi/pulumi";
import { FieldProblem, HIDDEN, rejectProblems } from "../components/errors";
import type { ImageRegistryArgs, RegistryCredential } from "../components/images";
import { INTERNAL_REGISTRY_HOST } from "../components/facts";

/** Stack config keys (`webstack:<key>`) that configure the ImageRegistry; see {@link imageRegistryArgs}. */
export const IMAGE_REGISTRY_CONFIG_KEYS: readonly string[] = [
    "registryAuth",
    "verifyImageDigests",
    "registryLookupHosts",
];

/** The raw values of {@link IMAGE_REGISTRY_CONFIG_KEYS} as `config.getObject` returns them. */
export interface ImageRegistryConfig {
    registryAuth?: unknown;
    verifyImageDigests?: unknown;
    registryLookupHosts?: unknown;
    /** Whether `registryAuth` was stored with `--secret` (Pulumi marks the whole key when any part is secure). */
    registryAuthIsSecret: boolean;
}

/**
 * Validates the stack's image-registry config; every problem names the key, the value (never a password)
 * and the fix. Credentials come out wrapped as a Pulumi secret (L19).
 */
export function imageRegistryArgs(raw: ImageRegistryConfig): ImageRegistryArgs {
    const problems: FieldProblem[] = [];
    if (raw.verifyImageDigests !== undefined && typeof raw.verifyImageDigests !== "boolean") {
        problems.push({
            field: "verifyImageDigests",
            problem: "must be true or false",
            got: raw.verifyImageDigests,
            fix: "pulumi config set verifyImageDigests false (only where the registry cannot be reached at preview)",
            lessons: ["L17"],
        });
    }
    const hosts = raw.registryLookupHosts;
    const hostProblem = (got: unknown) =>
        problems.push({
            field: "registryLookupHosts",
            problem: "must map registry hosts to registry hosts",
            got,
            fix: `pulumi config set --path 'registryLookupHosts["${INTERNAL_REGISTRY_HOST}"]' default-route-openshift-image-registry.apps.<cluster domain>`,
            lessons: ["L17"],
        });
    if (hosts !== undefined) {
        if (hosts === null || typeof hosts !== "object" || Array.isArray(hosts)) {
            hostProblem(hosts);
        } else {
            for (const [from, to] of Object.entries(hosts as Record<string, unknown>)) {
                if (typeof to !== "string" || !isRegistryHost(from) || !isRegistryHost(to)) {
                    hostProblem({ [from]: to });
                }
            }
        }
    }
    const auth = raw.registryAuth;
    if (auth !== undefined) {
        const entries = Array.isArray(auth) ? auth : [auth];
        entries.forEach((entry, i) => {
            const e = (entry ?? {}) as Record<string, unknown>;
            for (const part of ["address", "username", "password"]) {
                if (typeof e[part] !== "string" || e[part] === "") {
                    problems.push({
                        field: `registryAuth[${i}].${part}`,
                        problem: "is required: a non-empty string",
                        got: part === "password" ? HIDDEN : e[part],
                        fix: `pulumi config set ${part === "password" ? "--secret " : ""}--path 'registryAuth[${i}].${part}' <${part}>`,
                        lessons: ["L19"],
                    });
                }
            }
        });
        if (!Array.isArray(auth)) {
            problems.push({
                field: "registryAuth",
                problem: "must be a list of {address, username, password}",
                got: HIDDEN,
                fix: "pulumi config set --path 'registryAuth[0].address' ghcr.io (then [0].username, and [0].password with --secret)",
                lessons: ["L19"],
            });
        }
        if (!raw.registryAuthIsSecret) {
            problems.push({
                field: "registryAuth",
                problem: "holds registry credentials in plain text in the stack file",
                got: HIDDEN,
                fix: "pulumi config rm registryAuth, then set the password with pulumi config set --secret --path 'registryAuth[0].password' <token>",
                lessons: ["L19"],
            });
        }
    }
    rejectProblems(problems);
    return {
        registryAuth: auth === undefined ? undefined : pulumi.secret(auth as RegistryCredential[]),
        verifyDigests: raw.verifyImageDigests as boolean | undefined,
        lookupHosts: hosts as Record<string, string> | undefined,
    };
}

function isRegistryHost(host: string): boolean {
    return /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]{1,5})?$/.test(host);
}

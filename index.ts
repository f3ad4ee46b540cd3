// The webstack program: read the stack's config, validate all of it before creating anything (L22), build one
// WebStack and export what is deployed (URL, namespace, image digests, version header value: L23, L24).
// Its components are the @webstack/components package's public surface (components/index.ts), as any other
// program that installs the package would use them (test/package.test.ts); the stack config layer (program/:
// config keys, `pulumi config` advice, stack files, the registry settings) is the program's own plumbing, outside the package. Both are
// imported from their source so no build step stands between an edit and `pulumi preview`: the file
// components/index.ts, since the directory would resolve to the package's compiled main (components/dist).
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isConfigSecret } from "@pulumi/pulumi/runtime/config";
import { ApiImageBuild, ImageRegistry, reportingProblems, WebStack } from "./components/index";
import { CONFIG_KEYS, parseStackConfig, readConfigKey } from "./program/config";
import { IMAGE_REGISTRY_CONFIG_KEYS, imageRegistryArgs } from "./program/registry-config";
import { stackFileProblem } from "./program/stack-file";
import { watchListWarning } from "./program/provider-env";
import { VERSION_HEADER_DEFAULT_NAME } from "./components/facts";

const config = new pulumi.Config();

// The kubernetes provider inherits this environment: without client-go's streaming list its Deployment await can
// end before a rollout starts (program/provider-env.ts). Only under the engine: an offline check (mocks) deploys nothing.
const providerEnvWarning = watchListWarning(process.env);
if (providerEnvWarning !== undefined && pulumi.runtime.getEngine() !== undefined) {
    void pulumi.log.warn(providerEnvWarning);
}

/** The project's config as plain values; unknown `webstack:*` keys are kept so the parser can name typos. */
function readRawConfig(): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
        raw[key] = readConfigKey(config, key);
    }
    // Keys the program does not know (typos such as `webstack:namspace`) are passed on so the parser names them.
    const prefix = `${pulumi.getProject()}:`;
    for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
        const key = fullKey.slice(prefix.length);
        if (fullKey.startsWith(prefix) && !(key in raw) && !IMAGE_REGISTRY_CONFIG_KEYS.includes(key)) {
            raw[key] = config.get(key);
        }
    }
    return raw;
}

// isConfigSecret is internal to the SDK (its typings omit it): it tells whether the key was stored with --secret (L19).
declare module "@pulumi/pulumi/runtime/config" {
    export function isConfigSecret(key: string): boolean;
}
// Every problem a user can cause (config, component args, image references) is reported once, as its own line,
// before anything is created (L22).
const { stack, versionHeaderName } = reportingProblems("the stack config", () => {
    const rawConfig = readRawConfig();
    const { appName, apiBuild, ...args } = parseStackConfig(rawConfig, {
        stack: pulumi.getStack(),
        secretKeys: CONFIG_KEYS.filter((key) => isConfigSecret(`${pulumi.getProject()}:${key}`)),
        // Only looked at when nothing is set: the stack file beside Pulumi.yaml (a missing file, an empty one or a
        // misspelt `config:` root all reach the program as "no config at all").
        stackFileProblem: Object.values(rawConfig).every((v) => v === undefined)
            ? stackFileProblem(path.join(__dirname, `Pulumi.${pulumi.getStack()}.yaml`), pulumi.getProject())
            : undefined,
    });
    // Registry lookups for every image (tags → digests, pinned digests checked to exist: L12, L17).
    const registryArgs = imageRegistryArgs({
        registryAuth: config.getObject("registryAuth"),
        verifyImageDigests: config.getObject("verifyImageDigests"),
        registryLookupHosts: config.getObject("registryLookupHosts"),
        registryAuthIsSecret: isConfigSecret(`${pulumi.getProject()}:registryAuth`),
    });
    const registry = new ImageRegistry(`${appName}-registry`, registryArgs);
    // api.build (dev stacks): deploy the digest the push produced, never the tag (L12).
    const apiImage = apiBuild
        ? new ApiImageBuild(`${appName}-api-build`, {
              ...apiBuild,
              registryAuth: registryArgs.registryAuth,
              configPath: "api.build.",
          }).imageRef
        : args.api.image;
    return {
        stack: new WebStack(appName, { ...args, api: { ...args.api, image: apiImage } }, { providers: [registry] }),
        versionHeaderName: args.site.versionHeaderName,
    };
});

export const url = stack.url;
export const namespace = stack.namespace;
export const images = stack.images;
export const version = stack.version;
/** The migration's declared schema version; `npm run promote` writes it into the target with the digests (L23). */
export const schemaVersion = stack.schemaVersion;
/** Selects this stack's pods only; `npm run verify` passes it to kubectl instead of every pod Pulumi manages. */
export const podSelector = stack.podSelector;
/** Name of the response header carrying `version`; `npm run verify -- --stack <name>` reads both (L24). */
export const versionHeader = versionHeaderName ?? VERSION_HEADER_DEFAULT_NAME;

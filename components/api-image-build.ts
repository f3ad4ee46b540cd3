// Optional API build for dev stacks: build and push with @pulumi/docker and deploy the pushed repoDigest,
// never the tag (L12: `imageName` alone would never roll the pods; L28).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { argsSchema, imageRefSchema } from "./args-schema";
import { argError, FieldProblem, rejectProblems } from "./errors";
import { digestOf, parseImageRef, repositoryOf } from "./image-ref";
import type { RegistryCredential } from "./images";

/** An image build as data (stack config `webstack:api.build`): everything but the credentials and the error path. */
export const apiImageBuildSchema = argsSchema<Omit<ApiImageBuildArgs, "registryAuth" | "configPath">>()({
    context: z.string(),
    dockerfile: z.string().optional(),
    repository: imageRefSchema,
    tag: z.string().optional(),
    platform: z.string().optional(),
    target: z.string().optional(),
});

export interface ApiImageBuildArgs {
    /** Build context directory, relative to the Pulumi project directory. Required. */
    context: string;
    /**
     * Dockerfile, relative to `context`.
     * @defaultValue "Dockerfile"
     */
    dockerfile?: string;
    /** Repository to push to, `registry[:port]/path` without tag or digest, e.g. "ghcr.io/org/shop-api". Required. */
    repository: string;
    /**
     * Tag pushed along with the image, for people browsing the registry; the deployment uses the digest.
     * @defaultValue "dev"
     */
    tag?: string;
    /**
     * Platform of the cluster's nodes.
     * @defaultValue "linux/amd64"
     */
    platform?: string;
    /**
     * Stage of a multi-stage Dockerfile to build.
     * @defaultValue the last stage
     */
    target?: string;
    /**
     * Registry credentials (the stack's `registryAuth`, from secret config, L19); the entry whose address is the
     * repository's registry is used for the push.
     * @defaultValue the local docker login
     */
    registryAuth?: pulumi.Input<RegistryCredential[]>;
    /**
     * Path of these args in the caller's terms, prefixed to field names in errors, e.g. "api.build.".
     * @defaultValue ""
     */
    configPath?: string;
}

/** Builds the API image and pushes it; `imageRef` is the pushed `repository@sha256:…`. */
export class ApiImageBuild extends pulumi.ComponentResource {
    /** Digest-pinned reference of the pushed image, unknown until the push (so also unknown at preview). */
    readonly imageRef: pulumi.Output<string>;

    constructor(name: string, args: ApiImageBuildArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:ApiImageBuild", name, {}, opts);
        const prefix = args.configPath ?? "";
        const repository = checkedRepository(args, prefix);
        const dockerfile = path.join(args.context, args.dockerfile ?? "Dockerfile");
        const registry = repository.slice(0, repository.indexOf("/"));
        const pushAuth =
            args.registryAuth === undefined
                ? undefined
                : pulumi.output(args.registryAuth).apply((credentials) => {
                      const match = credentials.find((c) => c.address === registry);
                      return match && { server: match.address, username: match.username, password: match.password };
                  });
        const image = new docker.Image(
            `${name}-image`,
            {
                imageName: `${repository}:${args.tag ?? "dev"}`,
                build: {
                    context: args.context,
                    dockerfile,
                    platform: args.platform ?? "linux/amd64",
                    target: args.target,
                },
                registry: pushAuth,
                skipPush: false,
            },
            { parent: this },
        );
        // The provider may spell the repository differently (short Docker Hub names); deploy ours + the digest.
        this.imageRef = image.repoDigest.apply((ref) => {
            const digest = ref === undefined ? undefined : digestOf(ref);
            if (digest === undefined) {
                throw argError({
                    field: `${prefix}repository`,
                    problem: `the build of ${repository} produced no pushed digest`,
                    got: ref,
                    fix: `check that the push to ${repository} succeeded (credentials, repository exists)`,
                    lessons: ["L12", "L17"],
                });
            }
            return `${repository}@${digest}`;
        });
        this.registerOutputs({ imageRef: this.imageRef });
    }
}

/** Validates the args at construction (preview), so a typo fails before any build (L22). */
function checkedRepository(args: ApiImageBuildArgs, prefix: string): string {
    const problems: FieldProblem[] = [];
    const ref = parseImageRef(args.repository, `${prefix}repository`);
    if (ref.tag !== undefined || ref.digest !== undefined) {
        problems.push({
            field: `${prefix}repository`,
            problem: "must name the repository only, without tag or digest",
            got: args.repository,
            fix: `set ${prefix}repository to ${repositoryOf(ref)} (and ${prefix}tag for the tag)`,
            lessons: ["L12"],
        });
    }
    if (!fs.existsSync(args.context) || !fs.statSync(args.context).isDirectory()) {
        problems.push({
            field: `${prefix}context`,
            problem: "is not a directory (relative to the Pulumi project)",
            got: args.context,
            fix: `point ${prefix}context at the API's source directory, e.g. ./api`,
            lessons: ["L22"],
        });
    } else if (!fs.existsSync(path.join(args.context, args.dockerfile ?? "Dockerfile"))) {
        problems.push({
            field: `${prefix}dockerfile`,
            problem: `does not exist in ${args.context}`,
            got: args.dockerfile ?? "Dockerfile",
            fix: `set ${prefix}dockerfile to the Dockerfile's path inside the context`,
            lessons: ["L22"],
        });
    }
    rejectProblems(problems);
    return repositoryOf(ref);
}

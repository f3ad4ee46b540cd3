import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { Container } from "../k8s";
import { fieldOf, validateWorkloads } from "../validate";

/**
 * The names a string references the way the kubelet expands command, args and env values (`$(NAME)`; `$$` is a
 * literal `$`, an unclosed `$(` is literal text): k8s.io/kubernetes third_party/forked/golang/expansion.
 */
export function expandedNames(text: string): string[] {
    const names: string[] = [];
    for (let i = 0; i < text.length - 1; i++) {
        if (text[i] !== "$") {
            continue;
        }
        if (text[i + 1] === "(") {
            const close = text.indexOf(")", i + 2);
            if (close >= 0) {
                names.push(text.slice(i + 2, close));
                i = close;
                continue;
            }
        }
        i += 1; // "$$", "$x" or an unclosed "$(": the next character is literal
    }
    return names;
}

/**
 * Where each env var of the container that carries a Secret's value comes from ("Secret \"redis\" key
 * \"password\""), in the order the kubelet defines them: envFrom first, then env, where a value that expands a
 * secret-carrying var carries it too and a later plain definition shadows it. `fromSecretPrefixes` are the
 * prefixes of envFrom secretRefs, whose keys the spec does not list.
 */
function secretSources(container: Container): {
    named: Map<string, string>;
    fromSecretPrefixes: { prefix: string; secret: string }[];
} {
    const named = new Map<string, string>();
    const fromSecretPrefixes = (container.envFrom ?? []).flatMap((source) =>
        source.secretRef ? [{ prefix: source.prefix ?? "", secret: `Secret "${source.secretRef.name ?? ""}"` }] : [],
    );
    for (const env of container.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        const carried =
            ref !== undefined
                ? `Secret "${ref.name ?? ""}" key "${ref.key ?? ""}"`
                : expandedNames(env.value ?? "")
                      .map((name) => named.get(name))
                      .find((source) => source !== undefined);
        if (carried === undefined) {
            named.delete(env.name);
        } else {
            named.set(env.name, carried);
        }
    }
    return { named, fromSecretPrefixes };
}

/** The Secret a `$(name)` in command/args would put on the command line, or undefined. */
function secretOf(name: string, container: Container, sources: ReturnType<typeof secretSources>): string | undefined {
    const direct = sources.named.get(name);
    if (direct !== undefined || (container.env ?? []).some((env) => env.name === name)) {
        return direct;
    }
    const envFrom = sources.fromSecretPrefixes.find((s) => name.startsWith(s.prefix));
    return envFrom && `${envFrom.secret} (envFrom)`;
}

/**
 * Lesson L19's family: a secret that reaches a process through `command`/`args` (`--requirepass
 * $(REDIS_PASSWORD)`) is on its command line, readable in /proc/<pid>/cmdline by anything that sees the pod's
 * processes, and in `ps` output and crash reports.
 */
export const noSecretInCommand: ResourceValidationPolicy = {
    ...policyMetadata("no-secret-in-command"),
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.allContainers) {
            const sources = secretSources(ref.container);
            for (const field of ["command", "args"] as const) {
                (ref.container[field] ?? []).forEach((arg, i) => {
                    for (const name of expandedNames(arg)) {
                        const secret = secretOf(name, ref.container, sources);
                        if (secret !== undefined) {
                            report(
                                `${fieldOf(who, ref, `${field}[${i}]`)}: $(${name}) puts the value of ${secret} on the process's command line, readable in /proc/<pid>/cmdline by every process that can see the pod's. Fix: give the program the secret as a file mounted from the Secret (an included config, an ACL file) or let it read the environment variable itself (e.g. REDISCLI_AUTH), never through command/args.`,
                            );
                        }
                    }
                });
            }
        }
    }),
};

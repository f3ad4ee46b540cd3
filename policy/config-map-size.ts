import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "./catalog";
import { closedSchema } from "./config";
import { ConfigMapProps, TYPES } from "./k8s";
import { subject, validateTypes } from "./validate";

export interface ConfigMapSizeConfig {
    /** size in bytes above which the ConfigMap is reported */
    maxBytes: number;
}

function utf8Length(text: string): number {
    let bytes = 0;
    for (const ch of text) {
        const code = ch.codePointAt(0)!;
        bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    }
    return bytes;
}

function base64DecodedLength(encoded: string): number {
    const clean = encoded.replace(/\s/g, "");
    const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
    return Math.floor((clean.length * 3) / 4) - padding;
}

/**
 * Bytes of keys and values in data and (decoded) binaryData: what counts against the 1 MiB object limit.
 * A value that is not a string (`port: 8080`, a schema error of its own) counts as its text, never crashes.
 */
export function configMapBytes(props: ConfigMapProps): number {
    const data: Record<string, unknown> = props.data ?? {};
    const binary: Record<string, unknown> = props.binaryData ?? {};
    const text = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));
    return (
        Object.entries(data).reduce((n, [k, v]) => n + utf8Length(k) + utf8Length(text(v)), 0) +
        Object.entries(binary).reduce((n, [k, v]) => n + utf8Length(k) + base64DecodedLength(text(v)), 0)
    );
}

/** The L08 size check at one threshold; the pack has an advisory and a mandatory instance. */
export function configMapSizePolicy(
    name: "configmap-size-advisory" | "configmap-size-limit",
    defaultMaxBytes: number,
): ResourceValidationPolicy {
    return {
        ...policyMetadata(name),
        configSchema: closedSchema({
            maxBytes: {
                type: "integer",
                minimum: 1,
                default: defaultMaxBytes,
                description: "Reported when data + binaryData exceed this many bytes.",
            },
        }),
        validateResource: validateTypes([TYPES.configMap], (props, args, report) => {
            const { maxBytes } = args.getConfig<ConfigMapSizeConfig>();
            const bytes = configMapBytes(props);
            if (bytes > maxBytes) {
                report(
                    `${subject(args.type, props, args.name)} (data/binaryData): ${bytes} bytes exceeds ${maxBytes} bytes. Fix: move the content to a PersistentVolumeClaim or a content image and keep only configuration in the ConfigMap.`,
                );
            }
        }),
    };
}

import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { envNameMatchesAny } from "../../components/facts";
import { fieldOf, validateWorkloads } from "../validate";

export interface PortEnvConfig {
    /** env names (globs) that set the container's own listen port */
    portEnvNames: string[];
    /** env names (globs) that point at other services' ports and are not checked */
    ignoredEnvNames: string[];
}

export const portEnvMatchesContainerPort: ResourceValidationPolicy = {
    ...policyMetadata("port-env-matches-container-port"),
    configSchema: closedSchema({
        portEnvNames: {
            type: "array",
            items: { type: "string" },
            default: ["PORT", "*_PORT", "*_PORT_*"],
            description: "Env names (globs) that set the container's listen port.",
        },
        ignoredEnvNames: {
            type: "array",
            items: { type: "string" },
            default: [
                "REDIS_*",
                "VALKEY_*",
                "DB_*",
                "DATABASE_*",
                "POSTGRES*",
                "PG*",
                "MYSQL_*",
                "MONGO*",
                "NATS_*",
                "NEO4J_*",
                "*_SERVICE_PORT*",
            ],
            description: "Env names (globs) that point at other services and are not checked.",
        },
    }),
    validateResource: validateWorkloads((workload, args, report, who) => {
        const { portEnvNames, ignoredEnvNames } = args.getConfig<PortEnvConfig>();
        for (const ref of workload.containers) {
            const ports = (ref.container.ports ?? []).map((p) => p.containerPort);
            if (ports.length === 0) {
                continue; // serves nothing (e.g. a migration Job sharing the API's env): no probe or Service can miss it
            }
            (ref.container.env ?? []).forEach((env, i) => {
                if (
                    env.value === undefined ||
                    !/^\d+$/.test(env.value) ||
                    !envNameMatchesAny(portEnvNames, env.name) ||
                    envNameMatchesAny(ignoredEnvNames, env.name)
                ) {
                    return;
                }
                if (!ports.includes(Number(env.value))) {
                    report(
                        `${fieldOf(who, ref, `env[${i}]`)}: ${env.name}=${env.value} is not among the container's ports (${ports.join(", ")}). Fix: use the same port value for ${env.name}, containerPort, probes and the Service targetPort.`,
                    );
                }
            });
        }
    }),
};

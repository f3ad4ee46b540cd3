// The local control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok (fake nodes)
// and attach.ts (volume attach stand-in), all on 127.0.0.1, state in .cluster/ (git-ignored).
//
//   npm run cluster:up     [-- --nodes 2]   start (or find running) and print `export KUBECONFIG=…`
//   npm run cluster:down   [-- --purge]     stop every process; --purge also deletes the state (etcd data, PKI)
//   npm run cluster:status                  exit 0 when every process runs and the API answers
//
// Binaries come from tools/cluster/build.sh (`npm run cluster:install`), run by `up` when missing.
// An `up` that fails or is interrupted (Ctrl-C, SIGTERM, SIGHUP) stops every process it started before it exits.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as YAML from "yaml";
import { DNS_LABEL } from "../../components/facts";
import { CommandSpec, helpText, parseCommandLine, UsageError } from "../../scripts/cli";
import { Interrupted, onInterrupt } from "./interrupt";

const repoRoot = path.resolve(__dirname, "..", "..");
export const STATE_DIR = process.env.WEBSTACK_CLUSTER_DIR ?? path.join(repoRoot, ".cluster");
const toolCache = path.join(
    process.env.WEBSTACK_TOOL_CACHE ?? path.join(process.env.HOME ?? "/root", ".cache", "webstack-tools"),
    "cluster",
);

/** The namespace a committed stack file deploys to (`webstack:namespace` of Pulumi.<stack>.yaml). */
function stackNamespace(stack: "dev" | "qa"): string {
    const file = path.join(repoRoot, `Pulumi.${stack}.yaml`);
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const namespace = doc?.config?.["webstack:namespace"];
    if (typeof namespace !== "string" || !DNS_LABEL.test(namespace)) {
        throw new Error(`${file}: webstack:namespace is not a namespace name (got ${JSON.stringify(namespace)})`);
    }
    return namespace;
}
/** Namespaces of the committed stacks, read from their stack files: created by up, Pod Security `restricted` (L30). */
export const STACK_NAMESPACES = { dev: stackNamespace("dev"), qa: stackNamespace("qa") };
/** Where the volumes of the static PersistentVolume pool would live (never written: nothing mounts them). */
const PV_POOL = { readWriteOnce: 12, readWriteMany: 6, size: "20Gi", storageClass: "standard" };
// OpenShift's own Route CRD (openshift/api, see crds/NOTICE), vendored so a fresh checkout has it.
const ROUTE_CRD = path.join(__dirname, "crds", "route.openshift.io_routes.yaml");

interface Binaries {
    etcd: string;
    kubeDir: string;
    kwok: string;
    kubeVersion: string;
}

/** A namespace whose pods Pod Security admission holds to "restricted", as the stacks' namespaces are (L30). */
export function restrictedNamespace(name: string) {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name,
            labels: {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
        },
    };
}

export interface ClusterState {
    ports: { etcdClient: number; etcdPeer: number; apiserver: number };
    kubeconfig: string;
    pids: Record<string, number>;
    /** How each process was started, so one can be started again the same way (restartAfterKill). */
    commands?: Record<string, { command: string; args: string[] }>;
}

const paths = {
    state: path.join(STATE_DIR, "state.json"),
    kubeconfig: path.join(STATE_DIR, "kubeconfig"),
    pki: path.join(STATE_DIR, "pki"),
    logs: path.join(STATE_DIR, "logs"),
    etcdData: path.join(STATE_DIR, "etcd"),
    manifests: path.join(STATE_DIR, "manifests"),
};
export const KUBECONFIG_PATH = paths.kubeconfig;

const log = (message: string) => process.stderr.write(`cluster: ${message}\n`);

function readBinaries(): Binaries | undefined {
    const envFile = path.join(toolCache, "versions.env");
    if (!fs.existsSync(envFile)) {
        return undefined;
    }
    const vars = Object.fromEntries(
        fs
            .readFileSync(envFile, "utf8")
            .trim()
            .split("\n")
            .map((line) => line.split("=", 2) as [string, string]),
    );
    const bins = {
        etcd: vars.ETCD_BIN,
        kubeDir: vars.KUBE_BIN_DIR,
        kwok: vars.KWOK_BIN,
        kubeVersion: vars.KUBE_VERSION,
    };
    const all = [
        bins.etcd,
        bins.kwok,
        ...["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"].map((b) =>
            path.join(bins.kubeDir, b),
        ),
    ];
    return all.every((f) => f && fs.existsSync(f)) ? bins : undefined;
}

/**
 * The binaries, built by tools/cluster/build.sh when missing or stale (the script is idempotent, and a build it
 * did not finish leaves only a `.tmp` folder that the next run replaces). An abort stops the build and its compilers.
 */
async function ensureBinaries(signal?: AbortSignal): Promise<Binaries> {
    // detached: its own process group, so an abort reaches the go compilers it runs, not only the script.
    const build = spawn("bash", [path.join(__dirname, "build.sh")], {
        detached: true,
        stdio: ["ignore", "ignore", "inherit"],
    });
    const stopBuild = () => signalGroup(build.pid!, "SIGTERM");
    signal?.addEventListener("abort", stopBuild);
    const [code, killedBy] = (await new Promise((resolve, reject) => {
        build.once("error", reject);
        build.once("exit", (...result) => resolve(result));
    }).finally(() => signal?.removeEventListener("abort", stopBuild))) as [number | null, NodeJS.Signals | null];
    signal?.throwIfAborted();
    if (code !== 0) {
        throw new Error(
            `tools/cluster/build.sh failed (${killedBy ?? `exit ${code}`}). Fix: run npm run cluster:install and read its output`,
        );
    }
    const bins = readBinaries();
    if (!bins) {
        throw new Error(
            `tools/cluster/build.sh finished but ${toolCache}/versions.env does not name every binary. Fix: rerun npm run cluster:install and read its output`,
        );
    }
    return bins;
}

export function kubectlPath(): string {
    const bins = readBinaries();
    if (!bins) {
        throw new Error("kubectl is not built yet. Fix: npm run cluster:install");
    }
    return path.join(bins.kubeDir, "kubectl");
}

function readState(): ClusterState | undefined {
    return fs.existsSync(paths.state) ? (JSON.parse(fs.readFileSync(paths.state, "utf8")) as ClusterState) : undefined;
}

function isRunning(pid: number, binary: string): boolean {
    try {
        // The pid may have been reused since: it counts only if it still runs our binary.
        return fs
            .readFileSync(`/proc/${pid}/cmdline`, "utf8")
            .split("\0")
            .some((arg) => arg.endsWith(binary));
    } catch {
        return false;
    }
}

/**
 * Every process `up` starts (name → what its command line ends with), in the order `down` stops them, and how long
 * each stage waits after SIGTERM before SIGKILL. The API's clients go first, so none of them retries against an API
 * that is going away; kube-apiserver next, while etcd still answers its shutdown hook (it removes its own endpoint
 * lease); etcd last. Only etcd's stop matters for the data (it syncs its WAL on SIGTERM, and a kill is recovered from
 * the WAL anyway); the others keep nothing of their own.
 */
export const STOP_STAGES: { processes: Record<string, string>; graceSeconds: number }[] = [
    {
        processes: {
            attach: "attach.ts",
            kwok: "kwok",
            "kube-scheduler": "kube-scheduler",
            "kube-controller-manager": "kube-controller-manager",
        },
        graceSeconds: 5,
    },
    { processes: { "kube-apiserver": "kube-apiserver" }, graceSeconds: 10 },
    { processes: { etcd: "etcd" }, graceSeconds: 15 },
];
const processBinary = Object.fromEntries(STOP_STAGES.flatMap((s) => Object.entries(s.processes)));

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

function openssl(args: string[]): void {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * CA, API server certificate for 127.0.0.1, an admin client certificate (system:masters), service-account keys.
 * Made in a scratch folder renamed into place at the end: an interrupted `up` leaves no half set for the next one.
 */
function ensurePki(): void {
    if (fs.existsSync(paths.pki)) {
        return;
    }
    const scratch = `${paths.pki}.partial`;
    const p = (f: string) => path.join(scratch, f);
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl([
        "req",
        "-x509",
        ...ec,
        "-keyout",
        p("ca.key"),
        "-out",
        p("ca.crt"),
        "-days",
        "3650",
        "-subj",
        "/CN=webstack-local-ca",
    ]);
    const sign = (name: string, subject: string, extensions: string) => {
        fs.writeFileSync(p(`${name}.ext`), extensions);
        openssl(["req", ...ec, "-keyout", p(`${name}.key`), "-out", p(`${name}.csr`), "-subj", subject]);
        openssl([
            "x509",
            "-req",
            "-in",
            p(`${name}.csr`),
            "-CA",
            p("ca.crt"),
            "-CAkey",
            p("ca.key"),
            "-CAcreateserial",
            "-days",
            "3650",
            "-out",
            p(`${name}.crt`),
            "-extfile",
            p(`${name}.ext`),
        ]);
    };
    sign(
        "apiserver",
        "/CN=kube-apiserver",
        "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n" +
            "extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n",
    );
    sign("admin", "/O=system:masters/CN=webstack-admin", "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n");
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", p("sa.key")]);
    openssl(["pkey", "-in", p("sa.key"), "-pubout", "-out", p("sa.pub")]);
    fs.renameSync(scratch, paths.pki);
}

function writeKubeconfig(apiserverPort: number): void {
    const b64 = (f: string) => fs.readFileSync(path.join(paths.pki, f)).toString("base64");
    fs.writeFileSync(
        paths.kubeconfig,
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: webstack-local",
            "  cluster:",
            `    server: https://127.0.0.1:${apiserverPort}`,
            `    certificate-authority-data: ${b64("ca.crt")}`,
            "users:",
            "- name: webstack-admin",
            "  user:",
            `    client-certificate-data: ${b64("admin.crt")}`,
            `    client-key-data: ${b64("admin.key")}`,
            "contexts:",
            "- name: webstack-local",
            "  context: {cluster: webstack-local, user: webstack-admin}",
            "current-context: webstack-local",
            "",
        ].join("\n"),
        { mode: 0o600 },
    );
}

function startProcess(name: string, command: string, args: string[]): ChildProcess {
    fs.mkdirSync(paths.logs, { recursive: true });
    const out = fs.openSync(path.join(paths.logs, `${name}.log`), "a");
    // detached: its own process group, so down can stop it and everything it started.
    const child = spawn(command, args, { detached: true, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    child.unref();
    if (!child.pid) {
        throw new Error(`could not start ${name} (${command})`);
    }
    return child;
}

/** Thrown by a wait check when waiting longer cannot help (the process died). */
class FatalWaitError extends Error {}

async function waitFor(
    what: string,
    timeoutMs: number,
    check: () => boolean | Promise<boolean>,
    logName: string,
    signal: AbortSignal | undefined,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        signal?.throwIfAborted();
        try {
            if (await check()) {
                return;
            }
        } catch (err) {
            if (err instanceof FatalWaitError) {
                throw err;
            }
            // not yet
        }
        if (Date.now() > deadline) {
            throw new Error(
                `timed out after ${timeoutMs / 1000} s waiting for ${what}\n--- last lines of ${path.join(paths.logs, `${logName}.log`)}:\n${tailOf(logName)}`,
            );
        }
        await sleep(250);
    }
}

function tailOf(logName: string): string {
    try {
        return fs
            .readFileSync(path.join(paths.logs, `${logName}.log`), "utf8")
            .split("\n")
            .slice(-15)
            .join("\n");
    } catch {
        return "(no log)";
    }
}

function kubectl(bins: Binaries, args: string[], input?: string): string {
    return execFileSync(path.join(bins.kubeDir, "kubectl"), ["--kubeconfig", paths.kubeconfig, ...args], {
        input,
        encoding: "utf8",
        stdio: ["pipe", "pipe", "pipe"],
    });
}

/** Cluster-wide Pod Security default `restricted` (kube-system exempt); the stack namespaces also carry the labels. */
function podSecurityConfig(): string {
    return JSON.stringify({
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "AdmissionConfiguration",
        plugins: [
            {
                name: "PodSecurity",
                configuration: {
                    apiVersion: "pod-security.admission.config.k8s.io/v1",
                    kind: "PodSecurityConfiguration",
                    defaults: {
                        enforce: "restricted",
                        "enforce-version": "latest",
                        audit: "restricted",
                        "audit-version": "latest",
                        warn: "restricted",
                        "warn-version": "latest",
                    },
                    exemptions: { usernames: [], runtimeClasses: [], namespaces: ["kube-system"] },
                },
            },
        ],
    });
}

function bootstrapObjects(nodes: number): object[] {
    const objects: object[] = [];
    for (const name of Object.values(STACK_NAMESPACES)) {
        objects.push(restrictedNamespace(name));
    }
    for (let i = 0; i < nodes; i++) {
        objects.push({
            apiVersion: "v1",
            kind: "Node",
            metadata: {
                name: `kwok-node-${i}`,
                annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
                labels: {
                    "kubernetes.io/hostname": `kwok-node-${i}`,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    type: "kwok",
                },
            },
        });
    }
    // Static PersistentVolumes of the default class; the PV controller binds claims to them (no provisioner).
    objects.push({
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: {
            name: PV_POOL.storageClass,
            annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "kubernetes.io/no-provisioner",
        volumeBindingMode: "Immediate",
        reclaimPolicy: "Retain",
    });
    const pv = (name: string, accessMode: string) => ({
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name, labels: { "webstack.local/pool": accessMode } },
        spec: {
            capacity: { storage: PV_POOL.size },
            accessModes: [accessMode],
            storageClassName: PV_POOL.storageClass,
            persistentVolumeReclaimPolicy: "Retain",
            hostPath: { path: `/nonexistent/webstack-pv/${name}` },
        },
    });
    for (let i = 0; i < PV_POOL.readWriteOnce; i++) {
        objects.push(pv(`pool-rwo-${i}`, "ReadWriteOnce"));
    }
    for (let i = 0; i < PV_POOL.readWriteMany; i++) {
        objects.push(pv(`pool-rwx-${i}`, "ReadWriteMany"));
    }
    return objects;
}

/** Probes the API with kubectl: true when /readyz answers ok. */
function apiReady(bins: Binaries): boolean {
    try {
        return kubectl(bins, ["get", "--raw", "/readyz"]).trim() === "ok";
    } catch {
        return false;
    }
}

export function clusterStatus(): { running: boolean; detail: string } {
    const state = readState();
    const bins = readBinaries();
    if (!state || !bins) {
        return { running: false, detail: "no cluster state (run npm run cluster:up)" };
    }
    const dead = Object.entries(state.pids)
        .filter(([name, pid]) => !isRunning(pid, processBinary[name]))
        .map(([name]) => name);
    if (dead.length > 0) {
        return { running: false, detail: `not running: ${dead.join(", ")}` };
    }
    return apiReady(bins)
        ? { running: true, detail: `API at https://127.0.0.1:${state.ports.apiserver}` }
        : { running: false, detail: "the API does not answer /readyz" };
}

/**
 * A crash of one control-plane process (issue 27): kill -9 its process group, wait `downMs`, start it again with the
 * same command line and data, and resolve once it answers (etcd /health, kube-apiserver /readyz). The new pid goes
 * into the state, so cluster:down stops it as before.
 */
export async function restartAfterKill(
    name: "etcd" | "kube-apiserver",
    downMs: number,
): Promise<{ pid: number; answeredAfterMs: number }> {
    const state = readState();
    const bins = readBinaries();
    const started = state?.commands?.[name];
    if (!state || !bins || !started) {
        throw new Error(`no running cluster with a recorded ${name} command line. Fix: npm run cluster:up`);
    }
    signalGroup(state.pids[name], "SIGKILL");
    await waitFor(`${name} to die`, 10_000, () => !isRunning(state.pids[name], processBinary[name]), name, undefined);
    await sleep(downMs);
    const restartedAt = Date.now();
    state.pids[name] = startProcess(name, started.command, started.args).pid!;
    fs.writeFileSync(paths.state, JSON.stringify(state, null, 2));
    const etcdHealth = `http://127.0.0.1:${state.ports.etcdClient}/health`;
    await waitFor(
        `${name} to answer again`,
        120_000,
        async () => (name === "etcd" ? (await fetch(etcdHealth)).ok : apiReady(bins)),
        name,
        undefined,
    );
    return { pid: state.pids[name], answeredAfterMs: Date.now() - restartedAt };
}

export interface UpOptions {
    nodes: number;
    /** Aborting it (an interrupt) makes `up` stop starting processes, stop those it started, and reject with the reason. */
    signal?: AbortSignal;
}

/** Starts the cluster, or finds it running. When the start fails or is aborted, every process it started is stopped. */
export async function clusterUp(options: UpOptions): Promise<ClusterState> {
    const status = clusterStatus();
    if (status.running) {
        log(`already running (${status.detail})`);
        return readState()!;
    }
    await clusterDown({ purge: false }); // a half-running cluster: stop what is left, keep the data
    try {
        return await startCluster(options);
    } catch (err) {
        await clusterDown({ purge: false });
        // Ctrl-C also ends whatever kubectl or openssl ran at that moment: the interrupt is the reason, not their exit.
        throw options.signal?.aborted ? options.signal.reason : err;
    }
}

/** The processes of the cluster, in start order. */
type ProcessName = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok" | "attach";

/** The command line of every process the cluster runs, from the binaries, the ports and the files: data, no effects. */
function processCommands(
    bins: Binaries,
    ports: ClusterState["ports"],
    podSecurity: string,
): Record<ProcessName, { command: string; args: string[] }> {
    const pki = (f: string) => path.join(paths.pki, f);
    const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
    const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
    return {
        etcd: {
            command: bins.etcd,
            args: [
                "--name",
                "webstack",
                "--data-dir",
                paths.etcdData,
                "--listen-client-urls",
                etcdUrl,
                "--advertise-client-urls",
                etcdUrl,
                "--listen-peer-urls",
                peerUrl,
                "--initial-advertise-peer-urls",
                peerUrl,
                "--initial-cluster",
                `webstack=${peerUrl}`,
                "--log-level",
                "warn",
            ],
        },
        "kube-apiserver": {
            command: path.join(bins.kubeDir, "kube-apiserver"),
            args: [
                `--etcd-servers=${etcdUrl}`,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                `--secure-port=${ports.apiserver}`,
                `--cert-dir=${paths.pki}`,
                `--tls-cert-file=${pki("apiserver.crt")}`,
                `--tls-private-key-file=${pki("apiserver.key")}`,
                `--client-ca-file=${pki("ca.crt")}`,
                `--service-account-key-file=${pki("sa.pub")}`,
                `--service-account-signing-key-file=${pki("sa.key")}`,
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--authorization-mode=RBAC",
                `--admission-control-config-file=${podSecurity}`,
                "--profiling=false",
                // Shutdown in about a second instead of draining for up to a minute (docs/cluster.md): no load
                // balancer needs a delay to notice (0 s is the default, stated here because it is chosen), and with
                // retry-after the HTTP server stops 2 s after the last short request ends instead of after --request-timeout.
                "--shutdown-delay-duration=0s",
                "--shutdown-send-retry-after=true",
                "--shutdown-watch-termination-grace-period=0s",
            ],
        },
        "kube-controller-manager": {
            command: path.join(bins.kubeDir, "kube-controller-manager"),
            args: [
                `--kubeconfig=${paths.kubeconfig}`,
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                "--leader-elect=false",
                `--service-account-private-key-file=${pki("sa.key")}`,
                `--root-ca-file=${pki("ca.crt")}`,
                "--use-service-account-credentials=false",
                "--controllers=*",
            ],
        },
        "kube-scheduler": {
            command: path.join(bins.kubeDir, "kube-scheduler"),
            args: [
                `--kubeconfig=${paths.kubeconfig}`,
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                "--leader-elect=false",
            ],
        },
        kwok: {
            command: bins.kwok,
            args: [
                `--kubeconfig=${paths.kubeconfig}`,
                `--config=${path.join(__dirname, "kwok-stages.yaml")}`,
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--node-port=0",
                "--node-lease-duration-seconds=40",
            ],
        },
        attach: {
            command: process.execPath,
            args: ["-r", "ts-node/register/transpile-only", path.join(__dirname, "attach.ts"), paths.kubeconfig],
        },
    };
}

/** The Route CRD from OpenShift's own API repository (Routes get OpenShift's schema and validation rules), then the bootstrap objects. */
function applyBootstrap(bins: Binaries, nodes: number): void {
    kubectl(bins, ["apply", "--server-side", "-f", ROUTE_CRD]);
    const bootstrap = path.join(paths.manifests, "bootstrap.json");
    fs.writeFileSync(bootstrap, JSON.stringify({ apiVersion: "v1", kind: "List", items: bootstrapObjects(nodes) }));
    kubectl(bins, ["apply", "--server-side", "-f", bootstrap]);
    kubectl(bins, ["wait", "--for=condition=Established", "crd/routes.route.openshift.io", "--timeout=60s"]);
}

/** Until every kwok node is Ready and the stack namespaces have what pods need (controller-manager's objects). */
async function waitForWorkloadReadiness(
    bins: Binaries,
    state: ClusterState,
    nodes: number,
    signal: AbortSignal | undefined,
): Promise<void> {
    await waitFor(
        "every kwok node Ready",
        180_000,
        () => {
            if (!isRunning(state.pids.kwok, "kwok")) {
                throw new FatalWaitError(`kwok exited:\n${tailOf("kwok")}`);
            }
            return (
                kubectl(bins, [
                    "get",
                    "nodes",
                    "-o",
                    'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
                ])
                    .trim()
                    .split("\n")
                    .filter((s) => s === "True").length === nodes
            );
        },
        "kwok",
        signal,
    );
    // Pods need their namespace's default ServiceAccount and the kube-root-ca.crt ConfigMap (controller-manager).
    await waitFor(
        "default ServiceAccounts and kube-root-ca.crt in the stack namespaces",
        180_000,
        () =>
            Object.values(STACK_NAMESPACES).every((ns) => {
                kubectl(bins, ["get", "-n", ns, "serviceaccount/default", "configmap/kube-root-ca.crt", "-o", "name"]);
                return true;
            }),
        "kube-controller-manager",
        signal,
    );
}

/** Starts each process in order, waiting where the next one needs the previous (etcd, the API server, the nodes). */
async function startCluster({ nodes, signal }: UpOptions): Promise<ClusterState> {
    const bins = await ensureBinaries(signal);
    fs.mkdirSync(paths.manifests, { recursive: true });
    ensurePki();
    const ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
    writeKubeconfig(ports.apiserver);
    const podSecurity = path.join(paths.manifests, "admission.json");
    fs.writeFileSync(podSecurity, podSecurityConfig());
    const commands = processCommands(bins, ports, podSecurity);
    const state: ClusterState = { ports, kubeconfig: paths.kubeconfig, pids: {} };
    const start = (name: ProcessName) => {
        signal?.throwIfAborted();
        const { command, args } = commands[name];
        // Recorded before the next await: an interrupt's teardown (clusterDown) reads the pids from this file.
        state.pids[name] = startProcess(name, command, args).pid!;
        state.commands = { ...state.commands, [name]: { command, args } };
        fs.writeFileSync(paths.state, JSON.stringify(state, null, 2));
    };

    start("etcd");
    const etcdHealth = `http://127.0.0.1:${ports.etcdClient}/health`;
    await waitFor("etcd /health", 60_000, async () => (await fetch(etcdHealth)).ok, "etcd", signal);
    start("kube-apiserver");
    await waitFor("kube-apiserver /readyz", 300_000, () => apiReady(bins), "kube-apiserver", signal);
    start("kube-controller-manager");
    start("kube-scheduler");
    applyBootstrap(bins, nodes);
    start("kwok");
    start("attach");
    await waitForWorkloadReadiness(bins, state, nodes, signal);
    log(
        `up: Kubernetes ${bins.kubeVersion} at https://127.0.0.1:${ports.apiserver}, ${nodes} kwok node(s), logs in ${paths.logs}`,
    );
    return state;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // already gone
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM to each recorded process group, SIGKILL to those still running `graceSeconds` later. */
async function stopStage(pids: Record<string, number>, names: string[], graceSeconds: number): Promise<void> {
    const running = () => names.filter((n) => pids[n] && isRunning(pids[n], processBinary[n]));
    running().forEach((name) => signalGroup(pids[name], "SIGTERM"));
    const deadline = Date.now() + graceSeconds * 1000;
    while (running().length > 0 && Date.now() < deadline) {
        await sleep(100);
    }
    const stuck = running();
    for (const name of stuck) {
        log(`${name} (pid ${pids[name]}) still running ${graceSeconds} s after SIGTERM: SIGKILL`);
        signalGroup(pids[name], "SIGKILL");
    }
    const killDeadline = Date.now() + 5000; // a SIGKILL takes effect at once, unless the process is stuck in the kernel
    while (running().length > 0 && Date.now() < killDeadline) {
        await sleep(50);
    }
}

export async function clusterDown(options: { purge: boolean }): Promise<void> {
    const state = readState();
    if (state) {
        const started = Date.now();
        for (const { processes, graceSeconds } of STOP_STAGES) {
            await stopStage(state.pids, Object.keys(processes), graceSeconds);
        }
        fs.rmSync(paths.state, { force: true });
        if (Object.keys(state.pids).length > 0) {
            log(`stopped ${Object.keys(state.pids).join(", ")} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        }
    }
    if (options.purge) {
        fs.rmSync(STATE_DIR, { recursive: true, force: true });
    }
}

const spec = {
    name: "npm run cluster:<up|down|status> --",
    summary:
        "Start, stop or probe the local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes) on 127.0.0.1.",
    positionals: "<up|down|status>",
    flags: {
        nodes: { type: "string", description: "up: number of kwok fake nodes", default: "2", valueName: "<count>" },
        purge: { type: "boolean", description: "down: also delete .cluster/ (etcd data, PKI, logs)", default: false },
    },
    exitCodes: { 0: "done (status: running)", 1: "failed (status: not running)", 2: "usage error" },
    example: "npm run cluster:up && export KUBECONFIG=$PWD/.cluster/kubeconfig",
} satisfies CommandSpec;

async function main(argv: string[]): Promise<number> {
    const parsed = parseCommandLine(spec, argv);
    if (parsed.help) {
        console.log(helpText(spec));
        return 0;
    }
    const [command, ...extra] = parsed.positionals;
    if (!["up", "down", "status"].includes(command ?? "") || extra.length > 0) {
        throw new UsageError(
            `expected one command: up, down or status (got ${parsed.positionals.join(" ") || "none"})`,
        );
    }
    if (command === "up") {
        const nodes = Number(parsed.flags.nodes);
        if (!Number.isInteger(nodes) || nodes < 1 || nodes > 10) {
            throw new UsageError(`--nodes must be a whole number from 1 to 10 (got ${parsed.flags.nodes})`);
        }
        const interrupt = new AbortController();
        const removeHandlers = onInterrupt((reason) => interrupt.abort(reason));
        try {
            const state = await clusterUp({ nodes, signal: interrupt.signal });
            console.log(`export KUBECONFIG=${state.kubeconfig}`);
            return 0;
        } catch (err) {
            if (err instanceof Interrupted) {
                log(err.message);
                return err.exitCode;
            }
            throw err;
        } finally {
            removeHandlers();
        }
    }
    if (command === "down") {
        await clusterDown({ purge: parsed.flags.purge });
        log(parsed.flags.purge ? "down: stopped, state deleted" : "down: stopped (state kept; --purge deletes it)");
        return 0;
    }
    const status = clusterStatus();
    console.log(status.detail);
    return status.running ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            if (err instanceof UsageError) {
                console.error(`${err.message}\n\n${helpText(spec)}`);
                process.exit(2);
            }
            console.error(`cluster: ${(err as Error).message}`);
            process.exit(1);
        },
    );
}

// Runs a real nginx (Debian's /usr/sbin/nginx in tests and CI) on a rendered config, as an arbitrary UID with
// a read-only root filesystem: only its temp dir is writable, as with the image's /tmp emptyDir (L02, L26).
import * as fs from "fs";
import * as path from "path";
import {
    makeGroupWritableDir,
    makeReadOnlyDir,
    runSandboxed,
    SandboxedProcess,
    startSandboxed,
    waitForPort,
} from "./sandbox";

export const NGINX_BIN = fs.existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

export interface RunningNginx {
    port: number;
    process: SandboxedProcess;
    /** The writable dir: pid, temp paths and the log (nginx's stdout/stderr). */
    tempDir: string;
    confFile: string;
    /** Output of `nginx -t` on the config. */
    testOutput: string;
    /** Stops nginx and removes its temp and config dirs. */
    stop(): Promise<void>;
}

/** Directories a config needs before rendering: a writable temp dir and a read-only config dir. */
export function nginxDirs(): { tempDir: string; confDir: string } {
    return { tempDir: makeGroupWritableDir("webstack-nginx-tmp-"), confDir: makeReadOnlyDir("webstack-nginx-conf-") };
}

/** Writes `conf` into the config dir and runs `nginx -t` on it as the UID; throws with nginx's output if rejected. */
export function checkNginxConf(
    conf: string,
    dirs: { tempDir: string; confDir: string },
): { confFile: string; logFile: string; output: string } {
    const confFile = path.join(dirs.confDir, "nginx.conf");
    fs.writeFileSync(confFile, conf, { mode: 0o644 });
    const logFile = path.join(dirs.tempDir, "nginx.log");
    const check = runSandboxed({
        writableDirs: [dirs.tempDir],
        logFile,
        command: [NGINX_BIN, "-t", "-q", "-c", confFile],
    });
    if (check.status !== 0) {
        throw new Error(`nginx -t rejected ${confFile} (exit ${check.status}):\n${check.output}`);
    }
    return { confFile, logFile, output: check.output };
}

/** Removes what {@link nginxDirs} created. */
export function removeNginxDirs(dirs: { tempDir: string; confDir: string }): void {
    for (const dir of [dirs.tempDir, dirs.confDir]) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Checks `conf` with `nginx -t` as the UID, starts nginx and waits for `port`. */
export async function startNginx(
    conf: string,
    port: number,
    dirs: { tempDir: string; confDir: string },
): Promise<RunningNginx> {
    const { confFile, logFile, output } = checkNginxConf(conf, dirs);
    const proc = startSandboxed({
        writableDirs: [dirs.tempDir],
        logFile,
        command: [NGINX_BIN, "-c", confFile, "-g", "daemon off;"],
    });
    try {
        await waitForPort(port, proc);
    } catch (e) {
        await proc.stop(); // dirs kept: the error carries the log, the dirs the rest
        throw e;
    }
    const stop = async (): Promise<void> => {
        await proc.stop();
        removeNginxDirs(dirs);
    };
    return { port, process: proc, tempDir: dirs.tempDir, confFile, testOutput: output, stop };
}

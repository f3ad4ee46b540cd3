/**
 * zegl/kube-score, the linter `npm run bench:fast` times the check against: built from its Go module with `go install`
 * into a cache folder outside the checkout (once; later runs reuse the binary), or skipped with a note where Go is absent.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const MODULE = "github.com/zegl/kube-score";
/** The release measured (the Go module proxy's latest when issue 29 was measured). */
export const KUBE_SCORE_VERSION = "v1.20.0";

/** The kube-score binary, or why there is none (the bench then prints the note instead of the kube-score ratios). */
export function kubeScoreBinary(): { binary: string } | { skipped: string } {
    const dir = path.join(os.homedir(), ".cache", "webstack-bench", `kube-score-${KUBE_SCORE_VERSION}`);
    const binary = path.join(dir, "kube-score");
    if (fs.existsSync(binary)) {
        return { binary };
    }
    const go = spawnSync("go", ["version"], { encoding: "utf8" });
    if (go.error !== undefined || go.status !== 0) {
        return { skipped: `kube-score not measured: no Go toolchain on PATH to build ${MODULE}@${KUBE_SCORE_VERSION}` };
    }
    fs.mkdirSync(dir, { recursive: true });
    const built = spawnSync("go", ["install", `${MODULE}/cmd/kube-score@${KUBE_SCORE_VERSION}`], {
        encoding: "utf8",
        // Outside any Go module of the caller, so `go install pkg@version` resolves it alone.
        cwd: os.tmpdir(),
        env: { ...process.env, GOBIN: dir },
    });
    if (built.status !== 0 || !fs.existsSync(binary)) {
        return {
            skipped: `kube-score not measured: go install ${MODULE}/cmd/kube-score@${KUBE_SCORE_VERSION} failed: ${built.stderr.trim().split("\n").slice(-3).join(" | ")}`,
        };
    }
    return { binary };
}

/** Wall seconds of `kube-score score <file>` (its findings make it exit 1: a verdict, as the check's). */
export function timeKubeScore(binary: string, file: string): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(binary, ["score", file], { stdio: ["ignore", "ignore", "pipe"] });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0 && result.status !== 1) {
        throw new Error(`kube-score score ${file} exited ${result.status}: ${String(result.stderr).trim()}`);
    }
    return wall;
}

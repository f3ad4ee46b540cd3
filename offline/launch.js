#!/usr/bin/env node
/**
 * `npm run check` and the `webstack-check` bin: runs the checker compiled to JavaScript (dist/offline/check.js, built
 * from tsconfig.check.json), so a check starts without ts-node transpiling it (issue 29). The build is brought up to
 * date first, incrementally, when it is missing or a file it was compiled from (every file of its TypeScript program
 * outside node_modules, listed in dist/check.tsbuildinfo) or tsconfig.check.json is newer than it: a fresh checkout
 * and an edited rule need no separate build step. JavaScript, not TypeScript: it runs before anything is compiled.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..");
const CONFIG = path.join(ROOT, "tsconfig.check.json");
const BUILD_INFO = path.join(ROOT, "dist", "check.tsbuildinfo");
const CHECK = path.join(ROOT, "dist", "offline", "check.js");
/** Held (a directory: mkdir is atomic) while one process builds; others wait for it, then use its build. */
const LOCK = path.join(ROOT, "dist", ".building");
/** The builder's process id, in the lock: a lock whose builder is gone (Ctrl-C during a build) is taken over. */
const LOCK_OWNER = path.join(LOCK, "pid");
/** A lock older than this is taken over whatever its owner file says. */
const STALE_LOCK_MS = 10 * 60_000;

function mtimeMs(file) {
    try {
        return fs.statSync(file).mtimeMs;
    } catch {
        return undefined;
    }
}

/** Why the build must be brought up to date, or undefined when it is current. */
function staleness() {
    const built = mtimeMs(BUILD_INFO);
    if (built === undefined || mtimeMs(CHECK) === undefined) {
        return "no build yet";
    }
    let sources;
    try {
        sources = JSON.parse(fs.readFileSync(BUILD_INFO, "utf8")).fileNames;
    } catch {
        return "unreadable build info";
    }
    if (!Array.isArray(sources)) {
        return "unreadable build info";
    }
    const dir = path.dirname(BUILD_INFO);
    for (const file of [
        CONFIG,
        ...sources.filter((f) => !f.includes("node_modules/")).map((f) => path.resolve(dir, f)),
    ]) {
        const changed = mtimeMs(file);
        if (changed === undefined || changed > built) {
            return `${path.relative(ROOT, file)} changed`;
        }
    }
    return undefined;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The lock's owner has exited (its pid file names no live process); false while it may still be writing the file. */
function ownerGone() {
    let pid;
    try {
        pid = Number(fs.readFileSync(LOCK_OWNER, "utf8"));
    } catch {
        return false;
    }
    try {
        process.kill(pid, 0);
        return false;
    } catch (err) {
        return err.code === "ESRCH";
    }
}

/** Runs `build` holding the lock; undefined when another process built meanwhile (then the build is current). */
function underLock(build) {
    fs.mkdirSync(path.dirname(LOCK), { recursive: true });
    for (;;) {
        try {
            fs.mkdirSync(LOCK);
            fs.writeFileSync(LOCK_OWNER, String(process.pid));
            break;
        } catch (err) {
            if (err.code !== "EEXIST") {
                throw err;
            }
            const since = mtimeMs(LOCK);
            if ((since !== undefined && Date.now() - since > STALE_LOCK_MS) || ownerGone()) {
                fs.rmSync(LOCK, { recursive: true, force: true });
            } else {
                sleep(100);
            }
        }
    }
    try {
        return staleness() === undefined ? undefined : build();
    } finally {
        fs.rmSync(LOCK, { recursive: true, force: true });
    }
}

/** `tsc -p tsconfig.check.json` (incremental: only what changed is emitted again); exits 2 when it emitted nothing. */
function build() {
    const started = Date.now();
    const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
    const result = spawnSync(process.execPath, [tsc, "-p", CONFIG], { cwd: ROOT, encoding: "utf8" });
    // 0: built; 2: built, with type errors (reported, as `npm run build` would); anything else: nothing usable.
    if (result.status !== 0 && result.status !== 2) {
        process.stderr.write(
            `${result.stdout}${result.stderr}check: building ${path.relative(ROOT, CHECK)} failed (tsc exited ${result.status}).\nFix: correct the errors above, then run the check again\n`,
        );
        process.exit(2);
    }
    if (result.status === 2) {
        process.stderr.write(
            `${result.stdout}check: the checker has type errors (above); it runs anyway. Fix: correct them (npm run build shows them too)\n`,
        );
    }
    // Stamped with the time the build started: a source saved while tsc ran is newer, so the next run rebuilds.
    const stamp = new Date(started);
    fs.utimesSync(BUILD_INFO, stamp, stamp);
    return true;
}

if (staleness() !== undefined) {
    underLock(build);
}
// Node caches the compiled code of the modules it loads (a third of the start-up of a small check).
require("module").enableCompileCache?.(path.join(ROOT, "node_modules", ".cache", "webstack", "compile"));
require(CHECK)
    .main(process.argv.slice(2))
    .then((code) => process.exit(code));

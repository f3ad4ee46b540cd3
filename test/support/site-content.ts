// A content folder shaped like postmortems 000/001: presentation decks (served without ".html", L07),
// stage pages, media under /assets /images /videos (L09), a content-hashed bundle and a stray .git.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export const HASHED_BUNDLE = "/app.3f2a9c1b.js";
export const VIDEO = "/assets/videos/disclaimer.mp4";

const WORDS = (
    "badge tap scenario piport telemetry shopfloor contractor operator line station sensor event count dashboard " +
    "blackjack dealer hand card table odds house winning disclaimer video stage demo audience presenter slide " +
    "factory edge device gateway cloud cluster pod replica route service deploy rollout version digest image " +
    "redis state stream latency throughput quality yield shift downtime alarm maintenance forecast inventory order"
).split(" ");

/** Deterministic prose, so runs compare like with like. */
function prose(seed: string, words: number): string {
    let out = "";
    let block = crypto.createHash("sha256").update(seed).digest();
    for (let i = 0; i < words; i++) {
        if (i % 32 === 0) {
            block = crypto.createHash("sha256").update(block).digest();
        }
        out += (i ? " " : "") + WORDS[block[i % 32] % WORDS.length];
    }
    return out;
}

function deck(title: string, slides: number): string {
    const body = Array.from({ length: slides }, (_, i) =>
        [
            `  <section class="slide" id="slide-${i + 1}" data-transition="fade">`,
            `    <h2>${title} — part ${i + 1}</h2>`,
            `    <p class="lead">${prose(`${title}-${i}-lead`, 24)}</p>`,
            "    <ul>",
            ...[0, 1, 2, 3].map(
                (j) =>
                    `      <li><strong>${prose(`${title}-${i}-${j}-k`, 2)}</strong>: ${prose(`${title}-${i}-${j}`, 14)}</li>`,
            ),
            "    </ul>",
            `    <aside class="notes">${prose(`${title}-${i}-notes`, 30)}</aside>`,
            "  </section>",
        ].join("\n"),
    ).join("\n");
    return [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '  <meta charset="utf-8">',
        `  <title>${title}</title>`,
        '  <link rel="stylesheet" href="/assets/app.css">',
        "  <style>.slide{display:none;padding:4rem}.slide.active{display:block}.notes{display:none}</style>",
        "</head>",
        "<body>",
        body,
        `  <video controls preload="metadata" src="${VIDEO}"></video>`,
        `  <script src="${HASHED_BUNDLE}"></script>`,
        "</body>",
        "</html>",
        "",
    ].join("\n");
}

/** Pseudo-random bytes: media that does not compress, like real video. */
function media(seed: string, bytes: number): Buffer {
    const out = Buffer.alloc(bytes);
    let block = crypto.createHash("sha256").update(seed).digest();
    for (let off = 0; off < bytes; off += 32) {
        block = crypto.createHash("sha256").update(block).digest();
        block.copy(out, off);
    }
    return out;
}

/** Writes the site into `root` (root-owned, world-readable: the server reads it, never writes it). */
export function writeSiteContent(root: string): Record<string, Buffer> {
    const files: Record<string, Buffer> = {
        "/index.html": Buffer.from(deck("North stage", 3)),
        "/present-blackjack.html": Buffer.from(deck("Blackjack", 40)),
        "/stage/dashboard.html": Buffer.from(deck("Dashboard", 8)),
        "/assets/app.css": Buffer.from(
            `body{font-family:sans-serif;margin:0}\n${Array.from({ length: 60 }, (_, i) => `.slide-${i}{padding:${i}px;color:#${(i * 4099).toString(16).padStart(6, "0").slice(0, 6)}}`).join("\n")}\n`,
        ),
        [HASHED_BUNDLE]: Buffer.from(
            `/* bundle */\n${Array.from({ length: 80 }, (_, i) => `function step${i}(s){return s.replace("${prose(`js-${i}`, 3)}","${i}");}`).join("\n")}\n`,
        ),
        [VIDEO]: media("disclaimer.mp4", 256 * 1024),
        "/images/logo.png": media("logo.png", 12 * 1024),
        "/robots.txt": Buffer.from("User-agent: *\nAllow: /\n"),
        "/.git/config": Buffer.from("[core]\n\trepositoryformatversion = 0\n"),
    };
    for (const [name, data] of Object.entries(files)) {
        const file = path.join(root, name);
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
        fs.writeFileSync(file, data, { mode: 0o644 });
    }
    return files;
}

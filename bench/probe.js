// Preloaded (node -r) into a process a bench measures: writes the process's own resource usage (CPU, peak RSS) to
// fd 3 as it exits. JavaScript, so the measured process loads nothing it would not load anyway.
"use strict";
process.on("exit", () => require("fs").writeSync(3, JSON.stringify(process.resourceUsage())));

#!/usr/bin/env -S node --max-semi-space-size=64 --no-allocation-site-pretenuring
// The latch executable: runs the compiled CLI (built by `npm install` through the prepare script).
import "../dist/cli/main.js";

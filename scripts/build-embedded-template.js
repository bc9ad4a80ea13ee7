// Part of `npm run build`: makes the embedded database's template (see
// src/store/postgres/embedded-template.ts), so that a first `latch serve` starts in seconds.
import { writeEmbeddedTemplate } from "../dist/store/postgres/embedded-template.js";

const started = performance.now();
const path = await writeEmbeddedTemplate();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`made the embedded database template ${path} in ${seconds} s`);

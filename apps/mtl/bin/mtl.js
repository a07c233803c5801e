#!/usr/bin/env node
// The 'mtl' command. A committed executable launcher, not dist/cli.js itself: npm links
// a bin at `npm ci` only if its file exists (dist/ does not yet), and every build or
// turbo cache restore writes dist/cli.js back as 0644. Every app does the same:
// bin/<name>.js (git mode 100755) importing ../dist/cli.js, "bin": { "<name>": "./bin/<name>.js" }
// in its package.json, and `npm install` once so package-lock.json, which `npm ci` links from, agrees.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error(`mtl is not built: ${fileURLToPath(cli)} is missing. Run \`npm run build\` in the repository root, then try again.`);
  process.exit(1);
}
await import(cli.href);

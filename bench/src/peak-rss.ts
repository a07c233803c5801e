/**
 * Preloaded with `node --import` into a benchmarked process: prints the peak
 * resident set size (worker threads included) to stderr on exit.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nPEAK_RSS_KB ${process.resourceUsage().maxRSS}\n`);
});

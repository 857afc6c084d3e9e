#!/usr/bin/env node
/**
 * Guard: no source file over 400 lines. A file that long is asking to be cut by feature; the limit has no exceptions.
 * Looks at every file under packages/<package>/src and names each one over the limit with its line count.
 *
 *   node scripts/check-file-size.mjs
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 400;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const packages = path.join(root, 'packages');

function* filesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}

/** Lines as an editor counts them: a final newline does not start another line. */
const lineCount = (text) => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));

let checked = 0;
const over = [];
for (const pkg of readdirSync(packages, { withFileTypes: true })) {
  if (!pkg.isDirectory()) continue;
  const src = path.join(packages, pkg.name, 'src');
  let files;
  try {
    files = [...filesUnder(src)];
  } catch (err) {
    if (err.code === 'ENOENT') continue;
    throw err;
  }
  for (const file of files) {
    checked++;
    const lines = lineCount(readFileSync(file, 'utf8'));
    if (lines > LIMIT) over.push({ file: path.relative(root, file), lines });
  }
}

if (over.length === 0) {
  console.log(`file size: ${checked} source files, none over ${LIMIT} lines`);
} else {
  over.sort((a, b) => b.lines - a.lines);
  console.error(`file size: ${over.length} of ${checked} source files are over ${LIMIT} lines (cut them by feature):`);
  for (const { file, lines } of over) console.error(`  ${file}: ${lines} lines`);
  process.exitCode = 1;
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A page of docs/ whose marked blocks a test runs as written. */
export function docBlocks(page: string): { text: string; block(kind: string, name: string): string } {
  const text = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs', page), 'utf8');
  return {
    text,
    /** The fenced block right under `<!-- KIND: NAME -->` (exactly one). */
    block(kind, name) {
      const found = [...text.matchAll(new RegExp(`^<!-- ${kind}: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\`$`, 'gm'))];
      assert.equal(found.length, 1, `one block marked ${kind}: ${name} in docs/${page}`);
      return found[0]![1]!;
    },
  };
}

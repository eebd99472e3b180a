// Exports with something outside them worth stealing, for the tests that links never lead out.
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers.js';

/**
 * base/exports/docs (the export, holding hr/leave.md) beside base/outside/secret.md (not part of
 * it): from docs, "../../outside/secret.md" is the way out.
 */
export function exportBesideSecret(leave: string): { base: string; docs: string } {
  const base = tempDir('groundwork-export-');
  fs.mkdirSync(path.join(base, 'outside'));
  fs.writeFileSync(path.join(base, 'outside/secret.md'), '# Secret\n\nThe vault combination is 4711 and the safe is behind the painting.');
  const docs = path.join(base, 'exports/docs');
  fs.mkdirSync(path.join(docs, 'hr'), { recursive: true });
  fs.writeFileSync(path.join(docs, 'hr/leave.md'), leave);
  return { base, docs };
}

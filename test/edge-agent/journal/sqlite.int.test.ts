import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteJournal } from '../../../edge-agent/src/journal/sqlite.js';
import { journalContract } from './contract.js';

journalContract('SQLite adapter (temp file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-journal-'));
  const file = join(dir, 'nested', 'journal.db');
  return {
    open: () => openSqliteJournal(file),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
});

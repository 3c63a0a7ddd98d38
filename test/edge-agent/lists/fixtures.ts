// Builders for the edge list tests: a fresh EdgeLists on a temp file, trusting the test key.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { parsePublicKeys } from '../../../core/lists/envelope.js';
import { EdgeLists } from '../../../edge-agent/src/lists/lists.js';
import { silentLogger } from '../../../edge-agent/src/log.js';
import { LIST_KEYS } from '../../support/lists.js';

export const trustedKeys = parsePublicKeys(LIST_KEYS) as Exclude<ReturnType<typeof parsePublicKeys>, string>;

// One temp folder per test file, removed after it (vitest evaluates this module per file).
const dir = mkdtempSync(join(tmpdir(), 'onecard-lists-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

export function tempListsFile(): string {
  return join(dir, randomUUID());
}

export function openLists(file = tempListsFile(), venueId = 'museum-1'): EdgeLists {
  const lists = new EdgeLists({ file, venueId, keys: trustedKeys, log: silentLogger });
  lists.start();
  return lists;
}

export const tok = (): string => randomBytes(16).toString('hex');
export const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

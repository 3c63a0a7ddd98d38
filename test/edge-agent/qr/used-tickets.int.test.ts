// Single-use tickets survive a reboot: the used-ticket table in the journal's SQLite file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openUsedTickets } from '../../../edge-agent/src/qr/used-tickets.js';
import { TODAY, ticket } from '../../core/credentials/fixtures.js';
import { device } from './support.js';

describe('used tickets on the device (SQLite)', () => {
  it('a used ticket stays used across a reboot (the table is in the journal file)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'onecard-qr-')), 'edge.db');
    const t = ticket();
    const first = device({ journalFile: file });
    expect(first.scan(t)?.decision).toBe('allow');
    first.close();
    const second = device({ journalFile: file });
    expect(second.scan(t)?.decision).toBe('deny');
    expect(second.journal.range(1, 1)[0]?.reason).toBe('QR_TICKET_USED');
    second.close();
  });

  it('used-ticket rows older than a few days are dropped at start-up', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'onecard-qr-')), 'edge.db');
    const used = openUsedTickets(file, TODAY);
    used.add('aa'.repeat(8), TODAY - 10);
    used.add('bb'.repeat(8), TODAY);
    used.close();
    const reopened = openUsedTickets(file, TODAY);
    expect([reopened.has('aa'.repeat(8)), reopened.has('bb'.repeat(8))]).toEqual([false, true]);
    reopened.close();
  });
});

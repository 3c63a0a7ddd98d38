// A device migrating from Ed25519 to SM2 list keys (decision 0164): it trusts both, applies
// lists signed with either in sequence, refuses a tampered SM2 list and changes nothing, and
// re-verifies what it applied (both kinds) after a reboot.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALL_SCOPE, parsePublicKeys } from '../../../core/lists/envelope.js';
import { encodeTokenRecords } from '../../../core/lists/records.js';
import { EdgeLists } from '../../../edge-agent/src/lists/lists.js';
import { silentLogger } from '../../../edge-agent/src/log.js';
import { ListSigner } from '../../../gateway/src/lists/signer.js';
import { LIST_KEYS, signedDelta, testSigner } from '../../support/lists.js';
import { bytes, tempListsFile, tok } from './fixtures.js';

const LOST = 1;
const smSigner = new ListSigner(randomBytes(32).toString('hex'), 'sm2-test');
const both = parsePublicKeys(`${LIST_KEYS},sm2-test:${smSigner.publicKeyHex()}`) as Exclude<
  ReturnType<typeof parsePublicKeys>,
  string
>;

function open(file: string): EdgeLists {
  const lists = new EdgeLists({ file, venueId: 'museum-1', keys: both, log: silentLogger });
  lists.start();
  return lists;
}
const deny = (signer: ListSigner, version: number, token: string) =>
  signedDelta(signer, 'deny', ALL_SCOPE, version, encodeTokenRecords([{ token, value: LOST }]));

describe('edge lists signed with SM2 beside Ed25519', () => {
  it('applies an Ed25519 delta, then an SM2 one, and keeps both after a reboot', async () => {
    const file = tempListsFile();
    const lists = open(file);
    const [a, b] = [tok(), tok()];
    expect(await lists.applyDelta(deny(testSigner, 1, a))).toEqual({
      status: 'applied',
      kind: 'deny',
      version: 1,
    });
    expect(await lists.applyDelta(deny(smSigner, 2, b))).toEqual({
      status: 'applied',
      kind: 'deny',
      version: 2,
    });
    await lists.stop();
    const rebooted = open(file);
    expect(rebooted.version('deny')).toBe(2);
    expect([rebooted.cardFacts(bytes(a), '').deny, rebooted.cardFacts(bytes(b), '').deny]).toEqual([
      'lost',
      'lost',
    ]);
    await rebooted.stop();
  });

  it('refuses an SM2 delta whose body changed after signing, and changes nothing', async () => {
    const lists = open(tempListsFile());
    const card = tok();
    const envelope = Buffer.from(deny(smSigner, 1, card));
    envelope[envelope.length - 70]! ^= 1; // inside the body, before the 64-byte signature
    expect(await lists.applyDelta(envelope)).toEqual({ status: 'refused', why: 'signature does not verify' });
    expect([lists.version('deny'), lists.cardFacts(bytes(card), '').deny]).toEqual([0, undefined]);
    await lists.stop();
  });

  it('refuses an SM2 delta under a trusted id made with another SM2 key', async () => {
    const lists = open(tempListsFile());
    const forger = new ListSigner(randomBytes(32).toString('hex'), 'sm2-test');
    expect(await lists.applyDelta(deny(forger, 1, tok()))).toEqual({
      status: 'refused',
      why: 'signature does not verify',
    });
    expect(lists.version('deny')).toBe(0);
    await lists.stop();
  });
});

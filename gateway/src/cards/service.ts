// Card services behind the API: issue, top up (社保卡充值), report lost (挂失) and undo it.
// Card numbers arrive only here, from the API, and leave as tokens and masked forms.
import type { CardState } from '../../../core/card.js';
import { builtInRegistry, type ConcessionName, type ConcessionRegistry } from '../../../core/concession.js';
import { type EffectResult, planTopUp } from '../../../core/ledger.js';
import { cardTokenHex, maskCardNumber } from '../../../core/pii.js';
import type { DenyListPublisher } from '../lists/deny.js';
import type { ListService } from '../lists/service.js';
import type { Store } from '../store/port.js';

export class CardError extends Error {
  constructor(
    readonly code: 'CARD_NOT_FOUND' | 'TOPUP_CONFLICT',
    message: string,
  ) {
    super(message);
  }
}

export interface IssueCardInput {
  cardNumber: string;
  region: string;
  /** Names from the registry (the route's schema lists them). */
  concessions: ConcessionName[];
  balanceFen: number;
}

const MAX_TOPUP_ROUNDS = 20;

export class CardService {
  constructor(
    private readonly store: Store,
    private readonly deny: DenyListPublisher,
    private readonly tokenKey: Buffer,
    private readonly now: () => number,
    /** Concession flags follow issued cards onto the devices' flags list. */
    private readonly lists?: ListService,
    /** The concessions a card may hold: the built-in ones and the tariff's (core/concession.ts). */
    readonly concessions: ConcessionRegistry = builtInRegistry,
  ) {}

  tokenOf(cardNumber: string): string {
    return cardTokenHex(this.tokenKey, cardNumber);
  }

  async issue(input: IssueCardInput): Promise<CardState> {
    const token = this.tokenOf(input.cardNumber);
    const flags = this.concessions.flagsOf(input.concessions);
    await this.store.issueCard({
      token,
      masked: maskCardNumber(input.cardNumber),
      region: input.region,
      flags,
      balanceFen: input.balanceFen,
    });
    const card = await this.get(token);
    // The stored card's flags: issuing an existing card again changes nothing, its list entry too.
    // Devices get them as one byte: a tariff's concessions as what the device decides with.
    const deviceFlags = this.concessions.deviceFlags(card.flags);
    if (deviceFlags !== 0) await this.lists?.setFlags([{ token, flags: deviceFlags }]);
    return card;
  }

  async get(token: string): Promise<CardState> {
    const card = (await this.store.loadCards([token])).get(token);
    if (!card?.known) throw new CardError('CARD_NOT_FOUND', 'no card with this number or token');
    return card;
  }

  /** Idempotent by requestId: the same request twice tops up once and answers the same. */
  async topUp(
    token: string,
    amountFen: number,
    requestId: string,
    channel: string,
  ): Promise<EffectResult & { duplicate: boolean }> {
    for (let round = 0; round < MAX_TOPUP_ROUNDS; round++) {
      const card = await this.get(token);
      const [outcome] = await this.store.commit([
        planTopUp(card, { requestId, amountFen, channel }, this.now()),
      ]);
      if (outcome && outcome.status !== 'conflict') {
        // Back above zero: off the deny list (an active card is listed for nothing else).
        if (card.balanceFen < 0 && outcome.result.balanceAfterFen >= 0 && card.status === 'active')
          await this.deny.change(token, false, 'negative_balance');
        return { ...outcome.result, duplicate: outcome.status === 'duplicate' };
      }
    }
    throw new CardError('TOPUP_CONFLICT', 'the card is changing too fast; try again');
  }

  /**
   * Lost (挂失): the card goes on the deny list, which reaches every connected device at once,
   * and every holder token of the card ends: whoever holds the phone or a copied token loses
   * the holder routes too (docs/decisions/0152). First, so a failure later still leaves them ended.
   */
  async reportLost(token: string): Promise<{ denyListVersion: number }> {
    await this.get(token);
    await this.store.auth.bumpHolderEpoch(token);
    await this.store.setCardStatus(token, 'lost');
    const change = await this.deny.change(token, true, 'lost');
    return { denyListVersion: change?.version ?? (await this.deny.version()) };
  }

  /** Undo a lost report (the card was found): off the deny list again. */
  async reportFound(token: string): Promise<{ denyListVersion: number }> {
    const card = await this.get(token);
    await this.store.setCardStatus(token, 'active');
    // Found, but still below zero: it stays listed, now for its balance.
    const change = await this.deny.change(
      token,
      card.balanceFen < 0,
      card.balanceFen < 0 ? 'negative_balance' : 'lost',
    );
    return { denyListVersion: change?.version ?? (await this.deny.version()) };
  }
}

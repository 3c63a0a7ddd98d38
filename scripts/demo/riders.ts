// Riders for the demo: plausible journeys instead of random taps, so what the devices refuse is
// worth reading. A card that entered the metro leaves a few seconds later at the exit gate; a
// card does not return to a gate whose anti-passback window it is inside, except for one
// deliberate passback now and then (the gate must refuse it); bus validators take any tap.
// Pure: the caller passes the clock and the random source, and taps the readers.

export type Stop = 'bus' | 'metroIn' | 'metroOut' | 'station' | 'library' | 'museum' | 'park';

export interface NextTap {
  stop: Stop;
  card: number;
  /** A tap the gate is expected to refuse (a second entry inside the passback window). */
  passback: boolean;
}

interface CardState {
  inMetroSince: number | undefined;
  /** Gates this card passed (other than buses): it does not come back to them in the demo. */
  passed: Set<Stop>;
}

export class Riders {
  private readonly cards: CardState[];
  private ticks = 0;
  private lastEntered: number | undefined;

  constructor(
    cardCount: number,
    private readonly rideSeconds = 4,
    private readonly random: () => number = Math.random,
    /** Who goes where (e.g. only holders of a pass visit the park); the default: anyone anywhere. */
    private readonly visits: (stop: Stop, card: number) => boolean = () => true,
  ) {
    this.cards = Array.from({ length: cardCount }, () => ({ inMetroSince: undefined, passed: new Set() }));
  }

  next(nowMs: number): NextTap {
    this.ticks++;
    // Journeys end first: the longest-riding card taps out once its ride is over.
    let leaving: number | undefined;
    this.cards.forEach((c, i) => {
      if (c.inMetroSince !== undefined && nowMs - c.inMetroSince >= this.rideSeconds * 1000) {
        if (leaving === undefined || c.inMetroSince < this.cards[leaving]!.inMetroSince!) leaving = i;
      }
    });
    if (leaving !== undefined) {
      this.cards[leaving]!.inMetroSince = undefined;
      return { stop: 'metroOut', card: leaving, passback: false };
    }
    if (this.ticks % 17 === 0 && this.lastEntered !== undefined)
      return { stop: 'metroIn', card: this.lastEntered, passback: true };
    const card = Math.floor(this.random() * this.cards.length);
    const state = this.cards[card]!;
    const open = (['metroIn', 'station', 'library', 'museum', 'park'] as const).filter(
      (s) =>
        !state.passed.has(s) &&
        !(s === 'metroIn' && state.inMetroSince !== undefined) &&
        this.visits(s, card),
    );
    const choices: Stop[] = ['bus', ...open];
    const stop = choices[Math.floor(this.random() * choices.length)]!;
    if (stop !== 'bus') state.passed.add(stop);
    if (stop === 'metroIn') {
      state.inMetroSince = nowMs;
      this.lastEntered = card;
    }
    return { stop, card, passback: false };
  }
}

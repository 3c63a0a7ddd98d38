import { emptyJournalState, MemoryJournal } from '../../../edge-agent/src/journal/memory.js';
import { journalContract } from './contract.js';

journalContract('in-memory adapter', () => {
  let state = emptyJournalState();
  return {
    open: () => new MemoryJournal(state),
    lose: () => {
      state = emptyJournalState();
    },
    dispose: () => {},
  };
});

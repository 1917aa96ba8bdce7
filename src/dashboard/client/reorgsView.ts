import type { ReorgEntry } from './reorgLog.ts';

/** Renders the recent reorgs list (one `li[data-testid=reorg-row]` per orphaned block). */
export function renderReorgs(list: HTMLElement, entries: ReorgEntry[]): void {
  if (entries.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'muted';
    empty.textContent = 'No reorg seen since the page opened.';
    list.replaceChildren(empty);
    return;
  }
  list.replaceChildren(
    ...entries.map((entry) => {
      const item = document.createElement('li');
      item.dataset.testid = 'reorg-row';
      item.dataset.blockNumber = entry.blockNumber;
      item.dataset.deep = String(entry.deep);
      const time = new Date(entry.seenAt).toLocaleTimeString();
      const kind = entry.deep ? 'deep reorg: confirmed events retracted' : 'pending events retracted';
      item.textContent = `${time} · chain ${entry.chainId} block ${entry.blockNumber} · ${entry.removed} removed (${entry.contracts.join(', ')}) · ${kind}`;
      return item;
    }),
  );
}

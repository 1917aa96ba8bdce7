import type { FeedChange, FeedRow } from './feedModel.ts';

/** Renders feed changes into a table body: one `tr[data-testid=feed-row]` per event id, newest on top. */
export type FeedView = { render(change: FeedChange): void };

function shortHash(hash: string): string {
  return `${hash.slice(0, 10)}…${hash.slice(-4)}`;
}

function fill(tr: HTMLTableRowElement, row: FeedRow): void {
  const { event } = row;
  tr.dataset.status = event.status;
  tr.dataset.history = row.history.join(' ');
  const cells = [
    ['status', event.status],
    ['history', row.history.join(' → ')],
    ['block', `${event.blockNumber}:${event.logIndex}`],
    ['event', `${event.contractName ?? event.__typename}.${event.eventName ?? '?'}`],
    ['chain', String(event.chainId)],
    ['tx', shortHash(event.transactionHash)],
  ] as const;
  tr.replaceChildren(
    ...cells.map(([field, text]) => {
      const td = document.createElement('td');
      td.dataset.field = field;
      td.textContent = text;
      if (field === 'status') td.className = `status status-${event.status.toLowerCase()}`;
      return td;
    }),
  );
  tr.title = event.id;
}

/** Creates the feed view over `tbody`; rows flash briefly when their status changes. */
export function createFeedView(tbody: HTMLElement): FeedView {
  const elements = new Map<string, HTMLTableRowElement>();
  const flash = (tr: HTMLTableRowElement) => {
    tr.classList.remove('flash');
    // Restart the CSS animation on a row that changes twice in a row.
    void tr.offsetWidth;
    tr.classList.add('flash');
  };
  return {
    render(change) {
      for (const old of change.evicted) {
        elements.get(old.event.id)?.remove();
        elements.delete(old.event.id);
      }
      if (change.kind === 'unchanged') return;
      let tr = elements.get(change.row.event.id);
      if (!tr) {
        tr = document.createElement('tr');
        tr.dataset.testid = 'feed-row';
        tr.dataset.eventId = change.row.event.id;
        elements.set(change.row.event.id, tr);
        tbody.prepend(tr);
      }
      fill(tr, change.row);
      flash(tr);
    },
  };
}

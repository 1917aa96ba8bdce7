import { entityFeedCells, type FeedEntityUpdate } from './entityFeedCells.ts';

/** Adds entity updates to the live feed table: one `tr[data-testid=entity-row]` per update, newest on top. */
export type EntityFeedView = { add(update: FeedEntityUpdate): void };

/** Parameters of {@link createEntityFeedView}. */
export type CreateEntityFeedViewParameters = {
  /** The feed's table body (shared with the event rows). */
  tbody: HTMLElement;
  /** Most entity lines kept; the oldest is removed past it. */
  maxRows: number;
};

/** Creates the entity lines of the feed; each update is a new line (an entity changes many times). */
export function createEntityFeedView({ tbody, maxRows }: CreateEntityFeedViewParameters): EntityFeedView {
  const rows: HTMLTableRowElement[] = [];
  return {
    add(update) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'entity-row';
      tr.dataset.deleted = String(update.deleted);
      tr.title = `${update.contractName}.${update.projection} ${update.key} @ ${update.cursor}`;
      tr.replaceChildren(
        ...entityFeedCells(update).map(([field, text]) => {
          const td = document.createElement('td');
          td.dataset.field = field;
          td.textContent = text;
          if (field === 'status') td.className = `status status-${update.deleted ? 'deleted' : 'updated'}`;
          return td;
        }),
      );
      tr.classList.add('flash');
      tbody.prepend(tr);
      rows.push(tr);
      while (rows.length > maxRows) rows.shift()?.remove();
    },
  };
}

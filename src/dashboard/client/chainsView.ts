import type { DashboardChainsQuery } from '../generated/graphql.ts';

type ChainStatus = DashboardChainsQuery['chains'][number];

const fields = ['head', 'confirmed', 'processedBlock', 'lag'] as const;

/** Renders one row per chain into `tbody`: head, confirmed block, processed block and lag. */
export function renderChains(tbody: HTMLElement, chains: ChainStatus[]): void {
  const rows = chains.map((chain) => {
    const row = document.createElement('tr');
    row.dataset.testid = 'chain-row';
    row.dataset.chainId = String(chain.chainId);
    const name = document.createElement('td');
    name.textContent = chain.name ? `${chain.name} (${chain.chainId})` : String(chain.chainId);
    row.append(name);
    for (const field of fields) {
      const cell = document.createElement('td');
      cell.dataset.field = field;
      cell.className = 'num';
      cell.textContent = chain[field] ?? '–';
      row.append(cell);
    }
    const confirmations = document.createElement('td');
    confirmations.className = 'num';
    confirmations.textContent = String(chain.confirmations);
    row.append(confirmations);
    return row;
  });
  if (rows.length === 0) {
    const row = document.createElement('tr');
    row.innerHTML = '<td colspan="6" class="muted">No chain configured.</td>';
    rows.push(row);
  }
  tbody.replaceChildren(...rows);
}

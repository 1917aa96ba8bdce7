/**
 * The GraphQL side of the marketplace end-to-end test: the Market projections as a dApp reads them
 * (`Market_Listing`, `Market_SellerStats`, `Market_ListingList`), and their comparison with what the
 * contract's view functions return.
 */
import { type Address, zeroAddress } from 'viem';
import { postGraphql } from '../../gateway/support/clients.ts';
import type { ListingView, MarketView, SellerStatsView } from './marketChain.ts';

/** Fields of a `Market_Listing` every query of the test selects. */
export const listingSelection = 'listingId seller price active listedAt buyer volume updatedAtBlock cursor';

/** A `Market_Listing` as the gateway returns it. */
export type ListingEntity = {
  listingId: string;
  seller: string;
  price: string;
  active: boolean;
  listedAt: string;
  buyer: string | null;
  volume: string;
  updatedAtBlock: string | number;
  cursor: string;
};

/** A `Market_SellerStats` as the gateway returns it. */
export type SellerStatsEntity = { seller: string; listings: string; sales: string; volume: string };

// Aliases per request: well under the test gateway's limits, few round trips for hundreds of keys.
const keysPerRequest = 50;

async function query<T>(url: string, document: string, variables: Record<string, unknown>): Promise<T> {
  const { status, body } = await postGraphql<T, Record<string, unknown>>(url, document, variables);
  if (status !== 200 || body.errors?.length || !body.data)
    throw new Error(`GraphQL ${status}: ${JSON.stringify(body.errors ?? body)}\n${document.slice(0, 300)}`);
  return body.data;
}

/** `Market_Listing` of each id (null: no entity), by decimal id. */
export async function queryListings(
  url: string,
  chainId: number,
  listingIds: Iterable<bigint>,
): Promise<Map<string, ListingEntity | null>> {
  const ids = [...listingIds];
  const out = new Map<string, ListingEntity | null>();
  for (let start = 0; start < ids.length; start += keysPerRequest) {
    const part = ids.slice(start, start + keysPerRequest);
    const document = `query Listings($chainId: Int!) {\n${part
      .map((id) => `  l${id}: Market_Listing(chainId: $chainId, listingId: "${id}") { ${listingSelection} }`)
      .join('\n')}\n}`;
    const data = await query<Record<string, ListingEntity | null>>(url, document, { chainId });
    for (const id of part) out.set(id.toString(), data[`l${id}`] ?? null);
  }
  return out;
}

/** `Market_SellerStats` of each seller (null: no entity), by lower-case address. */
export async function querySellerStats(
  url: string,
  chainId: number,
  sellers: Iterable<Address | string>,
): Promise<Map<string, SellerStatsEntity | null>> {
  const list = [...sellers];
  const out = new Map<string, SellerStatsEntity | null>();
  for (let start = 0; start < list.length; start += keysPerRequest) {
    const part = list.slice(start, start + keysPerRequest);
    const document = `query Sellers($chainId: Int!) {\n${part
      .map(
        (seller, index) =>
          `  s${index}: Market_SellerStats(chainId: $chainId, seller: "${seller}") { seller listings sales volume }`,
      )
      .join('\n')}\n}`;
    const data = await query<Record<string, SellerStatsEntity | null>>(url, document, { chainId });
    for (const [index, seller] of part.entries()) out.set(seller.toLowerCase(), data[`s${index}`] ?? null);
  }
  return out;
}

/** Filter and order of a `Market_ListingList` query. */
export type ListingListOptions = {
  where?: Record<string, unknown>;
  orderBy?: string;
  order?: 'ASC' | 'DESC';
  /** Page size. Default 37 (several pages for a few hundred listings). */
  first?: number;
};

/** Every item of `Market_ListingList`, page by page, in the order served. */
export async function queryListingList(
  url: string,
  chainId: number,
  { where, orderBy, order, first = 37 }: ListingListOptions = {},
): Promise<{ items: ListingEntity[]; pages: number }> {
  const document = `query ListingList($chainId: Int!, $first: Int, $after: String, $where: Market_ListingWhere, $orderBy: Market_ListingOrderField, $order: OrderDirection) {
    Market_ListingList(chainId: $chainId, first: $first, after: $after, where: $where, orderBy: $orderBy, order: $order) {
      items { ${listingSelection} }
      endCursor
      hasNextPage
    }
  }`;
  type Page = {
    Market_ListingList: { items: ListingEntity[]; endCursor: string | null; hasNextPage: boolean };
  };
  const items: ListingEntity[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    if (pages > 1_000) throw new Error('Market_ListingList did not end after 1000 pages');
    const page: Page = await query<Page>(url, document, { chainId, first, after, where, orderBy, order });
    items.push(...page.Market_ListingList.items);
    if (!page.Market_ListingList.hasNextPage) return { items, pages };
    after = page.Market_ListingList.endCursor;
    if (!after) throw new Error('Market_ListingList has a next page but no endCursor');
  }
}

/** The listing fields the views determine, in GraphQL form (addresses lower-case). */
export type ComparableListing = Pick<
  ListingEntity,
  'listingId' | 'seller' | 'price' | 'active' | 'listedAt' | 'buyer' | 'volume'
>;

/**
 * What `Market_Listing` must return for a view: null for a listing that does not exist (never created
 * on the canonical chain, or cancelled); a never-sold listing has no buyer (null) and volume "0".
 */
export function expectedListing(listingId: string, view: ListingView): ComparableListing | null {
  if (!view.exists) return null;
  return {
    listingId,
    seller: view.seller.toLowerCase(),
    price: view.price,
    active: view.active,
    listedAt: view.listedAt,
    buyer: view.buyer === zeroAddress ? null : view.buyer.toLowerCase(),
    volume: view.volume,
  };
}

/** The fields of a `Market_Listing` the views determine (addresses lower-case). */
export function comparableListing(entity: ListingEntity | null): ComparableListing | null {
  if (!entity) return null;
  return {
    listingId: entity.listingId,
    seller: entity.seller.toLowerCase(),
    price: entity.price,
    active: entity.active,
    listedAt: entity.listedAt,
    buyer: entity.buyer === null ? null : entity.buyer.toLowerCase(),
    volume: entity.volume,
  };
}

/** What `Market_SellerStats` must return: null for a seller with nothing on the canonical chain. */
export function expectedSellerStats(seller: string, view: SellerStatsView): SellerStatsEntity | null {
  if (view.listings === '0' && view.sales === '0' && view.volume === '0') return null;
  return { seller: seller.toLowerCase(), ...view };
}

/** Differences between the projections over GraphQL and the views, one line each (empty: equal). */
export function diffMarket(
  view: MarketView,
  listings: Map<string, ListingEntity | null>,
  sellers: Map<string, SellerStatsEntity | null>,
): string[] {
  const problems: string[] = [];
  for (const [id, listing] of view.listings) {
    const expected = expectedListing(id, listing);
    const got = comparableListing(listings.get(id) ?? null);
    if (JSON.stringify(got) !== JSON.stringify(expected))
      problems.push(`listing ${id}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  }
  for (const [seller, stats] of view.sellers) {
    const expected = expectedSellerStats(seller, stats);
    const entity = sellers.get(seller) ?? null;
    const got = entity && {
      seller: entity.seller.toLowerCase(),
      listings: entity.listings,
      sales: entity.sales,
      volume: entity.volume,
    };
    if (JSON.stringify(got) !== JSON.stringify(expected))
      problems.push(`seller ${seller}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  }
  return problems;
}

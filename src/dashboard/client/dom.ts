/** The element with this id; throws when the page lacks it (the HTML and the bundle ship together). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`dashboard.html has no element #${id}`);
  return element as T;
}

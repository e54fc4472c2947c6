/** "1 room", "2 rooms", "0 rooms": a count with its noun, as a reader expects it. */
export function plural(count: number | string, one: string, many = `${one}s`): string {
  return `${count} ${Number(String(count).replace(/\D/g, '')) === 1 ? one : many}`;
}

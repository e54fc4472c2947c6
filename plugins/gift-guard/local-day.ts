/** The calendar day of a time in an IANA zone, as YYYY-MM-DD (en-CA formats dates that way). */
export function localDay(timezone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ms) => format.format(ms);
}

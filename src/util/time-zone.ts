/** True for a time zone name this Node's Intl knows (IANA names such as "Asia/Shanghai", and "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

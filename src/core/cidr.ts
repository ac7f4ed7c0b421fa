/**
 * CIDR ranges as iptables and ip6tables read them, checked strictly: a value that passes is one
 * address family's range in plain notation, never a host name (which iptables would resolve) or
 * a form one tool reads differently from the other.
 */

const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/** The prefix length: decimal without a leading zero, at most `bits`. */
function isPrefix(text: string | undefined, bits: number): boolean {
  return text !== undefined && /^(0|[1-9][0-9]{0,2})$/.test(text) && Number(text) <= bits;
}

function isIpv4Address(address: string): boolean {
  const octets = address.split('.');
  return octets.length === 4 && octets.every((octet) => OCTET.test(octet) && Number(octet) <= 255);
}

/**
 * An IPv6 address as RFC 4291 writes it: eight groups of 1-4 hex digits, one `::` standing for
 * at least one zero group, and optionally a dotted IPv4 address as the last 32 bits. No zone
 * (`%eth0`) and no brackets: ip6tables takes neither in a range.
 */
function isIpv6Address(address: string): boolean {
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const last = groups.at(-1) ?? [];
  const tail = last.at(-1) ?? '';
  const embedsIpv4 = tail.includes('.');
  if (embedsIpv4 && !isIpv4Address(tail)) return false;
  const hextets = groups.flat().filter((group, i, all) => !(embedsIpv4 && i === all.length - 1));
  if (!hextets.every((group) => HEXTET.test(group))) return false;
  const count = hextets.length + (embedsIpv4 ? 2 : 0);
  return halves.length === 2 ? count <= 7 : count === 8;
}

export function isIpv4Cidr(item: string): boolean {
  const [address = '', prefix, ...rest] = item.split('/');
  return rest.length === 0 && isPrefix(prefix, 32) && isIpv4Address(address);
}

export function isIpv6Cidr(item: string): boolean {
  const [address = '', prefix, ...rest] = item.split('/');
  return rest.length === 0 && isPrefix(prefix, 128) && isIpv6Address(address);
}

/** Either family: the proxy's init script gives ranges with a `:` to ip6tables, the others to iptables. */
export function isCidr(item: string): boolean {
  return isIpv4Cidr(item) || isIpv6Cidr(item);
}

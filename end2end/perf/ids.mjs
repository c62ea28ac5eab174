// Valid 统一社会信用代码 for the load and fault scripts: a Beijing enterprise
// code from a serial number (distinct numbers, distinct codes), with both
// check characters computed as the validators do.
export function usccFrom(n) {
  const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const body = String(10_000_000 + (n % 89_999_999));
  const w = [3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((a, c, i) => a + Number(c) * w[i], 0);
  const c9 = 11 - (sum % 11);
  const first17 = `91110108${body}${c9 === 10 ? "X" : c9 === 11 ? "0" : String(c9)}`;
  const w18 = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const s18 = [...first17].reduce((a, c, i) => a + alphabet.indexOf(c) * w18[i], 0);
  return first17 + alphabet[(31 - (s18 % 31)) % 31];
}

// A bigint as the shortest big-endian two's complement bytes that hold it: the form of a
// DECIMAL's unscaled value in Avro's decimal logical type and in TideDB's stored rows.
export function bigintToTwosComplement(value: bigint): Buffer {
  // Bytes enough for the magnitude and a sign bit: n bytes hold -2^(8n-1) .. 2^(8n-1) - 1.
  let length = 1;
  while (value < -(1n << BigInt(8 * length - 1)) || value >= 1n << BigInt(8 * length - 1)) length++;
  const bytes = Buffer.alloc(length);
  let rest = BigInt.asUintN(8 * length, value);
  for (let at = length - 1; at >= 0; at--) {
    bytes[at] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

export function twosComplementToBigint(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return bytes.length === 0 ? 0n : BigInt.asIntN(8 * bytes.length, value);
}

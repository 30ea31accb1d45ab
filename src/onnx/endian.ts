/**
 * Whether this machine stores numbers little-endian, as ONNX's raw_data and protobuf's fixed-size
 * fields do: true on every platform Node ships for except s390x.
 *
 * @example
 * ```ts
 * const view = hostIsLittleEndian ? new Float32Array(bytes.buffer) : swapped(bytes);
 * ```
 */
export const hostIsLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * The ArrayBuffer of little-endian element bytes, swapped in place on a big-endian host so a typed
 * array over it reads the right values. A view that does not cover its whole buffer is copied first.
 *
 * @example
 * ```ts
 * const floats = new Float32Array(littleEndianBuffer(rawData.slice(), 4));
 * ```
 */
export function littleEndianBuffer(bytes: Uint8Array, size: number): ArrayBuffer {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  if (!hostIsLittleEndian) for (let i = 0; i < own.length; i += size) own.subarray(i, i + size).reverse();
  return own.buffer as ArrayBuffer;
}

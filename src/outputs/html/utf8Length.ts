/**
 * How many bytes a text takes in UTF-8 (as Buffer.byteLength, a lone surrogate counting as the three
 * bytes of U+FFFD), without encoding it: the report measures its pieces against its size budget many
 * times, and the core must not use Node's Buffer.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

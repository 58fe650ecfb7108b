import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/**
 * Why a request path was refused. `bad-request`: not decodable; `forbidden`: a segment that could
 * leave the root (`..`, an encoded slash, an absolute path) or a hidden file.
 */
export type Refusal = 'bad-request' | 'forbidden';

/**
 * The URL path segments, percent-decoded one by one. Decoding per segment (not the whole path)
 * keeps an encoded slash (`%2F`) inside its segment, where it is refused, instead of letting it
 * become a separator.
 */
export function decodeSegments(rawPath: string): string[] | Refusal {
  const segments: string[] = [];
  for (const raw of rawPath.split('/').slice(1)) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return 'bad-request';
    }
    // Empty segments (`//etc`), dot segments and hidden files are never part of what we serve;
    // `\` and NUL are refused so that no platform reads them as separators or terminators.
    if (s === '' || s.startsWith('.') || /[/\\\0]/.test(s)) return 'forbidden';
    segments.push(s);
  }
  return segments;
}

/**
 * The real path of a regular file `segments` below `root`, or null. Containment is checked on
 * real paths, after every symlink is resolved, so a link inside the root that points outside it
 * is refused like `..`.
 */
export async function resolveInside(root: string, segments: string[]): Promise<string | null> {
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(join(realRoot, ...segments));
  } catch {
    return null;
  }
  if (!real.startsWith(realRoot + sep)) return null;
  const st = await stat(real).catch(() => null);
  return st?.isFile() ? real : null;
}

import type Sharp from 'sharp';

let loading: Promise<typeof Sharp> | null = null;

/**
 * sharp (libvips) loaded on first use: it costs ~17 MB of resident memory (libvips' code and its start-up) that a
 * process which never touches an image — an import of a dump without uploads, most API processes — should not
 * carry (issue 11: peak RSS ≤ 300 MB while importing; ADR 0032).
 */
export function loadSharp(): Promise<typeof Sharp> {
  loading ??= import('sharp').then((m) => m.default);
  return loading;
}

export { createWxrAdapter, PAGES_COLUMN, type WxrFile, type WxrOpenOptions, wxrAdapter } from './adapter.ts';
export { convertShortcodes, mapWordPressClasses, stripBlockComments, wordpressBody, wpautop } from './body.ts';
export { wordpressDate } from './dates.ts';
export { type GenerateWxrOptions, generateWxr } from './generate.ts';
export { decodePhpValue } from './php.ts';

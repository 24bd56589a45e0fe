export * from './record.ts';
export * from './text/encoding.ts';
export { dedecmsAdapter } from './dedecms/adapter.ts';
export { generateDedecms, type DedeGenOptions, type GeneratedDump } from './dedecms/generate.ts';
export { phpcmsAdapter } from './phpcms/adapter.ts';
export { generatePhpcms, type PhpcmsGenOptions, type GeneratedPhpcmsDump } from './phpcms/generate.ts';
export { DUMP_STYLES, type DumpEncoding, type DumpStyle } from './sql/dump-writer.ts';
export { readDump, type DumpEvent, type DumpFlavour, type ReadDumpOptions } from './sql/read.ts';
export { SqlStatementReader, type SqlEvent, type SqlValue } from './sql/tokenizer.ts';

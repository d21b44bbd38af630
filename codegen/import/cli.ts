import { runImportCli } from './index.js';

process.exitCode = await runImportCli(process.argv.slice(2));

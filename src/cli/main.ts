import { Command, CommanderError } from 'commander';
import { type GenerateErrorLike, isGenerateError } from './errors.js';
import { registerAsyncApi } from './commands/asyncapi.js';
import { registerCodegen, registerImport } from './commands/codegen.js';
import { registerConnect } from './commands/connect.js';
import { registerLearn } from './commands/learn.js';
import { registerDocs } from './commands/docs.js';
import { registerEmulate } from './commands/emulate.js';
import { registerList } from './commands/list.js';
import { registerServe } from './commands/serve.js';
import { registerTrigger } from './commands/trigger.js';
import { registerSchema } from './commands/schema.js';
import { registerValidate } from './commands/validate.js';
import { registerWork } from './commands/work.js';
import { CliError } from './io.js';
import { packageVersion } from '../util/package-root.js';
import { LarkEventError } from '../runtime/errors.js';

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('lark-events')
    .description('Typed, validated catalog of Feishu / Lark events and callbacks, and the receivers for them')
    .version(packageVersion(), '-V, --version', 'print the package version')
    .showHelpAfterError()
    .exitOverride();
  registerValidate(program, setExit);
  registerList(program);
  registerSchema(program);
  registerCodegen(program, setExit);
  registerImport(program, setExit);
  registerLearn(program, setExit);
  registerServe(program);
  registerConnect(program, setExit);
  registerEmulate(program);
  registerTrigger(program, setExit);
  registerWork(program);
  registerAsyncApi(program);
  registerDocs(program);
  return program;
}

/** Runs the CLI and returns its exit code: 0 ok, 1 failed check, 2 usage or input error. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => { code = c; });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      process.stderr.write(`lark-events: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof LarkEventError) {
      // Invalid options and inputs the library rejects: the message says what, a stack adds nothing.
      process.stderr.write(`lark-events: ${err.message}\n`);
      return 2;
    }
    if (isGenerateError(err)) {
      process.stderr.write(`${(err as GenerateErrorLike).message}\n`);
      return 1;
    }
    process.stderr.write(`lark-events: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 2;
  }
}

/**
 * A kernel connection with subshells for transport tests: a real Python
 * process (see pythonKernel.ts) behind the parts of the JEP 91 API the
 * subshell transport uses.
 */
import { Signal } from '@lumino/signaling';
import { PythonKernel } from './pythonKernel';

/** What a test decides about subshell creation. */
export type CreateBehaviour = 'ok' | 'error-reply' | 'reject';

/** A `PythonKernel` that claims subshell support. */
export class SubshellKernel extends PythonKernel {
  supportsSubshells = true;
  readonly clientId = 'client-' + Math.random().toString(16).slice(2);
  readonly username = 'tester';
  /** Emitted for every message, as a kernel connection does. */
  readonly anyMessage = new Signal<this, { msg: unknown; direction: string }>(
    this
  );
  create: CreateBehaviour = 'ok';
  readonly created: string[] = [];
  /** How many times a subshell was asked for. */
  createCalls = 0;
  readonly deleted: string[] = [];
  /** Subshell ids of every execute, in order ('' for the main shell). */
  readonly subshellOfExecute: string[] = [];

  requestCreateSubshell(): {
    msg: { header: { msg_id: string } };
    done: Promise<{ content: unknown }>;
  } {
    this.createCalls++;
    const msg = { header: { msg_id: `create-${this.createCalls}` } };
    if (this.create === 'reject') {
      return { msg, done: Promise.reject(new Error('Kernel info timeout')) };
    }
    if (this.create === 'error-reply') {
      return {
        msg,
        done: Promise.resolve({
          content: { status: 'error', evalue: 'subshells are off' }
        })
      };
    }
    const id = `subshell-${this.created.length + 1}`;
    this.created.push(id);
    return {
      msg,
      done: Promise.resolve({ content: { status: 'ok', subshell_id: id } })
    };
  }

  requestDeleteSubshell(content: { subshell_id: string }): {
    done: Promise<unknown>;
  } {
    this.deleted.push(content.subshell_id);
    return { done: Promise.resolve({ content: { status: 'ok' } }) };
  }

  sendShellMessage(msg: {
    header: { msg_id: string; subshell_id?: string };
    content: { code: string; user_expressions?: Record<string, string> };
  }): { done: Promise<{ content: unknown }> } {
    const subshell = msg.header.subshell_id ?? '';
    this.subshellOfExecute.push(subshell);
    if (subshell && !this.created.includes(subshell)) {
      return {
        done: Promise.resolve({
          content: {
            status: 'error',
            ename: 'UnknownSubshellError',
            evalue: `Unknown subshell ${subshell}`
          }
        })
      };
    }
    return this.requestExecute(msg.content);
  }

  /** A restart loses every subshell and the namespace. */
  restart(): void {
    this.setStatus('restarting');
    this.created.length = 0;
    this.restartAfterNextRequest();
  }

  /** Evaluate `expression` in the kernel's namespace (a user's cell). */
  async evaluate(expression: string): Promise<string> {
    const reply = (await this.requestExecute({
      code: '',
      user_expressions: { x: expression }
    }).done) as {
      content: { user_expressions: { x: { data: { 'text/plain': string } } } };
    };
    return reply.content.user_expressions.x.data['text/plain'];
  }
}

// Where a prompt's input tokens went: system instructions, retrieved context, conversation
// history and the question. Pure.
//
// Providers report one input token count per call, not per message, so the split is an
// estimate: each message's share of the characters, applied to the reported count. Token
// density differs between prose, code and other languages, which is why the UI labels it an
// estimate.

import type { Llm, Message } from './api';

export type PromptPart = 'system' | 'context' | 'history' | 'question';

export const PROMPT_PARTS: PromptPart[] = ['system', 'context', 'history', 'question'];

export const PROMPT_PART_LABEL: Record<PromptPart, string> = {
  system: 'System',
  context: 'Retrieved context',
  history: 'History',
  question: 'Question',
};

export interface PromptSlice {
  part: PromptPart;
  chars: number;
  /** Estimated tokens: the input token count times this part's share of the characters. */
  tokens: number;
  share: number;
}

export interface PromptBreakdown {
  slices: PromptSlice[];
  inputTokens: number;
  totalChars: number;
}

const SYSTEM_ROLES = new Set(['system', 'developer']);
const CONTEXT_ROLES = new Set(['tool', 'function', 'ipython', 'context', 'document', 'retrieval']);

// "Question:" (or "Query:", "User question:") at the start of a line of a message that also
// carries context: RAG templates put the retrieved passages first and the question last.
const QUESTION_MARKER = /(^|\n)[ \t]*(?:user[ \t]+)?(?:question|query)[ \t]*:/i;
const CONTEXT_MARKER = /(^|\n)[ \t]*(?:context|documents?|sources?|passages?)[ \t]*:|<(?:context|documents?)>/i;

function partChars(message: Message, kinds: ('text' | 'tool_call' | 'tool_result' | 'other')[]): number {
  let n = 0;
  for (const p of message.parts) {
    if (!(kinds as string[]).includes(p.type)) continue;
    n += (p.text?.length ?? 0) + (p.arguments?.length ?? 0) + (p.tool_name?.length ?? 0);
  }
  return n;
}

function textOf(message: Message): string {
  return message.parts
    .filter((p) => p.type === 'text')
    .map((p) => p.text ?? '')
    .join('\n');
}

/**
 * Splits the last user message into context and question when it is a RAG template (a context
 * marker, then a question marker); otherwise all of it is the question.
 */
export function splitQuestion(text: string): { context: number; question: number } {
  const question = QUESTION_MARKER.exec(text);
  if (question && question.index > 0 && CONTEXT_MARKER.test(text.slice(0, question.index + 1))) {
    const at = question.index + question[1]!.length;
    return { context: at, question: text.length - at };
  }
  return { context: 0, question: text.length };
}

/** Characters per prompt part of an LLM call's input. */
export function promptChars(llm: Pick<Llm, 'system_instructions' | 'input_messages'>): Record<PromptPart, number> {
  const chars: Record<PromptPart, number> = { system: 0, context: 0, history: 0, question: 0 };
  for (const m of llm.system_instructions ?? []) chars.system += partChars(m, ['text', 'other']);
  const messages = llm.input_messages ?? [];
  let lastUser = -1;
  messages.forEach((m, i) => {
    if (m.role === 'user') lastUser = i;
  });
  messages.forEach((m, i) => {
    const role = m.role.toLowerCase();
    if (SYSTEM_ROLES.has(role)) {
      chars.system += partChars(m, ['text', 'other']);
    } else if (CONTEXT_ROLES.has(role)) {
      chars.context += partChars(m, ['text', 'tool_result', 'other']);
    } else if (i === lastUser) {
      // Tool results the user turn carries (Anthropic style) are context, the text is the ask.
      chars.context += partChars(m, ['tool_result']);
      const split = splitQuestion(textOf(m));
      chars.context += split.context;
      chars.question += split.question;
    } else {
      // Earlier turns, and the assistant's own turns: history. What tools returned is
      // retrieved context wherever it sits.
      chars.context += partChars(m, ['tool_result']);
      chars.history += partChars(m, ['text', 'tool_call', 'other']);
    }
  });
  return chars;
}

/**
 * The estimated breakdown of the call's input tokens, or null when there is nothing to split
 * (no messages or no input token count).
 */
export function promptBreakdown(llm: Pick<Llm, 'system_instructions' | 'input_messages' | 'usage'>): PromptBreakdown | null {
  const inputTokens = llm.usage?.input_tokens ?? 0;
  if (inputTokens <= 0) return null;
  const chars = promptChars(llm);
  const totalChars = PROMPT_PARTS.reduce((s, p) => s + chars[p], 0);
  if (totalChars === 0) return null;
  const slices = PROMPT_PARTS.filter((p) => chars[p] > 0).map((part) => {
    const share = chars[part] / totalChars;
    return { part, chars: chars[part], share, tokens: share * inputTokens };
  });
  return { slices, inputTokens, totalChars };
}

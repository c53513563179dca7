// Signals, updates and workflow starts come from anyone who can reach the server (the Temporal UI,
// `temporal workflow signal --input-meta encoding=…`). A payload the payload converter cannot read (an
// encoding it does not know, or json/plain that is not JSON) would throw inside the workflow task, so
// the task would fail on every retry and the rollout would be stuck behind that one message. This
// codec runs in the worker before the workflow sees anything and swaps such a payload for a small
// JSON marker, which the workflow's message checks refuse by name (workflows/rollout.ts).
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { UNREADABLE_PAYLOAD } from '../workflows/messages.js';

const text = new TextDecoder();
const bytes = new TextEncoder();

function encodingOf(payload: Payload): string {
  const encoding = payload.metadata?.encoding;
  return encoding ? text.decode(encoding) : '(none)';
}

/** The payload itself when the default converter can read it, else the marker saying why not. */
export function readablePayload(payload: Payload): Payload {
  const encoding = encodingOf(payload);
  if (encoding === 'binary/null') return payload;
  const size = payload.data?.length ?? 0;
  let why = `encoding ${encoding} (${size} bytes), expected json/plain`;
  if (encoding === 'json/plain') {
    try {
      JSON.parse(text.decode(payload.data ?? new Uint8Array()));
      return payload;
    } catch (err) {
      why = `json/plain that is not JSON (${(err as Error).message})`;
    }
  }
  return {
    metadata: { encoding: bytes.encode('json/plain') },
    data: bytes.encode(JSON.stringify({ [UNREADABLE_PAYLOAD]: why })),
  };
}

export class UnreadablePayloadCodec implements PayloadCodec {
  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads);
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map(readablePayload));
  }
}

/** The worker's data converter: the default one, behind the codec above. */
export const workerDataConverter: DataConverter = { payloadCodecs: [new UnreadablePayloadCodec()] };

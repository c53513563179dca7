// AWS Signature Version 4 for Amazon Managed Prometheus, as Argo's Prometheus provider signs its queries
// (prometheus/common/sigv4: service "aps", the region of authentication.sigv4) with node's crypto alone.
// Checked against AWS's published SigV4 test suite (test/metrics/sigv4.test.ts). Credentials come from
// the worker's environment only (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN): the
// AWS SDK's other sources (profile files, web identity, instance roles, an assumed role) are not read,
// and lint refuses profile and roleArn.
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigningInput {
  method: string;
  url: URL;
  /** Headers to sign besides host (lowercase or not); X-Amz-Date and the session token are added. */
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body. */
  bodyHash?: string;
  region: string;
  service: string;
  date: Date;
  credentials: AwsCredentials;
}

export const EMPTY_BODY_HASH = sha256Hex('');

/** The headers to send: X-Amz-Date, X-Amz-Security-Token when there is a session token, Authorization. */
export function signV4(input: SigningInput): Record<string, string> {
  const amzDate = input.date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const added: Record<string, string> = { 'X-Amz-Date': amzDate };
  if (input.credentials.sessionToken) added['X-Amz-Security-Token'] = input.credentials.sessionToken;
  const headers = new Map<string, string>([['host', input.url.host]]);
  for (const [name, value] of Object.entries({ ...input.headers, ...added }))
    headers.set(name.toLowerCase(), value.trim().replace(/ +/g, ' '));
  const names = [...headers.keys()].sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(input.url.pathname),
    canonicalQuery(input.url.searchParams),
    names.map((name) => `${name}:${headers.get(name) ?? ''}\n`).join(''),
    signedHeaders,
    input.bodyHash ?? EMPTY_BODY_HASH,
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  for (const part of [input.region, input.service, 'aws4_request']) key = hmac(key, part);
  const signature = hmac(key, stringToSign).toString('hex');
  added.Authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return added;
}

/** RFC 3986 encoding, as SigV4 wants it: only A-Z a-z 0-9 - _ . ~ left as they are. */
export function awsEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Parameters sorted by encoded name, then value: the query string to send and to sign alike. */
export function canonicalQuery(params: URLSearchParams | [string, string][]): string {
  return [...params]
    .map(([name, value]) => [awsEncode(name), awsEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function canonicalPath(pathname: string): string {
  if (pathname === '') return '/';
  return pathname
    .split('/')
    .map((segment) => awsEncode(decodeURIComponent(segment)))
    .join('/');
}

/** The worker's AWS credentials, as the SDK's environment provider reads them; undefined when absent. */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AwsCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID || env.AWS_ACCESS_KEY;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY || env.AWS_SECRET_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

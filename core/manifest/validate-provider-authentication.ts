// A prometheus or web metric's `authentication` (Argo's Authentication): oauth2's client-credentials
// grant is measured with (activities/metrics/oauth2.ts); sigv4 is refused (unsupported.ts). Argo acts on
// oauth2 only when tokenUrl is set, and then measures every time as an Error without clientId or
// clientSecret: both are refused here instead, so no oauth2 block is accepted and then ignored.
import { hasArgReference } from '../analysis/args.js';
import { Issues, type FieldPath } from './errors.js';
import { checkKnownFields, readList, readMap, readString } from './fields.js';
import {
  UNSUPPORTED_PROMETHEUS_AUTHENTICATION,
  UNSUPPORTED_WEB_AUTHENTICATION,
  refuseUnsupported,
} from './unsupported.js';

export function validateAuthentication(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  provider: 'prometheus' | 'web',
): void {
  const authentication = readMap(issues, value, path, 'a map with oauth2');
  if (authentication === undefined) return;
  checkKnownFields(issues, authentication, path, ['sigv4', 'oauth2']);
  refuseUnsupported(
    issues,
    authentication,
    path,
    provider === 'prometheus' ? UNSUPPORTED_PROMETHEUS_AUTHENTICATION : UNSUPPORTED_WEB_AUTHENTICATION,
  );
  validateOAuth2(issues, authentication.oauth2, [...path, 'oauth2']);
}

function validateOAuth2(issues: Issues, value: unknown, path: FieldPath): void {
  const oauth2 = readMap(issues, value, path, 'a map with tokenUrl, clientId and clientSecret');
  if (oauth2 === undefined) return;
  checkKnownFields(issues, oauth2, path, ['tokenUrl', 'clientId', 'clientSecret', 'scopes']);
  const tokenUrl = readString(
    issues,
    oauth2.tokenUrl,
    [...path, 'tokenUrl'],
    'the URL of the token endpoint',
    {
      required: true,
      nonEmpty: true,
    },
  );
  if (tokenUrl !== undefined && !hasArgReference(tokenUrl)) {
    const problem = httpUrlProblem(tokenUrl);
    if (problem) issues.add([...path, 'tokenUrl'], tokenUrl, 'an http or https URL', problem);
  }
  readString(issues, oauth2.clientId, [...path, 'clientId'], 'the client id', {
    required: true,
    nonEmpty: true,
  });
  readString(
    issues,
    oauth2.clientSecret,
    [...path, 'clientSecret'],
    'the client secret, e.g. "{{args.client-secret}}" from a Secret',
    {
      required: true,
      nonEmpty: true,
    },
  );
  const scopes = readList(issues, oauth2.scopes, [...path, 'scopes'], 'a list of scope names');
  scopes?.forEach((scope, index) =>
    readString(issues, scope, [...path, 'scopes', index], 'a scope name (a string)', { required: true }),
  );
}

function httpUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not a URL, expected an http or https URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `${JSON.stringify(text)} has scheme ${url.protocol.slice(0, -1)}, expected an http or https URL`;
  return undefined;
}

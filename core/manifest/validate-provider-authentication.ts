// A prometheus or web metric's `authentication` (Argo's Authentication): oauth2's client-credentials
// grant (activities/metrics/oauth2.ts), and for Prometheus sigv4 (activities/metrics/sigv4.ts; Argo's
// web provider ignores sigv4, so it is refused there). Argo acts on oauth2 only when tokenUrl is set,
// and then measures every time as an Error without clientId or clientSecret; it signs only requests to
// Amazon Managed Prometheus (an aps-workspaces address). What Argo would ignore or fail at every
// measurement is refused here, so no block is accepted and then ignored.
import { hasArgReference } from '../analysis/args.js';
import { Issues, type FieldPath } from './errors.js';
import { checkKnownFields, isAbsent, readList, readMap, readString } from './fields.js';
import { UNSUPPORTED_SIGV4, UNSUPPORTED_WEB_AUTHENTICATION, refuseUnsupported } from './unsupported.js';

/** `address`: the Prometheus address, when it has no `{{args.x}}` in it (sigv4 depends on it). */
export function validateAuthentication(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  provider: 'prometheus' | 'web',
  address?: string,
): void {
  const authentication = readMap(issues, value, path, 'a map with oauth2 or sigv4');
  if (authentication === undefined) return;
  checkKnownFields(issues, authentication, path, ['sigv4', 'oauth2']);
  if (provider === 'web') refuseUnsupported(issues, authentication, path, UNSUPPORTED_WEB_AUTHENTICATION);
  else if (!isAbsent(authentication.sigv4)) {
    if (!isAbsent(authentication.oauth2)) {
      issues.add(
        path,
        authentication,
        'oauth2 or sigv4',
        'both oauth2 and sigv4 are set, expected one of them (Argo signs over the token)',
      );
    }
    validateSigv4(issues, authentication.sigv4, [...path, 'sigv4'], address);
  }
  validateOAuth2(issues, authentication.oauth2, [...path, 'oauth2']);
}

function validateSigv4(issues: Issues, value: unknown, path: FieldPath, address: string | undefined): void {
  const sigv4 = readMap(issues, value, path, 'a map with region');
  if (sigv4 === undefined) return;
  checkKnownFields(issues, sigv4, path, ['region', 'profile', 'roleArn']);
  refuseUnsupported(issues, sigv4, path, UNSUPPORTED_SIGV4);
  // Argo ignores a sigv4 without region, profile or roleArn; the other two are refused above.
  readString(issues, sigv4.region, [...path, 'region'], 'an AWS region such as eu-west-1', {
    required: true,
    nonEmpty: true,
  });
  if (address !== undefined && !address.includes('aps-workspaces')) {
    issues.add(
      path,
      sigv4,
      'an Amazon Managed Prometheus address (aps-workspaces)',
      `Argo signs only requests to Amazon Managed Prometheus (an address with aps-workspaces in it), not to ${address}: remove sigv4`,
    );
  }
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

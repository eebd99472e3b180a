// Who a SharePoint export says may read an item, as access labels: the role assignments of a PnP
// client-side page that breaks permission inheritance, and Microsoft Graph permission listings
// (GET /drives/{drive-id}/items/{item-id}/permissions) of library files.
//
//   restricted                   the item has permissions of its own (never falls to the default readers)
//   sharepoint-user:<login>      a person who may read it: e-mail or user principal name when known
//   sharepoint-group:<name>      a SharePoint or Microsoft 365 / Entra group that may read it
//   sharepoint-organization      everyone in the organisation may (an "organization" or "anonymous"
//                                sharing link, or the Everyone claims): not restricted
import { restrictedLabel } from '../../access/access-policy.js';

const organizationLabel = 'sharepoint-organization';

export interface ItemAccess {
  labels: string[];
  /** What was odd about the permissions (a paged listing, an unreadable file). */
  warnings: string[];
}

/** Claims and names SharePoint uses for everyone in the organisation. */
function isEveryone(principal: string): boolean {
  const lower = principal.trim().toLowerCase();
  return (
    lower === 'c:0(.s|true' ||
    lower.startsWith('c:0-.f|rolemanager|spo-grid-all-users') ||
    lower === 'everyone' ||
    lower === 'everyone except external users'
  );
}

/**
 * A principal as SharePoint names it, as a label: a claims login (`i:0#.f|membership|alice@contoso.com`)
 * or an e-mail / DOMAIN\user login is a user, a group claim (`c:0t.c|tenant|<id>`) or any other
 * name (`HR Members`) a group. Null for the Everyone claims, which are the whole organisation.
 */
export function principalLabel(principal: string): string | null {
  const name = principal.trim();
  if (name === '' || isEveryone(name)) return null;
  if (name.includes('|')) {
    const value = name.slice(name.lastIndexOf('|') + 1);
    return /^i:/i.test(name) ? `sharepoint-user:${value}` : `sharepoint-group:${value}`;
  }
  if (/^[^\s@|]+@[^\s@|]+$/.test(name) || /^[^\s\\]+\\[^\s\\]+$/.test(name)) return `sharepoint-user:${name}`;
  return `sharepoint-group:${name}`;
}

/** Role definitions that give no read access of their own ({roledefinition:Guest} is Limited Access). */
const noReadRoles = new Set(['limited access', 'web-only limited access', 'guest']);

interface PnpRoleAssignment {
  principal: string;
  roleDefinition: string;
  remove: boolean;
}

/**
 * A client-side page's `<pnp:Security><pnp:BreakRoleInheritance CopyRoleAssignments="false">` with
 * its `<pnp:RoleAssignment Principal RoleDefinition>`s: only the principals listed may read the
 * page, so it is restricted to those whose role grants read (every role but Limited Access).
 * Copying the role assignments keeps everyone who could read the site's pages, so such a page is
 * read as not restricted (and its extra assignments are not labels). Principals are kept as the
 * template names them, tokens such as {associatedmembergroup} included.
 */
export function pnpPageAccess(breaksInheritance: { copyRoleAssignments: boolean; assignments: PnpRoleAssignment[] } | null): string[] {
  if (!breaksInheritance || breaksInheritance.copyRoleAssignments) return [];
  const labels = new Set<string>();
  let everyone = false;
  for (const { principal, roleDefinition, remove } of breaksInheritance.assignments) {
    const role = roleDefinition.replace(/^\{roledefinition:(.*)\}$/i, '$1').trim().toLowerCase();
    if (remove || role === '' || noReadRoles.has(role)) continue;
    const label = principalLabel(principal);
    if (label) labels.add(label);
    else if (principal.trim() !== '') everyone = true;
  }
  return [everyone ? organizationLabel : restrictedLabel, ...labels];
}

/** Graph roles that include reading the item. Roles not known here are not taken to grant it. */
const readRoles = new Set(['read', 'write', 'owner', 'sp.owner', 'sp.member']);

type IdentitySet = Record<string, { email?: unknown; userPrincipalName?: unknown; loginName?: unknown; displayName?: unknown } | undefined>;

const textOf = (...values: unknown[]) => values.find((value): value is string => typeof value === 'string' && value.trim() !== '')?.trim() ?? null;

function identityLabels(identity: IdentitySet | undefined): { labels: string[]; everyone: boolean } {
  const labels: string[] = [];
  let everyone = false;
  if (!identity || typeof identity !== 'object') return { labels, everyone };
  for (const kind of ['user', 'siteUser']) {
    const user = identity[kind];
    if (!user || typeof user !== 'object') continue;
    const login = textOf(user.loginName);
    if (login && isEveryone(login)) everyone = true;
    const name = textOf(user.email, user.userPrincipalName) ?? (login ? principalLabel(login)?.replace(/^sharepoint-(user|group):/, '') : null) ?? textOf(user.displayName);
    if (name && !isEveryone(name)) labels.push(`sharepoint-user:${name}`);
    else if (name) everyone = true;
  }
  for (const kind of ['group', 'siteGroup']) {
    const group = identity[kind];
    const name = group && typeof group === 'object' ? textOf(group.displayName, group.email) : null;
    if (name && isEveryone(name)) everyone = true;
    else if (name) labels.push(`sharepoint-group:${name}`);
  }
  // Applications and devices are no readers of answers.
  return { labels, everyone };
}

/**
 * A Graph permission listing (`{"value": [permission…]}`, or the permissions array of a driveItem)
 * as access labels. Every permission whose roles include read names its readers (grantedToV2 /
 * grantedToIdentitiesV2, and the older grantedTo / grantedToIdentities); a sharing link of scope
 * "organization" or "anonymous" opens the item to everyone in the organisation: it is then not
 * restricted and carries `sharepoint-organization` besides the people and groups named. Any other
 * listing, an empty one included, restricts the item to those named. Null when the JSON is not a
 * permission listing.
 */
export function graphPermissionAccess(json: unknown): ItemAccess | null {
  const permissions = Array.isArray(json) ? json : Array.isArray((json as { value?: unknown })?.value) ? (json as { value: unknown[] }).value : null;
  if (!permissions || !permissions.every((p) => p !== null && typeof p === 'object' && Array.isArray((p as { roles?: unknown }).roles))) return null;
  const labels = new Set<string>();
  let everyone = false;
  for (const permission of permissions as Array<Record<string, any>>) {
    if (!permission.roles.some((role: unknown) => typeof role === 'string' && readRoles.has(role.toLowerCase()))) continue;
    const scope = typeof permission.link?.scope === 'string' ? permission.link.scope.toLowerCase() : null;
    if (scope === 'organization' || scope === 'anonymous') everyone = true;
    const identities = [permission.grantedToV2, permission.grantedTo, ...arrayOf(permission.grantedToIdentitiesV2), ...arrayOf(permission.grantedToIdentities)];
    for (const identity of identities) {
      const found = identityLabels(identity);
      everyone ||= found.everyone;
      for (const label of found.labels) labels.add(label);
    }
  }
  const warnings =
    typeof (json as Record<string, unknown>)?.['@odata.nextLink'] === 'string'
      ? ['its permission listing is paged (@odata.nextLink) and only its first page is in the export: readers on later pages are not known']
      : [];
  return { labels: [everyone ? organizationLabel : restrictedLabel, ...labels], warnings };
}

function arrayOf(value: unknown): IdentitySet[] {
  return Array.isArray(value) ? value : [];
}

/** A `<file>.permissions.json` beside a library file; an unreadable one restricts the file to nobody named. */
export function readPermissionsFile(bytes: Buffer): ItemAccess {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return (
    graphPermissionAccess(json) ?? {
      labels: [restrictedLabel],
      warnings: ['its permissions file is not a Graph permission listing: it is indexed as restricted, readable only through rules naming "restricted"'],
    }
  );
}

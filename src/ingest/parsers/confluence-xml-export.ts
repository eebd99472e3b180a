// A Confluence XML export (entities.xml): a flat list of Hibernate objects. Only what pages need
// is kept: current and archived pages (not drafts, deleted pages or historical versions), their
// storage-format bodies, spaces, users, labels, attachments and who may view them (page restrictions
// and space permissions). Parsed as a stream with saxes, which loads no external DTD or entity.
import { SaxesParser } from 'saxes';
import { restrictedLabel } from '../../access/access-policy.js';

interface RawObject {
  className: string;
  id: string;
  properties: Map<string, string>;
  /** Properties that point at another object: name -> its id. */
  references: Map<string, string>;
  collections: Map<string, string[]>;
}

export interface XmlExportPage {
  id: string;
  title: string;
  spaceName: string | null;
  /** Titles of the ancestors, root first. */
  ancestors: string[];
  body: string;
  lastModified: Date | null;
  author: string | null;
  /** Global and team labels (not people's personal "my:" labels such as favourites). */
  labels: string[];
  /** "current" or "archived". */
  status: string;
  /** Who the export says may view the page (see accessLabelsOf): `restricted`, `confluence-user:…`, `confluence-space-group:…`. */
  accessLabels: string[];
}

export interface XmlExportAttachment {
  id: string;
  pageId: string;
  fileName: string;
  version: number;
  lastModified: Date | null;
}

const kept = new Set([
  'Page',
  'BodyContent',
  'Space',
  'Attachment',
  'ConfluenceUserImpl',
  'Label',
  'Labelling',
  'ContentPermissionSet',
  'ContentPermission',
  'SpacePermission',
]);

function readObjects(xml: string): RawObject[] {
  const parser = new SaxesParser({ xmlns: false });
  const objects: RawObject[] = [];
  const stack: string[] = [];
  let current: RawObject | null = null;
  let property: { name: string; text: string; reference: string | null } | null = null;
  let collection: { name: string; ids: string[] } | null = null;
  let idText: string | null = null;

  parser.on('opentag', (node) => {
    const attribute = (name: string) => String(node.attributes[name] ?? '');
    stack.push(node.name);
    if (node.name === 'object' && stack.length === 2) {
      const className = attribute('class');
      current = kept.has(className) ? { className, id: '', properties: new Map(), references: new Map(), collections: new Map() } : null;
    } else if (!current) {
      return;
    } else if (node.name === 'property' && stack.length === 3) {
      property = { name: attribute('name'), text: '', reference: null };
    } else if (node.name === 'collection' && stack.length === 3) {
      collection = { name: attribute('name'), ids: [] };
    } else if (node.name === 'id') {
      idText = '';
    }
  });
  const onText = (text: string) => {
    if (idText !== null) idText += text;
    else if (property) property.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (node) => {
    stack.pop();
    if (!current) return;
    if (node.name === 'id' && idText !== null) {
      const id = idText.trim();
      idText = null;
      if (stack.length === 2) current.id = id;
      else if (property) property.reference = id;
      else if (collection) collection.ids.push(id);
    } else if (node.name === 'property' && property && stack.length === 2) {
      if (property.reference !== null) current.references.set(property.name, property.reference);
      else current.properties.set(property.name, property.text);
      property = null;
    } else if (node.name === 'collection' && collection && stack.length === 2) {
      current.collections.set(collection.name, collection.ids);
      collection = null;
    } else if (node.name === 'object' && stack.length === 1) {
      objects.push(current);
      current = null;
    }
  });
  parser.write(xml).close();
  return objects;
}

/** "2016-05-10 15:00:05.362", server time without a zone: read as UTC. */
function exportDate(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(`${value.trim().replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** What the export says of who may view what. */
interface ExportAccess {
  /** Page id -> the labels of its own View restriction (an empty list: restricted, nobody named). */
  restrictions: Map<string, string[]>;
  /** Space id -> the labels of its VIEWSPACE permissions. */
  spaces: Map<string, string[]>;
}

const text = (o: RawObject, name: string) => o.properties.get(name)?.trim() ?? '';

/**
 * Page restrictions: a ContentPermissionSet of type View owned by a page (owningContent), holding
 * ContentPermission objects of type View naming a user (userSubject -> ConfluenceUserImpl since
 * Confluence 5.x, the userName property before) or a group (groupName). Edit restrictions do not
 * narrow who may view, so they are left out. Space permissions: SpacePermission objects of type
 * VIEWSPACE, naming a group, a user, or neither (anonymous access).
 */
function readAccess(byClass: (name: string) => RawObject[], users: Map<string, string | null>): ExportAccess {
  const restrictions = new Map<string, string[]>();
  const pageOfSet = new Map<string, string>();
  const setOfPermission = new Map<string, string>();
  for (const set of byClass('ContentPermissionSet')) {
    const page = set.references.get('owningContent');
    if (text(set, 'type') !== 'View' || !page) continue;
    pageOfSet.set(set.id, page);
    if (!restrictions.has(page)) restrictions.set(page, []);
    for (const permission of set.collections.get('contentPermissions') ?? []) setOfPermission.set(permission, set.id);
  }
  for (const permission of byClass('ContentPermission')) {
    if (text(permission, 'type') !== 'View') continue;
    const page = pageOfSet.get(permission.references.get('owningSet') ?? setOfPermission.get(permission.id) ?? '');
    if (!page) continue;
    const user = users.get(permission.references.get('userSubject') ?? '') || text(permission, 'userName');
    const group = text(permission, 'groupName');
    // A user key the export does not resolve names nobody: the page stays restricted without them.
    if (user) restrictions.get(page)!.push(`confluence-user:${user}`);
    if (group) restrictions.get(page)!.push(`confluence-group:${group}`);
  }
  const spaces = new Map<string, string[]>();
  for (const permission of byClass('SpacePermission')) {
    const space = permission.references.get('space');
    if (text(permission, 'type') !== 'VIEWSPACE' || !space) continue;
    const group = text(permission, 'group');
    const userKey = permission.references.get('userSubject');
    const user = users.get(userKey ?? '') || text(permission, 'userName');
    let label: string | null = null;
    if (group) label = `confluence-space-group:${group}`;
    else if (user) label = `confluence-space-user:${user}`;
    // Neither group nor user is Confluence's anonymous permission; an unresolved user key or an
    // "all users" subject is not, and gives no label.
    else if (!userKey && !text(permission, 'allUsersSubject')) label = 'confluence-space-anonymous';
    if (label) spaces.set(space, [...(spaces.get(space) ?? []), label]);
  }
  return { restrictions, spaces };
}

// Groups Confluence gives every licensed user (and anonymous access): a space viewable by one of
// them is open to all staff.
const openSpaceLabels = new Set(['confluence-space-anonymous', 'confluence-space-group:confluence-users', 'confluence-space-group:users']);

/**
 * A page's access labels. Confluence lets a viewer see a page only when they pass its own View
 * restriction and that of every restricted ancestor (restrictions are inherited). Rules here give
 * a restricted page the readers of any label it carries, so the page carries only the labels that
 * every restriction on its way from the space root names: the intersection. With one restriction
 * (its own, or its nearest restricted ancestor's) those are that restriction's labels; where the
 * restrictions name different people or groups the page keeps fewer, never more, readers than
 * Confluence gives it. A page restriction is narrower than its space's permissions, so such a
 * page carries no space label (a rule opening the space must not open it). Otherwise the space's
 * view permissions are its labels; a space that all staff cannot view (no anonymous access, not
 * the confluence-users or users group) makes its pages restricted too.
 */
function accessLabelsOf(pageId: string, ancestorIds: string[], spaceId: string, access: ExportAccess): string[] {
  const restrictions = [...ancestorIds, pageId].map((id) => access.restrictions.get(id)).filter((labels): labels is string[] => labels !== undefined);
  if (restrictions.length > 0) {
    const [first, ...rest] = restrictions;
    return [restrictedLabel, ...new Set(first!.filter((label) => rest.every((other) => other.includes(label))))];
  }
  const space = [...new Set(access.spaces.get(spaceId) ?? [])];
  // An export without space permissions says nothing about them.
  if (space.length === 0 || space.some((label) => openSpaceLabels.has(label))) return space;
  return [restrictedLabel, ...space];
}

export function readXmlExport(xml: string): { pages: XmlExportPage[]; attachments: XmlExportAttachment[] } {
  const objects = readObjects(xml);
  const byClass = (name: string) => objects.filter((o) => o.className === name);
  const status = (o: RawObject) => (o.properties.get('contentStatus') ?? 'current').trim();
  const isLatest = (o: RawObject) => !o.references.has('originalVersion') && (o.properties.get('originalVersionId') ?? '').trim() === '';
  const isCurrent = (o: RawObject) => status(o) === 'current' && isLatest(o);
  // Archived pages are still read: they rank below current ones and are cited with a warning.
  const isIndexed = (o: RawObject) => (status(o) === 'current' || status(o) === 'archived') && isLatest(o);

  const labelNames = new Map(
    byClass('Label')
      .filter((label) => (label.properties.get('namespace') ?? 'global').trim() !== 'my')
      .map((label) => [label.id, label.properties.get('name')?.trim() ?? '']),
  );
  const labels = new Map<string, string[]>();
  for (const labelling of byClass('Labelling')) {
    const name = labelNames.get(labelling.references.get('label') ?? '');
    const content = labelling.references.get('content');
    if (name && content) labels.set(content, [...(labels.get(content) ?? []), name]);
  }

  const pages = new Map(byClass('Page').map((page) => [page.id, page]));
  const spaces = new Map(byClass('Space').map((space) => [space.id, space.properties.get('name')?.trim() ?? null]));
  const users = new Map(byClass('ConfluenceUserImpl').map((user) => [user.id, user.properties.get('name')?.trim() ?? null]));
  const bodies = new Map<string, string>();
  for (const body of byClass('BodyContent')) {
    const owner = body.references.get('content');
    // bodyType 2 is storage format (0 is the old wiki markup of pre-4.0 Confluence, kept as text).
    if (owner && !bodies.has(owner)) bodies.set(owner, body.properties.get('body') ?? '');
  }

  /** Ids of a page's ancestors, root first. */
  const ancestorIdsOf = (page: RawObject): string[] => {
    const listed = page.collections.get('ancestors');
    const ids: string[] = [];
    if (listed) ids.push(...listed);
    else for (let parent = page.references.get('parent'); parent && !ids.includes(parent); parent = pages.get(parent)?.references.get('parent')) ids.unshift(parent);
    return ids;
  };
  const titlesOf = (ids: string[]): string[] => ids.map((id) => pages.get(id)?.properties.get('title')?.trim()).filter((title): title is string => !!title);
  const access = readAccess(byClass, users);

  const currentPages: XmlExportPage[] = [...pages.values()].filter(isIndexed).map((page) => {
    const ancestorIds = ancestorIdsOf(page);
    return {
      id: page.id,
      title: page.properties.get('title')?.trim() ?? `Page ${page.id}`,
      spaceName: spaces.get(page.references.get('space') ?? '') ?? null,
      ancestors: titlesOf(ancestorIds),
      body: bodies.get(page.id) ?? '',
      lastModified: exportDate(page.properties.get('lastModificationDate')),
      author: users.get(page.references.get('lastModifier') ?? '') ?? null,
      labels: labels.get(page.id) ?? [],
      status: status(page),
      accessLabels: accessLabelsOf(page.id, ancestorIds, page.references.get('space') ?? '', access),
    };
  });

  const attachments: XmlExportAttachment[] = byClass('Attachment')
    .filter(isCurrent)
    .map((attachment) => ({
      id: attachment.id,
      pageId: attachment.references.get('containerContent') ?? attachment.references.get('content') ?? '',
      // Confluence 4.x names them fileName and attachmentVersion.
      fileName: text(attachment, 'title') || text(attachment, 'fileName') || attachment.id,
      version: Number(text(attachment, 'version') || text(attachment, 'attachmentVersion') || 1),
      lastModified: exportDate(attachment.properties.get('lastModificationDate')),
    }))
    .filter((attachment) => attachment.pageId !== '');
  return { pages: currentPages, attachments };
}

import assert from 'node:assert/strict';
import { graphPermissionAccess, pnpPageAccess, principalLabel } from '../../../src/ingest/parsers/sharepoint-permissions.js';

describe('SharePoint permissions as access labels', () => {
  it('names claims and e-mail logins as users, group claims and other names as groups, and the Everyone claims as nobody in particular', () => {
    assert.equal(principalLabel('i:0#.f|membership|alice@contoso.com'), 'sharepoint-user:alice@contoso.com');
    assert.equal(principalLabel('i:0#.w|contoso\\bob'), 'sharepoint-user:contoso\\bob');
    assert.equal(principalLabel('CONTOSO\\carol'), 'sharepoint-user:CONTOSO\\carol');
    assert.equal(principalLabel(' dan@contoso.com '), 'sharepoint-user:dan@contoso.com');
    assert.equal(principalLabel('c:0o.c|federateddirectoryclaimprovider|7d3c-finance'), 'sharepoint-group:7d3c-finance');
    assert.equal(principalLabel('HR Members'), 'sharepoint-group:HR Members');
    for (const everyone of ['c:0(.s|true', 'c:0-.f|rolemanager|spo-grid-all-users/0f9e', 'Everyone', 'Everyone except external users', '']) {
      assert.equal(principalLabel(everyone), null, everyone);
    }
  });

  it('reads a PnP page that does not break inheritance, or copies its role assignments, as not restricted', () => {
    assert.deepEqual(pnpPageAccess(null), []);
    assert.deepEqual(pnpPageAccess({ copyRoleAssignments: true, assignments: [{ principal: 'HR', roleDefinition: 'Read', remove: false }] }), []);
    assert.deepEqual(pnpPageAccess({ copyRoleAssignments: false, assignments: [{ principal: 'Guests', roleDefinition: '{roledefinition:Guest}', remove: false }] }), ['restricted']);
  });

  it('reads a Graph listing: Everyone as a site user opens the item, a paged listing says so, and other JSON is no listing', () => {
    const everyone = graphPermissionAccess({
      value: [{ id: '1', roles: ['read'], grantedToV2: { siteUser: { displayName: 'Everyone except external users', loginName: 'c:0-.f|rolemanager|spo-grid-all-users/0f9e' } } }],
    });
    assert.deepEqual(everyone, { labels: ['sharepoint-organization'], warnings: [] });
    const anonymous = graphPermissionAccess({ value: [{ id: '2', roles: ['read'], link: { scope: 'anonymous', type: 'view' } }] });
    assert.deepEqual(anonymous?.labels, ['sharepoint-organization']);
    const legacy = graphPermissionAccess({ value: [{ id: '3', roles: ['write'], grantedTo: { user: { displayName: 'Erin Stone' } } }], '@odata.nextLink': 'https://graph.microsoft.com/v1.0/next' });
    assert.deepEqual(legacy?.labels, ['restricted', 'sharepoint-user:Erin Stone']);
    assert.match(legacy?.warnings[0] ?? '', /paged/);
    assert.equal(graphPermissionAccess({ value: [{ name: 'a.docx', size: 3, file: {} }] }), null, 'a driveItem listing');
    assert.equal(graphPermissionAccess({ name: 'a.docx' }), null);
  });
});

import { type IConstruct, TerraformResource, TerraformStack } from '../cdk';

/**
 * A renamed host keeps its state: every resource under `renamed` (a construct named after the host)
 * gets a `moved` block from the address it had under the old name. Terraform then updates `input` in
 * place instead of destroying the old resource and creating a new one, which for a swarm join would
 * be a leave and a join of the same host racing each other. A `moved` whose source is not in the
 * state (a fresh deploy, or the move already done) is ignored by Terraform.
 */
export function moveFromOldName(renamed: IConstruct, oldId: string): void {
  if (oldId === renamed.node.id) return;
  const stack = TerraformStack.of(renamed);
  for (const c of renamed.node.findAll()) {
    if (!(c instanceof TerraformResource) || TerraformStack.of(c) !== stack) continue;
    // The logical ID the same resource had with the old name: cdktf's own allocation, on the old path.
    const scopes = c.node.scopes.map((s) => (s === renamed ? { node: { id: oldId } } : s));
    const old = stack.getLogicalId({ scopes } as unknown as Parameters<TerraformStack["getLogicalId"]>[0]);
    if (old !== c.friendlyUniqueId) c.moveFromId(`${c.terraformResourceType}.${old}`);
  }
}

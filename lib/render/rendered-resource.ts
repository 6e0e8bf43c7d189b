import { App, Construct, TerraformProvider, TerraformResource } from '../cdk';

/**
 * A docker resource docknet renders itself: a plain TerraformResource (cdktf still places it in the
 * stack, gives it its logical ID, provider, overrides and metadata) whose attributes are produced once
 * per rendering, at synth, in the provider's own snake_case shape.
 *
 * Why not the generated binding: its constructor builds a dozen token-backed fields per resource
 * (lists and blocks the resource does not use), and every token captures a full stack trace, which
 * under ts-node is source-mapped frame by frame. That, and a Lazy per plan-dependent field, made
 * docknet slower than the same resources written by hand. The generated binding stays available as
 * the escape hatch: the `resource` property of a Network or Container swaps it in on first use
 * (same logical ID, same JSON), for code that needs its typed setters.
 */
export class RenderedResource extends TerraformResource {
  constructor(scope: Construct, id: string, type: string, provider: TerraformProvider, private readonly render: () => Record<string, unknown>) {
    super(scope, id, { terraformResourceType: type, provider });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return this.render();
  }
}

/**
 * A reference to an attribute of a resource in the same stack, as the plain string a token resolves
 * to ("${docker_network.h1_app_1A2B3C4D.name}"). Only for rendering at synth (the logical ID is final
 * then); anything handed to users stays a token, which also works across stacks.
 */
export function sameStackRef(resource: TerraformResource, attribute: string): string {
  return `\${${resource.terraformResourceType}.${resource.friendlyUniqueId}.${attribute}}`;
}

/**
 * A generated binding's config (camelCase, plain values) in the provider's JSON shape, through the
 * binding module's own block mappers (`<prefix><Field>ToTerraform`, e.g. containerPortsToTerraform):
 * what the binding's synthesizeAttributes would write for the same config, without building it.
 */
export function toTerraformAttributes(bindingModule: Record<string, unknown>, prefix: string, config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    const mapper = bindingModule[`${prefix}${key[0].toUpperCase()}${key.slice(1)}ToTerraform`] as ((v: unknown) => unknown) | undefined;
    out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = mapper ? (Array.isArray(value) ? value.map(mapper) : mapper(value)) : value;
  }
  return out;
}

/** Attributes the escape-hatch binding was given by its user (typed setters): they win over docknet's. */
export function definedOnly(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
}

/** Whether the app writes HCL (cdktf's hclOutput), which only the generated bindings can render. */
export function writesHcl(scope: Construct): boolean {
  const root = scope.node.root;
  return root instanceof App && root.hclOutput;
}

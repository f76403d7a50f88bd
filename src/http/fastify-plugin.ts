// How a Fastify plugin asks, as the fastify-plugin package marks one, to apply to the scope that
// registers it: by two well-known symbols on the plugin function, so src/ imports no framework.

/**
 * `plugin`, marked so that Fastify applies its hooks and decorators to the scope that registers it
 * rather than to a child scope of its own, and shows it as `name` in its plugin tree.
 */
export function inRegisteringScope<Plugin extends object>(plugin: Plugin, name: string): Plugin {
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name })
}

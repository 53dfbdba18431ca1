/**
 * Stylesheets are modules to webpack (style-loader injects them); the
 * sidebar imports its own with `import()` so that they come with it.
 */
declare module '*.css';

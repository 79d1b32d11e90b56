/**
 * analysis/diagram/svg: laying a DOT graph out and drawing it as SVG with Graphviz (`dot`),
 * compiled to WebAssembly by @viz-js/viz (bundled in the package; nothing is downloaded).
 *
 * Owns: the one Graphviz instance (made once, on first use) and the SVG's clean-up: the
 * edges' `<title>`s set to their tooltips (the flows and deciding codes), the XML prolog,
 * DOCTYPE and comments dropped so the SVG can be inlined in HTML. Graphviz's output is
 * deterministic, so the same DOT gives the same bytes.
 */
import { instance, type Viz } from '@viz-js/viz';

let viz: Promise<Viz> | null = null;

/** The DOT text laid out and rendered as an SVG document (without XML prolog). */
export async function dotToSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    throw new Error(`Graphviz could not lay out the diagram: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  const svg = result.output.replace(/^<\?xml[^>]*>\s*/, '').replace(/^<!DOCTYPE[^>]*>\s*/, '').replace(/^(?:<!--[^]*?-->\s*)+/, '');
  return edgeTitlesFromTooltips(svg);
}

/**
 * Graphviz titles an edge `a->b` and puts its tooltip on the edge's link (`xlink:title`);
 * the edge's `<title>` gets the tooltip too, so every viewer shows the flows and codes on hover.
 */
function edgeTitlesFromTooltips(svg: string): string {
  return svg.replace(
    /(<g id="edge\d+" class="edge[^"]*">\n<title>)[^<]*(<\/title>\n<g id="a_edge\d+"><a xlink:title="([^"]*)">)/g,
    (_, open: string, rest: string, tooltip: string) => `${open}${tooltip}${rest}`,
  );
}

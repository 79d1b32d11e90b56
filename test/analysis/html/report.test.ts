/**
 * The HTML report's structure (without a browser): one self-contained document, a section per
 * run with its inline SVG, filters and a row per flow with its details, and every text from
 * the scenario escaped.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, htmlHead, htmlSection, htmlSectionOf, htmlTail, MAX_HTML_FLOWS } from '../../../src/analysis/html/index.ts';
import { FlowEvents, eventLine } from '../../../src/analysis/html/index.ts';
import { runScenario, runScenarioStreaming } from '../../../src/index.ts';
import { specOf, WORLD } from '../diagram/fixture.ts';

const spec = specOf(WORLD);

async function page(): Promise<string> {
  return htmlHead(spec.name) + (await htmlSectionOf(spec, runScenarioStreaming(spec, { file: 'lab & co.yaml' }))) + htmlTail();
}

describe('the HTML report', () => {
  it('is one self-contained document: inline style, script and SVG, nothing fetched', async () => {
    const html = await page();
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain('<script>');
    expect(html).toMatch(/<figure class="diagram"><svg /);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
  });

  it('has a row per flow with its outcome, code, hosts and port, and a hidden details row', async () => {
    const html = await page();
    const rows = html.match(/<tr class="flow"[^>]*>/g)!;
    expect(rows).toHaveLength(4);
    expect(rows[0]).toContain('data-outcome="connected" data-code="ALLOWED_BY_RULE" data-hosts=" b1 a1 10.0.0.1 " data-port="3306"');
    expect(html.match(/<tr class="details" hidden>/g)).toHaveLength(4);
    expect(html).toContain('<option value="refused">refused</option>');
    expect(html).toContain('<option value="ENI_SG_RULES_MISMATCH">ENI_SG_RULES_MISMATCH</option>');
  });

  it('escapes <, & and quotes from the scenario: its name, its file, rule descriptions in explanations', async () => {
    const html = await page();
    expect(html).toContain('<title>Tom &amp; Jerry&#39;s &lt;b&gt;&quot;lab&quot;&lt;/b&gt;</title>');
    expect(html).toContain('<code>lab &amp; co.yaml</code>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>"lab"</b>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it("shows each flow's trace events in its details, when they were collected", async () => {
    const events = new FlowEvents();
    const run = runScenarioStreaming(spec, { trace: events.sink });
    const html = await htmlSectionOf(spec, run, events);
    const details = html.match(/<tr class="details" hidden>.*?<\/tr>\n/gs)!;
    expect(details[1]).toContain('<th>trace</th>');
    expect(details[1]).toMatch(/<li>\d+\.\d{3} ms send admin 1\.2\.3\.4:\d+ → 54\.0\.0\.1:22 proto=tcp flags=SYN path=public<\/li>/);
    expect(details[2]).toContain('code=ENI_SG_RULES_MISMATCH');
    expect(eventLine({ tNs: 1_500_000, ev: 'nat', flow: 0, side: 'source', from: '10.0.0.1', to: '54.0.0.1' })).toBe('1.500 ms nat side=source from=10.0.0.1 to=54.0.0.1');
    // Without collected events, no trace row.
    expect(await page()).not.toContain('<th>trace</th>');
  });

  it(`lists at most ${MAX_HTML_FLOWS} flows, saying how many there were`, () => {
    const flow = runScenario(spec).flows[0];
    const many = { ...flow };
    const html = htmlSection({
      scenario: 's',
      seed: '1',
      passed: true,
      flowCount: MAX_HTML_FLOWS + 3,
      flows: Array.from({ length: MAX_HTML_FLOWS + 3 }, () => many),
      expectations: { total: 0, failed: 0 },
      svg: '<svg></svg>',
    });
    expect(html.match(/<tr class="flow"/g)).toHaveLength(MAX_HTML_FLOWS);
    expect(html).toContain(`The first ${MAX_HTML_FLOWS} of ${MAX_HTML_FLOWS + 3} flows are listed.`);
  });
});

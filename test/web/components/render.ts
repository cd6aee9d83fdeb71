/**
 * The page's components rendered to HTML in Node (react-dom/server: no DOM, no effects), and a
 * few readers for what a user finds by role and label in that HTML.
 */
import { createElement, type FunctionComponent } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

export function render<P extends object>(component: FunctionComponent<P>, props: P): string {
  return renderToStaticMarkup(createElement(component, props));
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();

/** The visible text of the whole markup. */
export function textOf(html: string): string {
  return text(html);
}

/** The labels of the form controls, each with the tag of the control its `for` points at. */
export function labelledControls(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<label for="([^"]+)">(.*?)<\/label>/g)) {
    const [, id = '', label = ''] = m;
    const control = new RegExp(`<(input|select|textarea)[^>]*\\bid="${id}"`).exec(html);
    if (control?.[1]) out[text(label)] = control[1];
  }
  return out;
}

/** The opening tag of the control labelled `label`. */
export function controlTag(html: string, label: string): string {
  const m = new RegExp(`<label for="([^"]+)">${label}</label>`).exec(html);
  if (!m) throw new Error(`no label "${label}"`);
  const tag = new RegExp(`<(?:input|select|textarea)[^>]*\\bid="${m[1]}"[^>]*>`).exec(html);
  if (!tag) throw new Error(`no control for "${label}"`);
  return tag[0];
}

/** The text of the element with `id`. */
export function textById(html: string, id: string): string | undefined {
  const m = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>(.*?)</\\1>`).exec(html);
  return m ? text(m[2] ?? '') : undefined;
}

/** The visible texts of the buttons. */
export function buttons(html: string): string[] {
  return [...html.matchAll(/<button[^>]*>(.*?)<\/button>/g)].map((m) => text(m[1] ?? ''));
}

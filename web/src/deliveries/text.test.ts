import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from './text';

describe('htmlToText', () => {
  it('leaves out included HTML fragments', () => {
    expect(htmlToText('<p>Hi {{ profile.firstName }}</p>{% include "legal-footer" %}\n{%- include \'x\' -%}'))
      .toBe('Hi {{ profile.firstName }}');
  });

  it('strips tags and keeps paragraphs apart', () => {
    expect(htmlToText('<p>Hello <b>you</b>,</p>\n<p>Second   line</p>')).toBe('Hello you,\n\nSecond line');
  });

  it('keeps link URLs in brackets, the URL alone when it is the label', () => {
    expect(htmlToText('<p>See <a href="https://shop.example/sale?a=1&amp;b=2">our sale</a>.</p>')).toBe(
      'See our sale [https://shop.example/sale?a=1&b=2].',
    );
    expect(htmlToText('<a href="https://x.example">https://x.example</a>')).toBe('https://x.example');
    expect(htmlToText('<a href="{{ unsubscribe_url }}">Unsubscribe</a>')).toBe('Unsubscribe [{{ unsubscribe_url }}]');
    expect(htmlToText('<a href="#top">Top</a>')).toBe('Top');
    expect(htmlToText('<a href="mailto:help@shop.example">Write to us</a>')).toBe('Write to us [help@shop.example]');
  });

  it('drops head, style, script and comments', () => {
    const html = '<html><head><title>T</title><style>p{color:red}</style></head><body><!-- c --><script>x()</script><p>Body</p></body></html>';
    expect(htmlToText(html)).toBe('Body');
  });

  it('turns br into line breaks and list items into dashes', () => {
    expect(htmlToText('One<br>Two<br/>Three')).toBe('One\nTwo\nThree');
    expect(htmlToText('<ul><li>a</li><li>b</li></ul><p>after</p>')).toBe('- a\n- b\n\nafter');
  });

  it('collapses blank lines and spaces from nested tables', () => {
    const html = '<table><tr><td>\n\n  <div>  A </div>\n</td></tr></table>\n\n\n<table><tr><td><div>B</div></td></tr></table>';
    expect(htmlToText(html)).toBe('A\n\nB');
  });

  it('keeps personalization expressions', () => {
    expect(htmlToText('<p>Hi {{ profile.firstName }}!</p>')).toBe('Hi {{ profile.firstName }}!');
  });
});

describe('decodeEntities', () => {
  it('decodes named and numeric entities, leaves unknown ones', () => {
    expect(decodeEntities('&lt;a&gt; &amp; &#39;x&#x27; &nbsp;&foo;')).toBe("<a> & 'x' \u00a0&foo;".replace('\u00a0', ' '));
  });
});

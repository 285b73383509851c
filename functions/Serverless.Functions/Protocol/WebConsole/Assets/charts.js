// Horizontal bar charts in inline SVG: one bar a group, its label on the left and its value at the bar's end.
// Each bar carries data-label and data-value so the numbers are readable without parsing the drawing.

const svgNs = 'http://www.w3.org/2000/svg';

function svg(name, attributes, text) {
  const element = document.createElementNS(svgNs, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, value);
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

export function barChart(title, groups, { label, value, format = String }) {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  figure.append(caption);
  if (groups.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'hint';
    empty.textContent = 'Nothing in this period.';
    figure.append(empty);
    return figure;
  }
  const rowHeight = 24;
  const labelWidth = 130;
  const width = 440;
  const barSpace = width - labelWidth - 80;
  const largest = Math.max(...groups.map(value)) || 1;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${groups.length * rowHeight}`, width, height: groups.length * rowHeight, role: 'img', 'aria-label': title });
  groups.forEach((group, i) => {
    const amount = value(group);
    const y = i * rowHeight;
    const bar = svg('g', { class: 'bar', 'data-label': label(group), 'data-value': amount });
    bar.append(
      svg('text', { x: labelWidth - 8, y: y + 16, 'text-anchor': 'end' }, label(group)),
      svg('rect', { x: labelWidth, y: y + 4, height: rowHeight - 8, width: Math.max(2, (amount / largest) * barSpace) }),
      svg('text', { x: labelWidth + Math.max(2, (amount / largest) * barSpace) + 6, y: y + 16 }, format(amount)));
    chart.append(bar);
  });
  figure.append(chart);
  return figure;
}

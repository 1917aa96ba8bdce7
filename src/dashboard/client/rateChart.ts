const svgNs = 'http://www.w3.org/2000/svg';

/** Draws `series` (one count per second, oldest first) as a bar chart into an inline SVG. */
export function renderRateChart(svg: SVGSVGElement, series: number[]): void {
  const width = 600;
  const height = 80;
  const max = Math.max(1, ...series);
  const barWidth = width / Math.max(1, series.length);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.dataset.max = String(max);
  svg.dataset.total = String(series.reduce((sum, n) => sum + n, 0));
  const bars = series.map((count, i) => {
    const bar = document.createElementNS(svgNs, 'rect');
    const barHeight = count === 0 ? 0 : Math.max(2, (count / max) * (height - 4));
    bar.setAttribute('x', String(i * barWidth + 1));
    bar.setAttribute('y', String(height - barHeight));
    bar.setAttribute('width', String(Math.max(1, barWidth - 2)));
    bar.setAttribute('height', String(barHeight));
    const title = document.createElementNS(svgNs, 'title');
    title.textContent = `${count} events, ${series.length - 1 - i} s ago`;
    bar.append(title);
    return bar;
  });
  svg.replaceChildren(...bars);
}

/** A uPlot chart as a component: created once, fed new data on every render, resized with its box. */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartProps {
  /** Options without width/height: the chart takes its container's width and `height`. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height?: number;
  /** A label for tests and screen readers. */
  label: string;
}

export function Chart({ options, data, height = 220, label }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  // The series layout is fixed per chart; a change of it (another anomaly) builds a new plot.
  const shape = JSON.stringify((options.series ?? []).map((series) => series.label ?? ''));

  useEffect(() => {
    const element = box.current!;
    plot.current = new uPlot({ ...options, width: Math.max(200, element.clientWidth), height }, data, element);
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, element.clientWidth), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return html`<div class="chart" ref=${box} role="img" aria-label=${label} data-points=${data[0]?.length ?? 0}></div>`;
}

/** Axis of epoch-second timestamps in local time. */
export const timeAxis: uPlot.Axis = { stroke: '#555', grid: { stroke: '#eee' } };
export const valueAxis = (format: (value: number) => string, size = 70): uPlot.Axis => ({
  stroke: '#555', grid: { stroke: '#eee' }, size, values: (_plot, splits) => splits.map(format),
});

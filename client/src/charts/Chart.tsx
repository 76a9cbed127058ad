import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';

// Only the chart parts the dashboard and run log draw; both pages load lazily, so echarts is not in the first bundle.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

/**
 * One echarts chart that follows its box's size and its option; a click on a bar or point reports its
 * data index. `data-bars` lists the bars' pixel centres so a test can click one as a person would.
 */
export function Chart({ option, height = 220, onPick, testId }: { option: ChartOption; height?: number; onPick?: (dataIndex: number) => void; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    if (!box.current) return;
    const c = echarts.init(box.current);
    chart.current = c;
    c.on('click', (params) => {
      if (typeof params.dataIndex === 'number') pick.current?.(params.dataIndex);
    });
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.setOption(option, true);
    // The pixel centre of every bar of the first series, for tests and for keyboard-free automation.
    const series = Array.isArray(option.series) ? option.series[0] : option.series;
    const data = series && Array.isArray(series.data) ? series.data : [];
    const centres: Array<[number, number] | null> = [];
    const horizontal = !Array.isArray(option.yAxis) && option.yAxis?.type === 'category';
    data.forEach((d, i) => {
      const value = typeof d === 'number' ? d : typeof d === 'object' && d !== null && 'value' in d && typeof d.value === 'number' ? d.value : 0;
      const point = c.convertToPixel({ seriesIndex: 0 }, horizontal ? [value / 2, i] : [i, value / 2]);
      centres.push(Array.isArray(point) ? [Math.round(point[0]), Math.round(point[1])] : null);
    });
    box.current?.setAttribute('data-bars', JSON.stringify(centres));
  }, [option]);

  return <div ref={box} style={{ height, width: '100%', cursor: onPick ? 'pointer' : undefined }} data-testid={testId} />;
}
